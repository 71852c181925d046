"""The one owner of "the directory changed".

Every way a listing's public facts can change ends up here:
- saves and deletes of providers, checks, reviews, covered districts and the taxonomy, including the
  admin's "Delete selected", cascades and `loaddata` (Django's model signals, connected below);
- `update()` on providers and checks (`rows_updated`, sent by their querysets);
- changes to a provider's services and audiences (`m2m_changed`);
- bulk writes that bypass the ORM (the benchmark's builder, imports), which call
  `listings_changed` themselves.

For each change this module does two things:
1. It recomputes the changed providers' derived columns (`basic_checks_current_until` and
   `last_checked_on` from their `Check` and `Review` rows, and the public point when the base
   postcode changed), inside the writer's
   transaction, so a derived column never disagrees with the rows committed beside it. Inside
   `collecting()` the work waits for the end of the block and is done once, set-based.
2. It stores a new directory version once per transaction, when it commits, with an entry in the
   change log (`DirectoryChange`) naming every listing the transaction touched. Each web process
   tags its search snapshot (`search.snapshot`) and cached results pages with the version, and
   when the stored one differs re-reads just the listings the log names since. Until the commit,
   the change is `pending()` on this connection, and a search on the same connection (as in a
   test, which runs inside one transaction) reads the directory afresh instead of trusting a
   snapshot from before the change.

`listings_refresh_all` repairs every derived column, for example after a crash between a write
and its commit hook, or after importing new postcode data (`manage.py refresh_listings`).
"""

import logging
import threading
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from places.postcodes import InvalidPostcode, PostcodeValue

from .models import (
    Audience,
    Check,
    CoverageDistrict,
    DirectoryChange,
    DirectoryVersion,
    Provider,
    Review,
    Service,
    ServiceCategory,
    rows_updated,
    sector_centre,
    works_alone,
)
from .rules import basics_current_until, check_current_until, rules_met_until

logger = logging.getLogger(__name__)

CHUNK = 2000  # provider ids per query when refreshing many

_local = threading.local()  # per thread, as Django's connections are


# The version token and the change log -----------------------------------------------------------

LOG_DAYS = 2  # change log entries older than this are pruned; a process further behind rebuilds
LIST_AT_MOST = 2000  # listings one log entry names; a bigger change says "everything"


class Version(NamedTuple):
    number: int  # 0 before the directory's first change
    token: str | None


def _store_new_token(ids, everything):
    """Take the next version number and log what changed, in one short transaction of its own.

    Taking the number locks the version row until this commits, so entries commit in number
    order: a process that has read version N can trust that entries 1..N are all there.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    everything = everything or len(ids) > LIST_AT_MOST
    with transaction.atomic():
        values = {"token": token, "changed_at": now, "number": F("number") + 1}
        if not DirectoryVersion.objects.filter(pk=1).update(**values):
            DirectoryVersion.objects.get_or_create(pk=1, defaults={"token": token})
            DirectoryVersion.objects.filter(pk=1).update(**values)
        number = DirectoryVersion.objects.values_list("number", flat=True).get(pk=1)
        DirectoryChange.objects.create(
            number=number,
            token=token,
            changed_at=now,
            provider_ids=[] if everything else sorted(ids),
            everything=everything,
        )
    if number % 100 == 0:  # now and then, forget what every process has long caught up with
        DirectoryChange.objects.filter(changed_at__lt=now - timedelta(days=LOG_DAYS)).delete()


def _waiting_token():
    """The new-token callback this connection's open transaction holds, if any.

    Django keeps the callbacks of the open transaction in `run_on_commit` and drops those of a
    savepoint that rolls back, so this also forgets a change that was rolled back.
    """
    for _, callback, _ in connection.run_on_commit:
        if getattr(callback, "stores_new_token", False) and not callback.done:
            return callback
    return None


def _new_token_on_commit(provider_ids=(), *, everything=False):
    """Note what changed; when the transaction commits, store a new version and log the listings
    (at most once per transaction, naming every listing any part of it changed)."""
    if (waiting := _waiting_token()) is not None:
        waiting.ids.update(provider_ids)
        waiting.everything |= everything
        return

    def new_token():
        new_token.done = True
        _store_new_token(new_token.ids, new_token.everything)

    new_token.stores_new_token, new_token.done = True, False
    new_token.ids, new_token.everything = set(provider_ids), everything
    # Robust: the change itself has committed by then; a failure here only leaves snapshots
    # a little stale until the next change, and must not turn the request into an error.
    # (Outside a transaction, Django runs it at once.)
    transaction.on_commit(new_token, robust=True)


def pending():
    """True while this connection holds directory changes that have not committed yet."""
    return _waiting_token() is not None


def current_version():
    """The stored version. Plain SQL: every search reads it, and building the same ORM query each
    time costs more than running it."""
    table = connection.ops.quote_name(DirectoryVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, token FROM {table} WHERE id = 1")  # noqa: S608 - ours
        row = cursor.fetchone()
    return Version(*row) if row else Version(0, None)


def current_token():
    return current_version().token


def changed_at():
    """When the directory last changed (None before its first change)."""
    return DirectoryVersion.objects.filter(pk=1).values_list("changed_at", flat=True).first()


class Since(NamedTuple):
    """What changed between two versions, from the log."""

    ids: frozenset  # the listings to read again
    everything: bool  # too much to list, or the log no longer goes back that far: rebuild
    diverged: bool  # the older version is not in this database's history: rebuild now


def changes_since(old, new):
    """The listings changed after version `old` up to version `new` (both `Version`s)."""
    if new.number < old.number or (new.number == old.number and new.token != old.token):
        return Since(frozenset(), everything=True, diverged=True)
    entries = DirectoryChange.objects.filter(number__gte=old.number, number__lte=new.number)
    ids, numbers, everything = set(), set(), False
    for number, token, provider_ids, entire in entries.values_list(
        "number", "token", "provider_ids", "everything"
    ):
        if number == old.number:
            if token != old.token:  # the same number, another history: a restore, or a test
                return Since(frozenset(), everything=True, diverged=True)
            continue
        numbers.add(number)
        ids.update(provider_ids)
        everything |= entire
    # Entries missing: pruned while this process was idle for days. Nothing is lost but time.
    complete = len(numbers) == new.number - old.number
    return Since(frozenset(ids), everything=everything or not complete, diverged=False)


# What changed -----------------------------------------------------------------------------------


def listings_changed(provider_ids, *, moved=False):
    """These providers' checks or rows changed; `moved` when their base postcode may have."""
    dirty = getattr(_local, "dirty", None)
    if dirty is not None:
        dirty["ids"].update(provider_ids)
        if moved:
            dirty["moved"].update(provider_ids)
    else:
        _refresh(provider_ids, moved=provider_ids if moved else ())
    _new_token_on_commit(provider_ids)


