"""Writes made by searching. Keyword-only, named <thing>_<action>."""

import logging
import threading
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SearchCount, UnmetDemand

logger = logging.getLogger(__name__)

# Searches counted in this process and not written yet: {(outward, week): searches}.
_lock = threading.Lock()
_unwritten = Counter()
# Searches that found no one or fewer than FEW: {(outward, week, help types, "none"|"few"): count}.
_unmet = Counter()
FEW = 5
_written_at = [time.monotonic()]


def search_count_add(*, outward, today=None):
    """Count one search in a postcode district this week.

    Counts are kept in this process and written at most every SEARCH_COUNT_SECONDS, by the search
    that finds them due (and by `search_counts_write` when a gunicorn worker exits): a write for
    every search was most of a cached search's time on PostgreSQL. A crash loses those seconds of
    counts, nothing more; only the district and week are ever held.
    """
    if not outward:
        return  # a place name: no district to count
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    with _lock:
        _unwritten[outward, week] += 1
        due = time.monotonic() - _written_at[0] >= settings.SEARCH_COUNT_SECONDS
    if due:
        search_counts_write()


def unmet_demand_add(*, outward, help_types, found, today=None):
    """Count a search in a postcode district this week that found no provider or fewer than FEW,
    with the types of help filtered for (category slugs). Kept in the process and written with
    the search counts (`search_counts_write`). Only counts, never the query."""
    if not outward or not 0 <= found < FEW:
        return
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    key = (outward, week, ",".join(sorted(help_types))[:200], "none" if found == 0 else "few")
    with _lock:
        _unmet[key] += 1
        due = time.monotonic() - _written_at[0] >= settings.SEARCH_COUNT_SECONDS
    if due:
        search_counts_write()


def search_counts_write():
    """Write this process's unwritten counts: an update each, or an insert the first time (a
    concurrent first insert loses the race and updates instead). A count that cannot be written
    (a read-only database) is let go: it must never stop anyone searching."""
    with _lock:
        counts = sorted(_unwritten.items())
        unmet = sorted(_unmet.items())
        _unwritten.clear()
        _unmet.clear()
        _written_at[0] = time.monotonic()
    for (outward, week), searches in counts:
        try:
            _add(outward, week, searches)
        except DatabaseError:
            logger.warning("Could not count %s searches in %s", searches, outward, exc_info=True)
    for (outward, week, help_types, kind), searches in unmet:
        try:
            _add_unmet(outward, week, help_types, f"{kind}_found", searches)
        except DatabaseError:
            logger.warning("Could not count unmet demand in %s", outward, exc_info=True)


def _add(outward, week, searches):
    counts = SearchCount.objects.filter(outward=outward, week=week)
    if counts.update(count=F("count") + searches):
        return
    try:
        with transaction.atomic():
            SearchCount.objects.create(outward=outward, week=week, count=searches)
    except IntegrityError:
        counts.update(count=F("count") + searches)


def _add_unmet(outward, week, help_types, field, searches):
    """The same update-else-insert as `_add`, on the unmet demand counters."""
    counts = UnmetDemand.objects.filter(outward=outward, week=week, help_types=help_types)
    if counts.update(**{field: F(field) + searches}):
        return
    try:
        with transaction.atomic():
            UnmetDemand.objects.create(
                outward=outward, week=week, help_types=help_types, **{field: searches}
            )
    except IntegrityError:
        counts.update(**{field: F(field) + searches})
