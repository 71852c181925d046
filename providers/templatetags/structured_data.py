"""schema.org JSON-LD for `{% load structured_data %}`: `{{ data|json_ld }}`.

A <script type="application/ld+json"> is a data block: browsers never run it, so the strict
Content Security Policy (script-src 'self') does not apply to it. Its text is escaped as Django's
json_script escapes, so a listing's words cannot close the element or open another.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 - escaped above
