from django import template

from ..toggle import Toggles

register = template.Library()


@register.simple_tag(takes_context=True)
def shortlist_toggle(context, provider):
    """{% shortlist_toggle provider %}: needs `request` and `shortlist_ids` in the context."""
    return Toggles(context["request"], context["shortlist_ids"]).html(provider.pk, provider.name)
