from django import template

from .. import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def page_description(context):
    """The page's meta description, from its URL name (directory.seo.DESCRIPTIONS)."""
    request = context.get("request")
    return seo.page_description(seo.view_name(request), context)
