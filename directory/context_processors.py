from django.conf import settings
from django.utils.translation import get_language

from core.names import site_names

from . import seo


def site(request):
    return {
        **site_names(),
        "COUNCIL_URL": settings.COUNCIL_URL,
        "CHECK_GRACE_DAYS": settings.CHECK_GRACE_DAYS,
        "COUNCIL_EMAIL": settings.COUNCIL_EMAIL,
        "EXAMPLE_POSTCODE": settings.SEARCH_EXAMPLE_POSTCODE,
        "EXAMPLE_PLACE": settings.SEARCH_EXAMPLE_PLACE,
    }


def languages(request):
    """This page in the other language, for the language link: the same page with the same
    search."""
    if not settings.WELSH:
        return {}
    here = get_language()
    path = request.get_full_path()
    return {
        "OTHER_LANGUAGES": [
            (code, name, seo.in_language(path, code))
            for code, name in settings.LANGUAGES
            if code != here
        ]
    }


def search_engines(request):
    """The page's canonical address and its hreflang alternates (both absolute), and whether it
    asks not to be indexed (directory.seo)."""
    name = seo.view_name(request)
    canonical = seo.canonical_path(request, name)
    return {
        "SEO": {
            "canonical": canonical and request.build_absolute_uri(canonical),
            "alternates": [
                (code, request.build_absolute_uri(path)) for code, path in seo.alternates(canonical)
            ]
            if canonical and settings.WELSH
            else [],
            "noindex": name in seo.NOINDEX,
        }
    }
