"""One rate limiter for every public form that writes: a count per client and window.

`rate_limit_hit` counts an attempt and says whether it is within the limit in one atomic step, so
twenty simultaneous posts from one client get exactly `limit` yeses:
- with a shared cache (REDIS_URL), Redis's INCR on a key that expires with its window;
- otherwise a counter row per client and window (INSERT ... ON CONFLICT DO UPDATE ... RETURNING,
  on PostgreSQL and SQLite alike), which every process shares through the database. So does the
  fallback when Redis cannot be reached.
Windows are fixed (each hour from the hour, say): at a window's edge a client can get up to twice
the limit in a short burst, which is fine for stopping floods.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .models import RateCount

logger = logging.getLogger(__name__)


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
    if settings.REDIS_URL:
        from redis.exceptions import RedisError

        try:
            return _count_in_cache(rule, client_key, start) <= rule.limit
        except RedisError as error:
            logger.warning(
                "Counting %s in the database: the shared cache failed (%s)", rule.scope, error
            )
    return _count_in_database(rule, client_key, start) <= rule.limit


def _count_in_cache(rule, client_key, start):
    # Hashed: a client key is ours, but need not be a tidy cache key.
    digest = hashlib.sha256(client_key.encode()).hexdigest()[:32]
    key = f"rate:{rule.scope}:{start}:{digest}"
    cache.add(key, 0, timeout=rule.seconds + 60)  # only the first attempt of a window creates it
    try:
        return cache.incr(key)
    except ValueError:  # it expired between the two calls: this attempt starts the count
        cache.add(key, 1, timeout=rule.seconds + 60)
        return 1


def _count_in_database(rule, client_key, start):
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
