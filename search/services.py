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

from .models import SearchCount

logger = logging.getLogger(__name__)

# Searches counted in this process and not written yet: {(outward, week): searches}.
_lock = threading.Lock()
_unwritten = Counter()
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


def search_counts_write():
    """Write this process's unwritten counts: an update each, or an insert the first time (a
    concurrent first insert loses the race and updates instead). A count that cannot be written
    (a read-only database) is let go: it must never stop anyone searching."""
    with _lock:
        counts = sorted(_unwritten.items())
        _unwritten.clear()
        _written_at[0] = time.monotonic()
    for (outward, week), searches in counts:
        try:
            _add(outward, week, searches)
        except DatabaseError:
            logger.warning("Could not count %s searches in %s", searches, outward, exc_info=True)


def _add(outward, week, searches):
    counts = SearchCount.objects.filter(outward=outward, week=week)
    if counts.update(count=F("count") + searches):
        return
    try:
        with transaction.atomic():
            SearchCount.objects.create(outward=outward, week=week, count=searches)
    except IntegrityError:
        counts.update(count=F("count") + searches)
