"""Harvesting neighbours' feeds: every write to their copies is here."""

import time
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from .harvest import (
    FeedProblem,
    ModifiedAfterRefused,
    has_parts,
    one_service,
    public_service,
    services_pages,
)
from .models import NeighbourFeed, NeighbourService

FULL_EVERY = timedelta(days=7)  # an incremental read cannot see a service that was taken down
OVERLAP = timedelta(hours=1)  # read again what changed just before the last harvest began
FEED_SECONDS = 300  # longest we spend on one feed before giving up on it for today
DETAIL_FETCHES = 2000  # services fetched one by one from a feed whose list has no parts
FIELDS = [
    "name", "description", "organisation_name", "company_number", "url", "email", "phone",
    "accreditations", "assured_on", "postcode_district", "districts", "circles", "points",
    "south", "north", "west", "east", "last_modified", "harvested_at",
]  # fmt: skip


@dataclass
class Outcome:
    feed: NeighbourFeed
    ok: bool
    message: str
    full: bool = False
    stored: int = 0
    removed: int = 0
    skipped: int = 0


def feeds_configured():
    """A NeighbourFeed row for each feed in NEIGHBOUR_FEEDS (matched by URL), its name, licence
    and checks page brought up to date; in the settings' order."""
    feeds = []
    for config in settings.NEIGHBOUR_FEEDS:
        url = config["url"].rstrip("/")
        feed, created = NeighbourFeed.objects.get_or_create(
            url=url,
            defaults={
                "name": config["name"],
                "licence": config["licence"],
                "checks_url": config["checks_url"],
            },
        )
        changed = {
            field: config[field]
            for field in ("name", "licence", "checks_url")
            if getattr(feed, field) != config[field]
        }
        if changed and not created:
            for field, value in changed.items():
                setattr(feed, field, value)
            feed.save(update_fields=list(changed))
        feeds.append(feed)
    return feeds


def feed_validate(*, feed, timeout):
    """Our own validator's required checks (`manage.py validate_oruk`), or FeedProblem naming
    the checks that failed."""
    report = StringIO()
    try:
        call_command(
            "validate_oruk",
            feed.url,
            "--timeout",
            str(timeout),
            "--slow-seconds",
            str(max(timeout, 3)),
            stdout=report,
        )
    except CommandError:
        failed = [
            line.removeprefix("FAIL ")
            for line in report.getvalue().splitlines()
            if line.startswith("FAIL ")
        ]
        raise FeedProblem(
            "it fails the Open Referral UK checks: " + "; ".join(failed or ["no answer"])
        ) from None


def feed_harvest(*, feed, now, timeout=None, near_miles=None):
    """Validate a feed and store its services. A feed that fails the checks or does not answer
    changes nothing but its last error: yesterday's services stay."""
    timeout = timeout or settings.NEIGHBOUR_TIMEOUT
    near_miles = near_miles if near_miles is not None else settings.NEIGHBOUR_NEAR_MILES
    full = (
        feed.last_full_harvest_at is None
        or not feed.modified_after_works
        or now - feed.last_full_harvest_at >= FULL_EVERY
    )
    try:
        feed_validate(feed=feed, timeout=timeout)
        try:
            since = None if full else feed.last_harvested_at - OVERLAP
            rows, skipped = _read(feed, since=since, timeout=timeout, near_miles=near_miles)
        except ModifiedAfterRefused:
            feed.modified_after_works, full = False, True
            rows, skipped = _read(feed, since=None, timeout=timeout, near_miles=near_miles)
    except FeedProblem as problem:
        feed.last_tried_at, feed.last_error = now, str(problem)[:2000]
        feed.save(update_fields=["last_tried_at", "last_error", "modified_after_works"])
        return Outcome(feed, False, feed.last_error)
    with transaction.atomic():
        stored, removed = _store(feed, rows, now=now, full=full)
        feed.last_tried_at = feed.last_harvested_at = now
        if full:
            feed.last_full_harvest_at = now
        feed.last_error = ""
        feed.save()
    return Outcome(feed, True, "", full=full, stored=stored, removed=removed, skipped=skipped)


def _read(feed, *, since, timeout, near_miles):
    """{ORUK id: the public fields} of the feed's services (changed since `since`), and how many
    were skipped for want of an id or a name."""
    deadline = time.monotonic() + FEED_SECONDS
    rows, skipped, fetched = {}, 0, 0
    for item in services_pages(feed.url, timeout=timeout, since=since, deadline=deadline):
        if not has_parts(item) and item.get("id") and fetched < DETAIL_FETCHES:
            fetched += 1  # a feed that ignores full=true: ask for the service itself
            item = one_service(feed.url, item["id"], timeout=timeout)
        fields = public_service(item, near_miles=near_miles)
        if fields is None:
            skipped += 1
        else:
            rows[fields["oruk_id"]] = fields
    return rows, skipped


def _store(feed, rows, *, now, full):
    """Create or update the feed's copies; after a full read, remove those it no longer lists."""
    existing = dict(feed.services.values_list("oruk_id", "pk"))
    new, changed = [], []
    for oruk_id, fields in rows.items():
        service = NeighbourService(feed=feed, harvested_at=now, **fields)
        if oruk_id in existing:
            service.pk = existing[oruk_id]
            changed.append(service)
        else:
            new.append(service)
    NeighbourService.objects.bulk_create(new, batch_size=500)
    NeighbourService.objects.bulk_update(changed, FIELDS, batch_size=500)
    removed = 0
    if full:
        gone = [pk for oruk_id, pk in existing.items() if oruk_id not in rows]
        for start in range(0, len(gone), 500):
            removed += NeighbourService.objects.filter(pk__in=gone[start : start + 500]).delete()[0]
    return len(rows), removed
