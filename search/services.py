"""Writes made by searching. Keyword-only, named <thing>_<action>."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SearchCount


def search_count_add(*, outward, today=None):
    """Count one search in a postcode district this week: an update, or an insert the first
    time (a concurrent first insert loses the race and updates instead)."""
    if not outward:
        return  # a place name: no district to count
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
