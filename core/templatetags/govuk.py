"""Filters for GOV.UK Design System markup, used by `templates/includes/field.html`."""

from django import template
from django.forms import CheckboxSelectMultiple, RadioSelect, Textarea
from django.utils.html import format_html

register = template.Library()


@register.filter
def govuk_kind(field):
    """Which GOV.UK component draws this bound field: radios, checkboxes, textarea or input."""
    widget = field.field.widget
    if isinstance(widget, CheckboxSelectMultiple):  # a subclass of RadioSelect: ask first
        return "checkboxes"
    if isinstance(widget, RadioSelect):
        return "radios"
    if isinstance(widget, Textarea):
        return "textarea"
    return "input"


@register.filter
def visible_nul(value):
    """Show a NUL character as U+FFFD (what a browser shows anyway) instead of sending a raw NUL:
    the person's text is redisplayed whole, and the error message can point at the character."""
    if value is None:
        return ""
    return str(value).replace("\x00", "\ufffd")


@register.filter
def thousands(value):
    """2000 -> "2,000", as GOV.UK style writes numbers."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def count_for(counts, key):
    """The count beside an option (model choices arrive wrapped, so compare as text)."""
    return counts.get(str(key), 0) if counts else 0


@register.simple_tag
def describedby(field_id, *, info=False, hint=False, error=False):
    """The aria-describedby attribute for the parts a field shows, or nothing."""
    parts = [("info", info), ("hint", hint), ("error", error)]
    ids = " ".join(f"{field_id}-{name}" for name, shown in parts if shown)
    return format_html(' aria-describedby="{}"', ids) if ids else ""


@register.simple_tag
def shown_errors(field, hide=False):
    """The field's errors, or none where the page explains bad values itself."""
    return [] if hide else field.errors
