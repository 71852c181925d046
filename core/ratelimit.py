"""One rate limiter for every public form that writes: a count per client and window.

`rate_limit_hit` counts an attempt and says whether it is within the limit in one atomic step, so
twenty simultaneous posts from one client get exactly `limit` yeses: a counter row per client and
window (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on PostgreSQL and SQLite alike), which
every process and server shares through the database.

Always the database, never the shared cache (REDIS_URL): a count kept in Redis starts again from
nothing when Redis fails or restarts, giving every client a fresh allowance just when something is
wrong. One short statement per form post (only posts are limited) costs little.

Windows are fixed (each hour from the hour, say): at a window's edge a client can get up to twice
the limit in a short burst, which is fine for stopping floods.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection

from .models import RateCount


@dataclass(frozen=True)
class RateLimit:
    scope: str  # what is limited, such as "reports"
    limit: int  # attempts allowed per window
    window: timedelta

    @property
    def seconds(self):
        return int(self.window.total_seconds())


def clock():
    """Now, in Unix seconds; tests replace it to pin a window."""
    return time.time()


def rate_limit_hit(*, rule, client_key):
    """Count one attempt by `client_key`; True while it is within `rule.limit` for this window."""
    start = int(clock()) // rule.seconds * rule.seconds
    return _count(rule, client_key, start) <= rule.limit


def _count(rule, client_key, start):
    table = connection.ops.quote_name(RateCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, client_key, window_start, count) "  # noqa: S608
            "VALUES (%s, %s, %s, 1) ON CONFLICT (scope, client_key, window_start) "
            f"DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [rule.scope, client_key, start],
        )
        (count,) = cursor.fetchone()
    if count == 1:
        # The first attempt of a new window for this client: a good moment to forget old windows.
        RateCount.objects.filter(scope=rule.scope, window_start__lt=start).delete()
    return count


def rate_counts_prune(*, keep=timedelta(days=1)):
    """Forget counts of windows that ended more than `keep` ago; returns how many."""
    deleted, _ = RateCount.objects.filter(
        window_start__lt=int(clock() - keep.total_seconds())
    ).delete()
    return deleted
