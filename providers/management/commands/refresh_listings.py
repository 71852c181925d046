from django.core.management.base import BaseCommand

from providers.changes import listings_refresh_all


class Command(BaseCommand):
    help = (
        "Work out every listing's derived columns again (checks, map points) from its checks and "
        "base postcode, and tell search the directory changed. Run after importing new postcode "
        "data, or to repair anything a failure left behind. Safe to run at any time."
    )

    def handle(self, *args, verbosity=1, **options):
        def progress(done, total):
            if verbosity:
                self.stderr.write(f"\rListings: {done:,}/{total:,}", ending="")

        count = listings_refresh_all(progress=progress)
        if verbosity and count:
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Refreshed {count:,} listings."))
