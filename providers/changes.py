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
2. It stores a new directory version token once per transaction, when it commits. Each web
   process tags its search snapshot (`search.snapshot`) and cached results pages with the token
   and rebuilds when the stored one differs. Until the commit, the change is `pending()` on this
   connection, and a search on the same connection (as in a test, which runs inside one
   transaction) reads the directory afresh instead of trusting a snapshot from before the change.

`listings_refresh_all` repairs every derived column, for example after a crash between a write
and its commit hook, or after importing new postcode data (`manage.py refresh_listings`).
"""

import logging
import threading
import uuid
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from places.postcodes import InvalidPostcode, PostcodeValue

from .models import (
    Audience,
    Check,
    CoverageDistrict,
    DirectoryVersion,
    Provider,
    Review,
    Service,
    ServiceCategory,
    basics_current_until,
    check_current_until,
    rows_updated,
    rules_met_until,
    sector_centre,
    works_alone,
)

logger = logging.getLogger(__name__)

CHUNK = 2000  # provider ids per query when refreshing many

_local = threading.local()  # per thread, as Django's connections are


# The version token ------------------------------------------------------------------------------


def _store_new_token():
    values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    if not DirectoryVersion.objects.filter(pk=1).update(**values):
        DirectoryVersion.objects.update_or_create(pk=1, defaults=values)


def _waiting_token():
    """The new-token callback this connection's open transaction holds, if any.

    Django keeps the callbacks of the open transaction in `run_on_commit` and drops those of a
    savepoint that rolls back, so this also forgets a change that was rolled back.
    """
    for _, callback, _ in connection.run_on_commit:
        if getattr(callback, "stores_new_token", False) and not callback.done:
            return callback
    return None


def _new_token_on_commit():
    if _waiting_token() is not None:
        return  # at most one new token per transaction

    def new_token():
        new_token.done = True
        _store_new_token()

    new_token.stores_new_token, new_token.done = True, False
    # Robust: the change itself has committed by then; a failure here only leaves snapshots
    # a little stale until the next change, and must not turn the request into an error.
    transaction.on_commit(new_token, robust=True)


def pending():
    """True while this connection holds directory changes that have not committed yet."""
    return _waiting_token() is not None


def current_token():
    """The stored version token. Plain SQL: every search reads it, and building the same ORM query
    each time costs more than running it."""
    table = connection.ops.quote_name(DirectoryVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 - our own table
        row = cursor.fetchone()
    return row[0] if row else None


def changed_at():
    """When the directory last changed (None before its first change)."""
    return DirectoryVersion.objects.filter(pk=1).values_list("changed_at", flat=True).first()


# What changed -----------------------------------------------------------------------------------


def directory_changed():
    """Something public changed that no provider column is derived from (services, districts,
    the taxonomy): only the version moves."""
    _new_token_on_commit()


def listings_changed(provider_ids, *, moved=False):
    """These providers' checks or rows changed; `moved` when their base postcode may have."""
    dirty = getattr(_local, "dirty", None)
    if dirty is not None:
        dirty["ids"].update(provider_ids)
        if moved:
            dirty["moved"].update(provider_ids)
    else:
        _refresh(provider_ids, moved=provider_ids if moved else ())
    _new_token_on_commit()


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
    _new_token_on_commit()
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
    it meets the publishing rules, and the last day staff checked anything."""
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
    Provider.objects.filter(pk=instance.provider_id).update_derived(version=F("version") + 1)
    listings_changed([instance.provider_id])


def _rows_updated(sender, provider_ids, fields, **kwargs):
    listings_changed(provider_ids, moved="base_postcode" in fields)


def _other_changed(sender, **kwargs):
    directory_changed()


def _providers_of(instance):
    services = Service.objects.filter(pk=instance.pk)
    if isinstance(instance, ServiceCategory):
        services = Service.objects.filter(category=instance)
    links = Provider.services.through.objects.filter(service__in=services)
    return list(links.values_list("provider_id", flat=True).distinct())


def _taxonomy_saved(sender, instance, **kwargs):
    """A service or category: whether its providers give personal care can follow it."""
    listings_changed(_providers_of(instance))


def _taxonomy_deleting(sender, instance, **kwargs):
    instance._providers_before_delete = _providers_of(instance)  # the links go with it


def _taxonomy_deleted(sender, instance, **kwargs):
    listings_changed(getattr(instance, "_providers_before_delete", []))


def _services_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:  # a service losing all its providers: note who
        instance._cleared_providers = list(instance.providers.values_list("pk", flat=True))
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        listings_changed([instance.pk])
    elif action == "post_clear":
        listings_changed(getattr(instance, "_cleared_providers", []))
    else:
        listings_changed(list(pk_set or ()))


def _audiences_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        directory_changed()


def connect():
    """Called once from `ProvidersConfig.ready`."""
    for signal, uid in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(_provider_saved_or_deleted, sender=Provider, dispatch_uid=f"changes-p-{uid}")
        for model in (Check, Review, CoverageDistrict):
            signal.connect(
                _part_saved_or_deleted, sender=model, dispatch_uid=f"changes-{model.__name__}-{uid}"
            )
        for model in (Audience,):
            signal.connect(
                _other_changed, sender=model, dispatch_uid=f"changes-{model.__name__}-{uid}"
            )
    for model in (Service, ServiceCategory):
        name = model.__name__
        post_save.connect(_taxonomy_saved, sender=model, dispatch_uid=f"changes-{name}-save")
        pre_delete.connect(_taxonomy_deleting, sender=model, dispatch_uid=f"changes-{name}-pre")
        post_delete.connect(_taxonomy_deleted, sender=model, dispatch_uid=f"changes-{name}-del")
    rows_updated.connect(_rows_updated, dispatch_uid="changes-rows-updated")
    m2m_changed.connect(
        _services_changed, sender=Provider.services.through, dispatch_uid="changes-services"
    )
    m2m_changed.connect(
        _audiences_changed, sender=Provider.audiences.through, dispatch_uid="changes-audiences"
    )
