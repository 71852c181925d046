"""Place names to a Location through geopy: optional, off by default (settings.GEOCODER).

Whatever goes wrong (service off, slow, down, no match), callers get one GeocodingError with a
message fit to show the person.
"""

from django.conf import settings
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
            f"We could not find a town or village called {text.strip()}. Check the spelling, "
            f"or enter a postcode, like {example}"
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
            f"We could not look up place names just now. Enter a postcode, like {example}"
        ) from error
    if found is None:
        raise GeocodingError(f"We could not find {text}. Enter a postcode, like {example}")
    return Location(text.strip(), found.latitude, found.longitude, PLACE)
