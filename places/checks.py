"""`manage.py check`: the search examples the site shows must be searchable.

Skipped while the tables are missing or empty (before the first migrate or import), since then
there is nothing to check them against yet.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError

from .postcodes import InvalidPostcode, PostcodeValue


@register("places")
def search_examples_exist(app_configs, **kwargs):
    from .models import Place, Postcode, PostcodeNotFound
    from .placenames import AmbiguousPlace, PlaceNotFound, find_place

    errors = []
    try:
        if Postcode.objects.exists():
            try:
                Postcode.objects.locate(PostcodeValue.parse(settings.SEARCH_EXAMPLE_POSTCODE))
            except (InvalidPostcode, PostcodeNotFound) as error:
                errors.append(
                    Error(
                        f"SEARCH_EXAMPLE_POSTCODE {settings.SEARCH_EXAMPLE_POSTCODE!r} cannot be "
                        f"searched: {getattr(error, 'message', error)}.",
                        hint="Set it to a real postcode in your area.",
                        id="places.E001",
                    )
                )
        if Place.objects.exists():
            try:
                find_place(settings.SEARCH_EXAMPLE_PLACE)
            except (PlaceNotFound, AmbiguousPlace) as error:
                ambiguous = isinstance(error, AmbiguousPlace)
                problem = "names more than one place" if ambiguous else "is not in the data"
                errors.append(
                    Error(
                        f"SEARCH_EXAMPLE_PLACE {settings.SEARCH_EXAMPLE_PLACE!r} {problem}.",
                        hint="Set it to a town in your area, with its county if needed.",
                        id="places.E002",
                    )
                )
    except DatabaseError:
        return []  # no tables yet: migrate has not run
    return errors
