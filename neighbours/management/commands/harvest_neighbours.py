from django.core.management.base import BaseCommand
from django.utils import timezone

from core.dates import day_words
from neighbours.services import feed_harvest, feeds_configured


class Command(BaseCommand):
    help = (
        "Read each neighbouring council's Open Referral UK 3.0 feed named in NEIGHBOUR_FEEDS: "
        "check it with our own validator (validate_oruk), then store its services' public "
        "fields with the source, licence and date. Only what changed since the last harvest "
        "where the feed allows (modified_after), in full once a week. A feed that fails the "
        "checks, is slow or is down is skipped with the reason, and its last harvest is kept. "
        "Run by `manage.py daily`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, help="seconds per request (NEIGHBOUR_TIMEOUT)")

    def handle(self, *args, timeout=None, **options):
        feeds = feeds_configured()
        if not feeds:
            self.stdout.write("No neighbouring councils' feeds in NEIGHBOUR_FEEDS: nothing to do.")
            return
        now = timezone.now()
        harvested = 0
        for number, feed in enumerate(feeds, start=1):
            self.stdout.write(f"[{number}/{len(feeds)}] {feed.name}: checking {feed.url} ...")
            outcome = feed_harvest(feed=feed, now=now, timeout=timeout)
            if outcome.ok:
                harvested += 1
                kind = "in full" if outcome.full else "changes only (modified_after)"
                self.stdout.write(
                    f"[{number}/{len(feeds)}] {feed.name}: read {kind}, stored {outcome.stored} "
                    f"service{'s' * (outcome.stored != 1)}, removed {outcome.removed}"
                    + (
                        f", skipped {outcome.skipped} without an id or name"
                        if outcome.skipped
                        else ""
                    )
                    + "."
                )
                continue
            kept = feed.services.count()
            when = day_words(feed.last_harvested_at) if feed.last_harvested_at else None
            self.stdout.write(
                self.style.WARNING(
                    f"[{number}/{len(feeds)}] {feed.name}: skipped, {outcome.message}. "
                    + (
                        f"Kept the {kept} service{'s' * (kept != 1)} harvested on {when}."
                        if when
                        else "Nothing harvested from it yet."
                    )
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"Harvested {harvested} of {len(feeds)} neighbouring feeds.")
        )
