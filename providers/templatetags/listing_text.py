"""A listing's own words in the page's language, for `{% load listing_text %}`.

    <h1{{ provider|english_only:"name" }}>{{ provider|in_language:"name" }}</h1>

On a Welsh page the Welsh version (name_cy, summary_cy, description_cy) is shown when the
listing has one; otherwise the English, and `english_only` marks its element lang="en" so screen
readers pronounce it as English (WCAG 3.1.2).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from providers import models

register = template.Library()


def _showing_english_on_a_welsh_page(provider, field):
    return (
        get_language() == "cy"
        and bool(getattr(provider, field, ""))
        and not getattr(provider, f"{field}_cy", "")
    )


@register.filter
def in_language(provider, field):
    """`provider|in_language:"summary"`: the one rule (providers.models.in_language) on a field."""
    return models.in_language(getattr(provider, field, ""), getattr(provider, f"{field}_cy", ""))


@register.filter
def english_only(provider, field):
    if _showing_english_on_a_welsh_page(provider, field):
        return mark_safe(' lang="en"')  # noqa: S308 - a constant
    return ""
