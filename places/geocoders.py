"""Place names to a Location through geopy: optional, off by default (settings.GEOCODER).

Whatever goes wrong (service off, slow, down, no match), callers get one GeocodingError with a
message fit to show the person.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from geopy.exc import GeopyError
from geopy.geocoders import get_geocoder_for_service

from .models import PLACE, Location


class GeocodingError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def geocode_place(text):
    """A place name the `Place` table does not have, from the configured geocoding service."""
    example = settings.SEARCH_EXAMPLE_POSTCODE
    if not settings.GEOCODER:
        raise GeocodingError(
            _(
                "We could not find a town or village called %(place)s. Check the spelling, "
                "or enter a postcode, like %(example)s"
            )
            % {"place": text.strip(), "example": example}
        )
    try:
        service = get_geocoder_for_service(settings.GEOCODER)
        options = {"user_agent": settings.GEOCODER_USER_AGENT, "timeout": settings.GEOCODER_TIMEOUT}
        if settings.GEOCODER_DOMAIN:
            options.update(domain=settings.GEOCODER_DOMAIN, scheme=settings.GEOCODER_SCHEME)
        geocoder = service(**options)
        extra = {"country_codes": "gb"} if settings.GEOCODER == "nominatim" else {}
        found = geocoder.geocode(text, exactly_one=True, **extra)
    except (GeopyError, OSError, ValueError) as error:
        raise GeocodingError(
            _("We could not look up place names just now. Enter a postcode, like %(example)s")
            % {"example": example}
        ) from error
    if found is None:
        raise GeocodingError(
            _("We could not find %(place)s. Enter a postcode, like %(example)s")
            % {"place": text, "example": example}
        )
    return Location(text.strip(), found.latitude, found.longitude, PLACE)
