from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from places.models import Postcode, PostcodeArea, PostcodeNotFound
from providers.models import Check, Provider, Service, ServiceCategory
from providers.rules import check_current_until

from ..factories import add_basic_checks, add_check, make_provider


def violates_constraint(**overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_provider(**overrides)


def test_taxonomy_is_seeded_from_the_design(db):
    names = set(ServiceCategory.objects.values_list("name", flat=True))
    assert names == {"Personal care", "Help at home", "Carer respite", "Out and about"}
    assert Service.objects.filter(category__slug="personal-care", name="Dressing").exists()


def test_workers_must_be_between_1_and_8(postcodes):
    violates_constraint(workers=9)
    violates_constraint(workers=0)
    assert make_provider(workers=8).workers == 8


def test_radius_at_most_50_miles(postcodes):
    violates_constraint(coverage_radius_miles=51)


def test_free_with_a_rate_is_rejected(postcodes):
    violates_constraint(is_free=True, hourly_rate_min=Decimal("15.00"))
    provider = Provider(
        name="X", is_free=True, hourly_rate_min=Decimal("15"), base_postcode="CM1 1RW"
    )
    with pytest.raises(ValidationError) as error:
        provider.clean()
    assert "free service cannot have an hourly rate" in str(error.value)


def test_lowest_rate_not_above_highest(postcodes):
    violates_constraint(hourly_rate_min=Decimal("20"), hourly_rate_max=Decimal("18"))


def test_a_verified_registration_needs_its_id(provider, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        Check.objects.create(
            provider=provider, kind="registration", status="verified", verified_on=today
        )


def test_geocoding_on_save_keeps_only_the_sectors_centre(postcodes):
    provider = make_provider(base_postcode="cm1-1rw")
    assert provider.base_postcode == "CM1 1RW"
    assert provider.area_sector == "CM1 1"
    assert provider.area_label == "Chelmsford (CM1 1)"
    # The public point is the sector's centre, not the home, and the home's point is not kept.
    sector = PostcodeArea.objects.get(code="CM1 1")
    home = Postcode.objects.get(postcode="CM1 1RW")
    assert (provider.area_latitude, provider.area_longitude) == (sector.latitude, sector.longitude)
    assert (provider.area_latitude, provider.area_longitude) != (home.latitude, home.longitude)
    assert not hasattr(provider, "latitude")


def test_unknown_postcode_is_a_validation_error_not_a_crash(postcodes):
    provider = Provider(name="X", base_postcode="ZZ99 9ZZ", workers=1, legal_form="sole_trader")
    with pytest.raises(ValidationError) as error:
        provider.clean()
    assert error.value.message_dict["base_postcode"] == [
        "We could not find ZZ99 9ZZ. Check it and try again"
    ]
    with pytest.raises(PostcodeNotFound):
        provider.save()


def test_malformed_postcode_is_a_validation_error(postcodes):
    provider = Provider(name="X", base_postcode="not a postcode")
    with pytest.raises(ValidationError) as error:
        provider.clean()
    assert "base_postcode" in error.value.message_dict


def test_slugs_are_unique(postcodes):
    first = make_provider(name="Same Name")
    second = make_provider(name="Same Name")
    assert first.slug == "same-name" and second.slug == "same-name-2"


@pytest.mark.parametrize("status", ["draft", "pending", "suspended", "archived"])
def test_public_objects_hide_everything_but_published(postcodes, status):
    hidden = make_provider(name="Hidden", status=status)
    shown = make_provider(name="Shown")
    assert list(Provider.public_objects.all()) == [shown]
    assert hidden in Provider.objects.all()


def test_one_check_per_kind(provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Check.objects.create(provider=provider, kind=Check.Kind.DBS)


def test_verified_check_needs_a_date(provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Check.objects.create(provider=provider, kind="dbs", status="verified", verified_on=None)


def test_check_cannot_expire_before_it_was_verified(provider, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        add_check(provider, "dbs", verified_on=today, expires_on=today - timedelta(days=1))


def test_current_means_verified_and_in_date(postcodes, today):
    provider = make_provider(checks=False)
    in_date = add_check(provider, "dbs", expires_on=today)
    no_expiry = add_check(provider, "business_registration")
    add_check(provider, "insurance", expires_on=today - timedelta(days=1))
    add_check(provider, "safeguarding", status=Check.Status.AWAITING)
    assert set(Check.objects.current(today)) == {in_date, no_expiry}
    assert Check.objects.expired(today).get().kind == "insurance"


def test_four_basic_checks_current_is_one_filter(postcodes, today):
    complete = make_provider(name="Complete")
    add_basic_checks(complete)
    one_expired = make_provider(name="One expired")
    add_basic_checks(one_expired)
    insurance = one_expired.checks.get(kind="insurance")
    insurance.verified_on = today - timedelta(days=400)
    insurance.expires_on = today - timedelta(days=1)
    insurance.save()
    three_only = make_provider(name="Three only", checks=False)
    for kind in Check.BASIC_KINDS[:3]:
        add_check(three_only, kind)
    assert list(Provider.objects.with_basic_checks_current(today)) == [complete]
    assert list(Provider.objects.with_expired_checks(today)) == [one_expired]


@pytest.mark.parametrize(
    ("status", "days_to_expiry", "state", "words"),
    [
        ("verified", 30, "current", "checked by the council on"),
        ("verified", -1, "expired", "expired on"),
        ("expired", None, "expired", "expired. Ask the provider for a current certificate"),
        ("awaiting", None, "awaiting", "not checked yet"),
        ("not_provided", None, "missing", "not provided"),
        ("rejected", None, "missing", "not accepted by the council"),
    ],
)
def test_public_checklist_words(postcodes, today, status, days_to_expiry, state, words):
    provider = make_provider(checks=False)
    verified_on = today - timedelta(days=60) if status == "verified" else None
    expires_on = today + timedelta(days=days_to_expiry) if days_to_expiry is not None else None
    add_check(provider, "dbs", status=status, verified_on=verified_on, expires_on=expires_on)
    rows = {row["label"]: row for row in provider.public_checklist(today)}
    assert rows["DBS check"]["state"] == state
    assert words in rows["DBS check"]["words"]
    # The other basics are listed even with no record at all, as not provided.
    assert (
        rows["Public liability insurance"]["sentence"] == "Public liability insurance: not provided"
    )


def test_checklist_sentences_read_as_the_design_says(postcodes):
    provider = make_provider(checks=False)
    from datetime import date

    add_check(provider, "dbs", verified_on=date(2026, 3, 3), expires_on=None)
    add_check(provider, "insurance", verified_on=date(2025, 10, 1), expires_on=date(2026, 10, 1))
    rows = {row["label"]: row["sentence"] for row in provider.public_checklist(date(2026, 11, 26))}
    assert rows["DBS check"] == "DBS check: checked by the council on 3 March 2026"
    assert rows["Public liability insurance"] == (
        "Public liability insurance: expired on 1 October 2026. "
        "Ask the provider for a current certificate"
    )
    assert rows["Safeguarding training"] == "Safeguarding training: not provided"


def test_basic_checks_column_follows_every_check_change(provider, today):
    add_basic_checks(provider, expires_on=today + timedelta(days=10))
    provider.refresh_from_db()
    assert provider.basic_checks_current_until == today + timedelta(days=10)
    dbs = provider.checks.get(kind="dbs")
    dbs.expires_on = None
    dbs.save()
    provider.refresh_from_db()
    assert provider.basic_checks_current_until == today + timedelta(days=10)
    provider.checks.get(kind="insurance").delete()
    provider.refresh_from_db()
    assert provider.basic_checks_current_until is None
    assert not Provider.objects.with_basic_checks_current(today).exists()


@pytest.mark.parametrize("status", [choice for choice, _ in Check.Status.choices])
@pytest.mark.parametrize("days_left", [None, -30, -1, 0, 1, 30])
def test_is_a_check_current_has_one_answer_in_python_and_sql(postcodes, today, status, days_left):
    provider = make_provider(checks=False)
    check = Check.objects.create(
        provider=provider,
        kind="dbs",
        status=status,
        verified_on=today - timedelta(days=400) if status == "verified" else None,
        expires_on=None if days_left is None else today + timedelta(days=days_left),
    )
    in_sql = Check.objects.current(today).filter(pk=check.pk).exists()
    assert check.is_current(today) == in_sql
    assert (check_current_until(check.status, check.expires_on) is not None) == (
        status == "verified"
    )
    assert in_sql == (status == "verified" and (days_left is None or days_left >= 0))