@contextmanager
def collecting():
    """Bulk writes: inside the block, changes only note which providers changed; at its end (still
    inside the caller's transaction) each is refreshed once. Nested blocks join the outer one."""
    if getattr(_local, "dirty", None) is not None:
        yield
        return
    _local.dirty = {"ids": set(), "moved": set()}
    try:
        yield
        dirty = _local.dirty
    finally:
        _local.dirty = None
    _refresh(dirty["ids"], moved=dirty["moved"])


def listings_refresh_all(*, progress=None):
    """Recompute every provider's derived columns and move the version; returns how many."""
    ids = list(Provider.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _refresh(ids[start : start + CHUNK], moved=ids[start : start + CHUNK])
        if progress:
            progress(min(start + CHUNK, len(ids)), len(ids))
    _new_token_on_commit(ids)
    return len(ids)


# Derived columns --------------------------------------------------------------------------------


def _refresh(provider_ids, *, moved=()):
    ids = sorted(set(provider_ids))
    moved = set(moved)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        _refresh_checks(chunk)
        if moved := [pk for pk in chunk if pk in moved]:
            _refresh_points(moved)


def _refresh_checks(ids):
    """Every column derived from a provider's checks, reviews and services: whether it gives
    personal care, the day its basic checks and its registration stop being current, the last day
    it meets the publishing rules (`rules.rules_met_until`), and the last day staff checked
    anything."""
    rows, checked, until = defaultdict(list), defaultdict(list), defaultdict(dict)
    checks = Check.objects.filter(provider_id__in=ids).values_list(
        "provider_id", "kind", "status", "expires_on", "verified_on"
    )
    for pk, kind, status, expires_on, verified_on in checks:
        rows[pk].append((kind, status, expires_on))
        until[pk][kind] = check_current_until(status, expires_on)
        if verified_on:
            checked[pk].append(verified_on)
    reviews = Review.objects.filter(provider_id__in=ids).values_list("provider_id", "reviewed_on")
    for pk, reviewed_on in reviews:
        checked[pk].append(reviewed_on)
    personal_care = set(
        Provider.services.through.objects.filter(
            provider_id__in=ids, service__category__regulated=True
        ).values_list("provider_id", flat=True)
    )
    stored = Provider.objects.filter(pk__in=ids).values_list(
        "pk", "legal_form", "workers", *DERIVED
    )
    changed = defaultdict(list)  # new values: ids, so a bulk change is a few UPDATEs
    for pk, legal_form, workers, *old in stored:
        basics = basics_current_until(rows[pk])
        registered = until[pk].get(Check.Kind.REGISTRATION)
        new = (
            basics,
            max(checked[pk], default=None),
            pk in personal_care,
            registered,
            rules_met_until(
                basics_until=basics,
                gives_personal_care=pk in personal_care,
                alone=works_alone(legal_form, workers),
                registered_until=registered,
                exempt_until=until[pk].get(Check.Kind.EXEMPTION),
            ),
        )
        if new != tuple(old):
            changed[new].append(pk)
    for values, pks in changed.items():
        Provider.objects.filter(pk__in=pks).update_derived(
            **dict(zip(DERIVED, values, strict=True))
        )


DERIVED = [
    "basic_checks_current_until",
    "last_checked_on",
    "gives_personal_care",
    "registered_until",
    "rules_met_until",
]


def _refresh_points(ids):
    """The public point again from the base postcode, after an `update()` of it (a save works
    it out itself, in `Provider.geocode`)."""
    for pk, base in Provider.objects.filter(pk__in=ids).values_list("pk", "base_postcode"):
        try:
            sector = PostcodeValue.parse(base).sector
        except InvalidPostcode:
            logger.warning("Provider %s has a base postcode we cannot read", pk)
            continue
        latitude, longitude = sector_centre(sector)
        Provider.objects.filter(pk=pk).update_derived(
            area_sector=sector or "", area_latitude=latitude, area_longitude=longitude
        )


# Receivers --------------------------------------------------------------------------------------


def _provider_saved_or_deleted(sender, instance, **kwargs):
    listings_changed([instance.pk])


def _part_saved_or_deleted(sender, instance, **kwargs):
    """A check, district or review: its provider's derived columns follow, and its version moves
    (the listing's page shows them, so a page loaded before this is out of date)."""
    _listings_touched([instance.provider_id])


def _listings_touched(provider_ids):
    """A change the provider rows do not record themselves (their services, audiences, checks, or
    the names of their services): their versions move, as a save would move them."""
    if provider_ids:
        Provider.objects.filter(pk__in=provider_ids).update_derived(version=F("version") + 1)
    listings_changed(provider_ids)


def _rows_updated(sender, provider_ids, fields, **kwargs):
    listings_changed(provider_ids, moved="base_postcode" in fields)


def _providers_of(instance):
    if isinstance(instance, Audience):
        links = Provider.audiences.through.objects.filter(audience=instance)
    else:
        services = Service.objects.filter(pk=instance.pk)
        if isinstance(instance, ServiceCategory):
            services = Service.objects.filter(category=instance)
        links = Provider.services.through.objects.filter(service__in=services)
    return list(links.values_list("provider_id", flat=True).distinct())


def _taxonomy_saved(sender, instance, **kwargs):
    """A service, category or audience: its providers' cards show its name, and whether they give
    personal care can follow it."""
    _listings_touched(_providers_of(instance))


def _taxonomy_deleting(sender, instance, **kwargs):
    instance._providers_before_delete = _providers_of(instance)  # the links go with it


def _taxonomy_deleted(sender, instance, **kwargs):
    _listings_touched(getattr(instance, "_providers_before_delete", []))


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A provider's services or audiences, changed from either end."""
    if action == "pre_clear" and reverse:  # a service losing all its providers: note who
        instance._cleared_providers = list(instance.providers.values_list("pk", flat=True))
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        _listings_touched([instance.pk])
        instance.refresh_from_db(fields=["version"])
    elif action == "post_clear":
        _listings_touched(getattr(instance, "_cleared_providers", []))
    else:
        _listings_touched(list(pk_set or ()))


def connect():
    """Called once from `ProvidersConfig.ready`."""
    for signal, uid in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(_provider_saved_or_deleted, sender=Provider, dispatch_uid=f"changes-p-{uid}")
        for model in (Check, Review, CoverageDistrict):
            signal.connect(
                _part_saved_or_deleted, sender=model, dispatch_uid=f"changes-{model.__name__}-{uid}"
            )
    for model in (Service, ServiceCategory, Audience):
        name = model.__name__
        post_save.connect(_taxonomy_saved, sender=model, dispatch_uid=f"changes-{name}-save")
        pre_delete.connect(_taxonomy_deleting, sender=model, dispatch_uid=f"changes-{name}-pre")
        post_delete.connect(_taxonomy_deleted, sender=model, dispatch_uid=f"changes-{name}-del")
    rows_updated.connect(_rows_updated, dispatch_uid="changes-rows-updated")
    for through in (Provider.services.through, Provider.audiences.through):
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"changes-{through}")
