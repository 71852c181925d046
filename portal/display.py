"""Proposed changes in words: one row per field, what it was, what is asked for, and what the
listing has now if someone changed it meanwhile. In the language active when called."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from providers.models import Audience, Check, Provider, Service

from .services import M2M, current_value

NAMES = {"services": Service, "audiences": Audience}


def label(field):
    if field.startswith("check:"):
        kind = field.removeprefix("check:")
        label = Check.Kind(kind).label if kind in Check.Kind.values else kind
        return _("%(check)s: new expiry date") % {"check": label}
    return str(Provider._meta.get_field(field).verbose_name).capitalize()


def words(field, value):
    if value in (None, "", []):
        return _("(none)")
    if field in M2M:
        names = dict(NAMES[field].objects.filter(slug__in=value).values_list("slug", "name"))
        return ", ".join(names.get(slug, slug) for slug in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field.startswith("hourly_rate"):
        try:
            return f"£{Decimal(value):.2f}"
        except InvalidOperation:
            return str(value)
    if field.startswith("check:"):
        return date_format(date.fromisoformat(value), "j F Y")
    return str(value)


def diff_rows(proposal):
    """[(label, was, asked for, now or None if unchanged since)] for a proposal."""
    rows = []
    for field, change in proposal.changes.items():
        now = current_value(proposal.provider, field)
        rows.append(
            (
                label(field),
                words(field, change["old"]),
                words(field, change["new"]),
                words(field, now) if now != change["old"] else None,
            )
        )
    return rows
