from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "COUNCIL_URL": settings.COUNCIL_URL,
        "CHECK_GRACE_DAYS": settings.CHECK_GRACE_DAYS,
        "COUNCIL_EMAIL": settings.COUNCIL_EMAIL,
        "EXAMPLE_POSTCODE": settings.SEARCH_EXAMPLE_POSTCODE,
        "EXAMPLE_PLACE": settings.SEARCH_EXAMPLE_PLACE,
    }
