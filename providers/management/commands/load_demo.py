from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from places.models import Postcode
from providers.demo import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    STAFF_PASSWORD,
    STAFF_USERNAME,
    demo_load,
    demo_postcodes,
)


class Command(BaseCommand):
    help = "Create or refresh the fictional demo listings and a demo staff login. Safe to re-run."

    def handle(self, *args, verbosity=1, **options):
        wanted = demo_postcodes()
        known = set(Postcode.objects.filter(postcode__in=wanted).values_list("postcode", flat=True))
        if missing := sorted(set(wanted) - known):
            raise CommandError(
                f"{len(missing)} demo postcodes are not loaded (for example {missing[0]}). "
                "Run `python manage.py import_postcodes` first."
            )

        def progress(done, total):
            if verbosity:
                self.stderr.write(f"\rDemo listings: {done}/{total}", ending="")

        count = demo_load(progress=progress)
        if verbosity:
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} demo listings."))
        if settings.DEBUG:
            self.stdout.write(f"Demo staff login: {STAFF_USERNAME} / {STAFF_PASSWORD}")
            self.stdout.write(f"Demo administrator login: {ADMIN_USERNAME} / {ADMIN_PASSWORD}")
        else:
            self.stdout.write(
                "No demo logins: they are made only with DEBUG on. Make staff accounts with "
                "`python manage.py createsuperuser` and the admin's Users page."
            )
