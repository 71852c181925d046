"""The snapshot's vectorised search agrees with a plain provider-by-provider reading of the rules.

Sixty varied providers are saved for the test; hypothesis then picks a place and filters, and every
result, every option's count and the order must match what the reference below works out from
the saved model instances, one provider at a time.
"""

import math
import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as settings_module
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from places import geo
from places.models import Postcode, PostcodeArea
from places.postcodes import PostcodeValue
from providers.models import Audience, Check, CoverageDistrict, Provider, Service
from providers.services import provider_new_clients_set
from search import snapshot
from search.vocabulary import COST, FEATURE, WHEN

from ..factories import add_basic_checks, add_check, make_provider
from ..properties import examples

PLACES = ["CM1 1RW", "CM2 8QB", "CM1 6GB", "CO1 2FN", "CO4", "CM1", "SS14 2GL", "TA1 1NR"]
CATEGORIES = ["personal-care", "help-at-home", "carer-respite", "out-and-about"]
SERVICES = ["dressing", "cleaning", "gardening", "washing-and-bathing", "day-support"]
AUDIENCES = ["older-people", "dementia", "autism", "physical-disability"]


@pytest.fixture
def directory(postcodes):
    """Saved once per test; hypothesis examples only read it (hence the health check below)."""
    rng = random.Random(2026)
    codes = list(Postcode.objects.values_list("postcode", flat=True))
    services, audiences = list(Service.objects.all()), list(Audience.objects.all())
    today = timezone.localdate()
    for number in range(40):
        rate = Decimal(rng.choice([12, 15, 16, 20, 21, 25, 30]))  # and on each limit
        free = rng.random() < 0.2
        form, workers = rng.choice([("sole_trader", 1), ("sole_trader", 2), ("cic", 4)])
        provider = make_provider(
            name=rng.choice(["Ash", "beech", "Cedar", "alder"]) + f" {number}",
            base_postcode=rng.choice(codes),
            coverage_radius_miles=rng.choice([0, 1, 3, 5, 10, 20, 30]),
            services=rng.sample(services, rng.randint(0, 3)),
            audiences=rng.sample(audiences, rng.randint(0, 2)),
            is_free=free,
            hourly_rate_min=None if free or rng.random() < 0.2 else rate,
            accepts_direct_payments=rng.random() < 0.5,
            legal_form=form,
            workers=workers,
            available_weekdays=rng.random() < 0.8,
            available_evenings=rng.random() < 0.4,
            available_weekends=rng.random() < 0.4,
            available_overnight=rng.random() < 0.2,
            reviewed_on=rng.choice([None, today - timedelta(rng.randint(0, 400))]),
            status=rng.choice(["published"] * 4 + ["draft", "suspended"]),
            checks=False,
        )
        # Registered (in date, lapsing or lapsed), exempt, or neither: it matters for personal care.
        regulation = rng.choice(["none", "registered", "registered", "lapsed", "exempt"])
        if regulation in ("registered", "lapsed"):
            days = 300 if regulation == "registered" else rng.choice([-40, -5])
            add_check(provider, "registration", reference="1-1", expires_on=today + timedelta(days))
        elif regulation == "exempt":
            add_check(provider, "exemption")
        if rng.random() < 0.8:
            # In date, on the day, in the grace period (to its last day), or past it.
            days = rng.choice([-40, -29, -28, -1, 0, 0, 1, 30, 300])
            add_basic_checks(provider, expires_on=today + timedelta(days))
            # Then a later change, by each of the ways staff or code make one.
            kind = rng.choice(Check.BASIC_KINDS)
            change = rng.choice(["none", "none", "reject", "delete", "bulk delete", "bulk expire"])
            checks = Check.objects.filter(provider=provider, kind=kind)
            if change == "reject":
                check = checks.get()
                check.status = Check.Status.REJECTED
                check.save()
            elif change == "delete":
                checks.get().delete()
            elif change == "bulk delete":
                checks.delete()
            elif change == "bulk expire":
                checks.update(expires_on=today - timedelta(days=2))
        for outward in rng.sample(["CM1", "CM2", "CO1", "CO4", "SS14"], rng.randint(0, 2)):
            CoverageDistrict.objects.create(provider=provider, outward=outward)
        say_new_clients(rng, provider)
    # Listings sure to be public, a third of them in their grace period, sharing the places and
    # distance bands of others: where the order within a band matters.
    unregulated = [service for service in services if not service.category.regulated]
    for number in range(40, 60):
        provider = make_provider(
            name=rng.choice(["Ash", "beech", "Cedar", "alder"]) + f" {number}",
            base_postcode=rng.choice(codes),
            coverage_radius_miles=rng.choice([10, 20, 30]),
            services=rng.sample(unregulated, 1),
            hourly_rate_min=None,
            accepts_direct_payments=rng.random() < 0.5,
            checks=False,
        )
        days = rng.choice([-28, -10, -1, 0, 5, 29, 30, 300, 300])
        add_basic_checks(provider, expires_on=today + timedelta(days))
        say_new_clients(rng, provider)


