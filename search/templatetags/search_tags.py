from django import template

register = template.Library()


@register.filter
def count_for(counts, key):
    """A facet count for an option value (model choices arrive wrapped, so compare as text)."""
    return counts.get(str(key), 0) if counts else 0
