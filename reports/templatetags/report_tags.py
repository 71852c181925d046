from django import template

register = template.Library()


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
