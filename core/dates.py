"""How a day is written in sentences: "3 March 2026"."""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format


def day_words(value):
    """A date, or a time as its local day, written as "3 March 2026" in the active language (the
    staff pages, the daily run and the registers' notes run in English)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")
