"""The service's and the council's names in the active language: their Welsh forms
(`SITE_NAME_CY`, `COUNCIL_NAME_CY`) on Welsh pages and in Welsh emails."""

from django.conf import settings
from django.utils.translation import get_language


def site_names():
    welsh = get_language() == "cy"
    return {
        "SITE_NAME": settings.SITE_NAME_CY if welsh else settings.SITE_NAME,
        "COUNCIL_NAME": settings.COUNCIL_NAME_CY if welsh else settings.COUNCIL_NAME,
    }
