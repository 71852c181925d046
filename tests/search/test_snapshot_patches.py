"""A snapshot brought up to date from the change log answers every search exactly as one built
afresh: the same results in the same order, the same counts, the same map and the same places.

Sixty random changes, of every kind staff, providers and code make, each committed (its commit
hooks run, as in production). After each, the process's snapshot is patched, never rebuilt, and
is compared with a fresh build on places, filters and sort orders that cover every column.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from places.models import Postcode
from providers.models import Audience, Check, CoverageDistrict, Provider, Service, ServiceCategory
from search import snapshot

from ..factories import add_basic_checks, add_check, make_provider

PLACES = ["CM1 1RW", "CM2 8QB", "CO1 2FN", "CO4", "SS14 2GL", "TA1 1NR", "CM1"]
FILTERS = [
    snapshot.Filters(),
    snapshot.Filters(category=frozenset({"personal-care", "help-at-home"})),
    snapshot.Filters(service=frozenset({"cleaning"}), cost=frozenset({"20"})),
    snapshot.Filters(audience=frozenset({"dementia"}), feature=frozenset({"checks"})),
    snapshot.Filters(cost=frozenset({"free"}), when=frozenset({"weekends"})),
    snapshot.Filters(feature=frozenset({"direct_payments", "registered", "welsh"})),
]
NAMES = ["Ash", "beech", "Cedar", "alder", "Ash"]  # repeated names sort by id


@pytest.fixture
def directory(postcodes, committed):
    rng = random.Random(17)
    with committed():
        for number in range(25):
            make_listing(rng, number)
    return rng


def make_listing(rng, number):
    codes = list(Postcode.objects.values_list("postcode", flat=True))
    services, audiences = list(Service.objects.all()), list(Audience.objects.all())
    free = rng.random() < 0.2
    return make_provider(
        name=f"{rng.choice(NAMES)} {number}",
        base_postcode=rng.choice(codes),
        town=rng.choice(["Chelmsford", "Colchester", "", "Taunton"]),
        coverage_radius_miles=rng.choice([0, 1, 5, 10, 30]),
        services=rng.sample(services, rng.randint(0, 3)),
        audiences=rng.sample(audiences, rng.randint(0, 2)),
        is_free=free,
        hourly_rate_min=None if free else rng.choice([None, 15, 20, 25]),
        accepts_direct_payments=rng.random() < 0.5,
        welsh_spoken=rng.random() < 0.2,
        available_weekends=rng.random() < 0.4,
        legal_form="cic",
        workers=3,
        registered="1-1" if rng.random() < 0.5 else None,
    )


def change(rng, today):
    """One change, chosen at random, of a kind the directory sees."""
    providers = list(Provider.objects.order_by("pk"))
    provider = rng.choice(providers)
    kind = rng.choice(
        [
            "rename",
            "unpublish",
            "republish",
            "move",
            "radius",
            "services",
            "audiences",
            "district",
            "undistrict",
            "expire",
            "renew",
            "new",
            "delete",
            "bulk update",
            "taxonomy",
            "flags",
        ]
    )
    if kind == "rename":
        provider.name = f"{rng.choice(NAMES)} {rng.randint(100, 999)}"
        provider.save()
    elif kind == "unpublish":
        provider.status = rng.choice(["suspended", "archived", "draft"])
        provider.save()
    elif kind == "republish":
        provider.status = "published"
        provider.save()
    elif kind == "move":
        provider.base_postcode = rng.choice(
            list(Postcode.objects.values_list("postcode", flat=True))
        )
        provider.town = rng.choice(["Chelmsford", "Basildon", ""])
        provider.save()
    elif kind == "radius":
        provider.coverage_radius_miles = rng.choice([0, 2, 20, 50])
        provider.save()
    elif kind == "services":
        provider.services.set(rng.sample(list(Service.objects.all()), rng.randint(0, 3)))
    elif kind == "audiences":
        provider.audiences.set(rng.sample(list(Audience.objects.all()), rng.randint(0, 2)))
    elif kind == "district":
        CoverageDistrict.objects.get_or_create(
            provider=provider, outward=rng.choice(["CM1", "CO1", "CO4", "SS14"])
        )
    elif kind == "undistrict":
        CoverageDistrict.objects.filter(provider=provider).delete()
    elif kind == "expire":  # past its grace period: no longer public
        Check.objects.filter(provider=provider, kind="dbs").update(
            verified_on=today - timedelta(days=400), expires_on=today - timedelta(days=60)
        )
    elif kind == "renew":
        Check.objects.filter(provider=provider).delete()
        add_basic_checks(provider, expires_on=today + timedelta(days=rng.choice([-3, 0, 90])))
        add_check(provider, "registration", reference="1-1")
    elif kind == "new":
        make_listing(rng, rng.randint(1000, 9999))
    elif kind == "delete":
        provider.delete()
    elif kind == "bulk update":
        chosen = rng.sample([p.pk for p in providers], 3)
        Provider.objects.filter(pk__in=chosen).update(is_free=False, hourly_rate_min=18)
    elif kind == "taxonomy":  # a new slug: a column the snapshot did not have
        category = rng.choice(list(ServiceCategory.objects.all()))
        category.slug = f"{category.slug.split('--')[0]}--{rng.randint(1, 99)}"
        category.save()
    else:
        provider.accepts_direct_payments = not provider.accepts_direct_payments
        provider.available_weekends = not provider.available_weekends
        provider.save()
    return kind


def answers(current, today):
    """Everything searches can ask of a snapshot, in terms that do not depend on row numbers."""
    out = {"towns": current.towns, "size": int(current.alive.sum())}
    for place in PLACES:
        location = Postcode.objects.locate(place)
        for number, filters in enumerate(FILTERS):
            for sort in ["distance", "name", "checked"]:
                found = current.search(location, filters, sort=sort, today=today)
                out[place, number, sort] = current.hits(found.order, found.distance_sq)
            out[place, number, "facets"] = found.facets
            out[place, number, "covering"] = sorted(current.pks(found.covering))
            areas, points = current.map_points(found.order, today)
            # Areas by place, not row number: a row based there is any of the area's listings.
            out[place, number, "map"] = [
                (areas[point.area][:3], point._replace(area=None)) for point in points
            ]
            out[place, number, "nearest"] = current.nearest(
                location, 25, filters, today=today, exclude=found.covering, limit=5
            )
    return out


def test_a_patched_snapshot_answers_as_a_fresh_one(directory, committed, today):
    rng = directory
    first = snapshot.current()
    assert first.built
    kinds = set()
    for _ in range(60):
        with committed():
            kinds.add(change(rng, today))
        patched = snapshot.current()
        assert not patched.built, "brought up to date from the log, not rebuilt"
        assert patched.version.number > first.version.number
        assert answers(patched, today) == answers(snapshot.Snapshot.build(), today)
    assert len(kinds) == 16  # every kind of change was tried


def test_the_day_turning_drops_listings_whose_grace_has_run_out(directory, committed, today):
    provider = Provider.public_objects.first()
    with committed():
        Check.objects.filter(provider=provider, kind="insurance").update(
            verified_on=today - timedelta(days=400),
            expires_on=today - timedelta(days=28),  # the last day of its grace period
        )
    before = snapshot.current()
    assert provider.pk in before.pks(before.by_latitude)
    tomorrow = today + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *args: tomorrow)
        later = snapshot.current()
        assert not later.built
        assert later.day == tomorrow
        assert provider.pk not in later.pks(later.by_latitude)
        assert answers(later, tomorrow) == answers(snapshot.Snapshot.build(), tomorrow)