def say_new_clients(rng, provider):
    """Nothing said, or an answer confirmed recently, on the 45th day, or longer ago."""
    answer = rng.choice(["", "taking", "taking", "waiting_list", "full"])
    if answer:
        days = rng.choice([0, 3, 45, 46, 90])
        now = timezone.now() - timedelta(days=days)
        provider_new_clients_set(provider=provider, new_clients=answer, via="link", now=now)


def new_clients(provider, today):
    """The answer the public sees, worked out the slow way: "" unless confirmed in 45 days."""
    confirmed = provider.new_clients_confirmed_at
    if not confirmed or (today - timezone.localdate(confirmed)).days > 45:
        return ""
    return provider.new_clients


def covers(provider, location):
    if location.outward and provider.districts.filter(outward=location.outward).exists():
        return True
    if not provider.coverage_radius_miles or provider.area_latitude is None:
        return False
    # Around the centre of the provider's postcode sector: the public point, never the base.
    sector = PostcodeArea.objects.get(code=PostcodeValue.parse(provider.base_postcode).sector)
    stretch = math.cos(math.radians(location.latitude))
    dx = (sector.longitude - location.longitude) * stretch * geo.MILES_PER_DEGREE
    dy = (sector.latitude - location.latitude) * geo.MILES_PER_DEGREE
    return math.hypot(dx, dy) <= provider.coverage_radius_miles


def public(provider, today, grace=None):
    """The publishing rules, read from the Check rows: published, and all four basic checks
    verified with none run out longer ago than the grace period (`grace` days)."""
    if provider.status != "published":
        return False
    verified = {c.kind: c for c in provider.checks.all() if c.status == "verified"}
    if set(verified) < set(Check.BASIC_KINDS):
        return False
    grace = settings_module.CHECK_GRACE_DAYS if grace is None else grace
    last_day = today - timedelta(days=grace)

    def holds(kind):
        return kind in verified and (
            verified[kind].expires_on is None or verified[kind].expires_on >= last_day
        )

    if not all(holds(kind) for kind in Check.BASIC_KINDS):
        return False
    # Personal care: registered, or a sole trader working alone with the exemption confirmed.
    if not any(service.category.regulated for service in provider.services.all()):
        return True
    alone = provider.legal_form == "sole_trader" and provider.workers == 1
    return holds("registration") or (alone and holds("exemption"))


def in_grace(provider, today):
    """Public only thanks to the grace period: a check it needs has run out."""
    return public(provider, today) and not public(provider, today, grace=0)


def band(words):
    """The distance a card shows, as a number to sort by: "about 3 miles" is 3."""
    return 0 if words == "less than a mile" else int(re.search(r"\d+", words)[0])


def last_checked(provider):
    """The latest day staff verified a check or recorded a full review, from those rows."""
    days = [c.verified_on for c in provider.checks.all() if c.verified_on]
    days += [review.reviewed_on for review in provider.reviews.all()]
    return max(days, default=None)


def registered(provider, today):
    return any(
        check.kind == "registration"
        and check.status == "verified"
        and (check.expires_on is None or check.expires_on >= today)
        for check in provider.checks.all()
    )


def basic_checks_current(provider, today):
    """Read from the Check rows themselves, not from the column derived from them."""
    current = {
        check.kind
        for check in provider.checks.all()
        if check.status == "verified" and (check.expires_on is None or check.expires_on >= today)
    }
    return current >= set(Check.BASIC_KINDS)


