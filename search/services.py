"""Writes made by searching. Keyword-only, named <thing>_<action>."""

import logging
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SearchCount

logger = logging.getLogger(__name__)


def search_count_add(*, outward, today=None):
    """Count one search in a postcode district this week: an update, or an insert the first
    time (a concurrent first insert loses the race and updates instead). A count that cannot be
    written (a read-only database) is let go: it must never stop anyone searching."""
    if not outward:
        return  # a place name: no district to count
    try:
        _add(outward, today)
    except DatabaseError:
        logger.warning("Could not count a search in %s", outward, exc_info=True)


def _add(outward, today):
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    counts = SearchCount.objects.filter(outward=outward, week=week)
    if counts.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            SearchCount.objects.create(outward=outward, week=week, count=1)
    except IntegrityError:
        counts.update(count=F("count") + 1)
