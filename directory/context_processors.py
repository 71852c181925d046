from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from core.names import site_names


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
    """This page in each language, for the language link and the hreflang alternates: the same
    page with the same search."""
    if not settings.WELSH:
        return {}
    here = get_language()
    path = request.get_full_path()
    alternates = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
    return {
        "LANGUAGE_ALTERNATES": alternates,
        "OTHER_LANGUAGES": [item for item in alternates if item[0] != here],
    }