def facts(provider, today):
    """Everything a filter can ask of one provider, read the slow, obvious way."""
    services = list(provider.services.all())
    return {
        "category": {s.category.slug for s in services},
        "service": {s.slug for s in services},
        "audience": {a.slug for a in provider.audiences.all()},
        "cost": {
            value
            for value, _ in COST.choices
            if provider.is_free
            or (
                value != "free"
                and provider.hourly_rate_min is not None
                and provider.hourly_rate_min <= Decimal(value)
            )
        },
        "feature": {
            name
            for name, holds in [
                ("direct_payments", provider.accepts_direct_payments),
                ("registered", registered(provider, today)),
                ("checks", basic_checks_current(provider, today)),
                ("taking", new_clients(provider, today) == "taking"),
            ]
            if holds
        },
        "when": set(provider.availability),
    }


def passes(fact, filters, skip=None):
    for group in ["category", "service", "audience", "cost"]:  # any ticked one
        ticked = getattr(filters, group)
        if group != skip and ticked and not ticked & fact[group]:
            return False
    return filters.feature <= fact["feature"] and filters.when <= fact["when"]


def reference(location, filters, today):
    covering = [
        (p, facts(p, today))
        for p in Provider.objects.all()
        if public(p, today) and covers(p, location)
    ]
    results = {p.pk for p, fact in covering if passes(fact, filters)}
    counts = {}
    for group in ["category", "service", "audience", "cost"]:
        counts[group] = {}
        for _, fact in covering:
            if passes(fact, filters, skip=group):
                for value in fact[group]:
                    counts[group][value] = counts[group].get(value, 0) + 1
    for group in ["feature", "when"]:
        counts[group] = {}
        for p, fact in covering:
            if p.pk in results:
                for value in fact[group]:
                    counts[group][value] = counts[group].get(value, 0) + 1
    return results, counts


def nonzero(counts):
    return {group: {k: v for k, v in values.items() if v} for group, values in counts.items()}


def some(values):
    """Half the time nothing ticked, so most examples still have results to compare."""
    return st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(values), max_size=2))


filter_sets = st.builds(
    snapshot.Filters,
    category=some(CATEGORIES),
    service=some(SERVICES),
    audience=some(AUDIENCES),
    cost=st.one_of(
        st.just(frozenset()), st.sampled_from([frozenset({v}) for v, _ in COST.choices])
    ),
    feature=some([value for value, _ in FEATURE.choices]),
    when=some([value for value, _ in WHEN.choices]),
)


@settings(
    max_examples=examples(200),
    derandomize=True,  # the same examples on every run, so CI cannot pass by luck
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    place=st.sampled_from(PLACES),
    filters=filter_sets,
    sort=st.sampled_from(["distance", "name", "checked"]),
)
def test_snapshot_agrees_with_the_rules(directory, place, filters, sort):
    today = timezone.localdate()
    location = Postcode.objects.locate(place)
    current = snapshot.current()
    found = current.search(location, filters, sort=sort, today=today)
    results, counts = reference(location, filters, today)

    listed = current.hits(found.order, found.distance_sq)
    assert {item.pk for item in listed} == results
    facets = {group: values for group, values in found.facets.items() if group != "total"}
    assert nonzero(facets) == nonzero(counts)
    assert found.facets["total"] == len(results)

    providers = {p.pk: p for p in Provider.objects.filter(pk__in=results)}
    if sort == "distance":
        # Nearest first by the distance the card shows; in each band, a listing in its grace
        # period after every one whose checks are all current; then those taking new clients,
        # a waiting list, not said lately, full; then by the exact distance.
        rank = {"taking": 0, "waiting_list": 1, "": 2, "full": 3}
        keys = [
            (
                band(geo.distance_words(item.distance_sq)),
                in_grace(providers[item.pk], today),
                rank[new_clients(providers[item.pk], today)],
                item.distance_sq,
            )
            for item in listed
        ]
        assert keys == sorted(keys)
    elif sort == "name":
        keys = [providers[item.pk].name.casefold() for item in listed]
        assert keys == sorted(keys)
    else:
        days = [last_checked(providers[item.pk]) for item in listed]
        dated = [day for day in days if day is not None]
        assert dated == sorted(dated, reverse=True)
        assert days == dated + [None] * (len(days) - len(dated))  # never checked come last
