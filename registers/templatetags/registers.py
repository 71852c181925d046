from django import template

from registers import selectors

register = template.Library()


@register.simple_tag
def register_panel(provider):
    """{% register_panel provider as panel %}: what the registers say, for officers."""
    return selectors.register_panel(provider)


@register.simple_tag
def register_confirmation(provider):
    """{% register_confirmation provider as confirmed %}: the day the CQC register last confirmed
    the listing's current registration, or None."""
    return selectors.public_confirmation(provider)
