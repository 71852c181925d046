"""Personal care and the law: every combination of legal form, team size, personal care or not,
the registration or exemption evidence, and nation, through publishing, the daily command and the
public wording."""

import itertools
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from places.nations import ENGLAND, WALES
from providers.models import Provider, Service
from providers.services import PublishingRefused, provider_rule_problems, provider_set_status

from ..factories import add_basic_checks, add_check, make_provider

FORMS = ["sole_trader", "partnership", "limited_company", "cic", "charity"]
EVIDENCE = ["none", "registered", "registration in grace", "registration lapsed", "exempt"]
BASES = {ENGLAND: "CM1 1RW", WALES: "CH7 1DA"}
REGULATOR = {ENGLAND: ("Care Quality Commission (CQC)", "CQC"), WALES: ("Care Inspectorate Wales (CIW)", "CIW")}  # fmt: skip
# Team size only matters to a sole trader: the exemption is for one working alone.
TEAMS = [("sole_trader", 1), ("sole_trader", 3)] + [(form, 3) for form in FORMS[1:]]
CASES = [
    (form, workers, personal, evidence, nation)
    for (form, workers), personal, nation in itertools.product(TEAMS, [True, False], BASES)
    for evidence in (EVIDENCE if personal else ["none", "registered"])
]


def expected(form, workers, personal, evidence):
    """(may be public, may be published now) by the rule, written out plainly."""
    if not personal:
        return True, True
    if evidence == "registered":
        return True, True
    if evidence == "registration in grace":
        return True, False  # stays public a while; cannot be published until renewed
    if evidence == "exempt":
        alone = form == "sole_trader" and workers == 1
        return alone, alone
    return False, False


def listing(form, workers, personal, evidence, nation, status="draft"):
    services = Service.objects.filter(slug="washing-and-bathing" if personal else "gardening")
    provider = make_provider(
        name=f"{form} {workers} {personal} {evidence} {nation}",
        legal_form=form,
        workers=workers,
        services=services,
        base_postcode=BASES[nation],
        status=status,
        checks=False,
    )
    add_basic_checks(provider)
    today = provider.updated_at.date()
    if evidence == "registered":
        add_check(provider, "registration", reference="1-234567890", verified_on=today)
    elif evidence == "registration in grace":
        add_check(provider, "registration", reference="1-2", expires_on=today - timedelta(5))
    elif evidence == "registration lapsed":
        add_check(provider, "registration", reference="1-2", expires_on=today - timedelta(60))
    elif evidence == "exempt":
        add_check(provider, "exemption", verified_on=today)
    provider.refresh_from_db()
    return provider


@pytest.mark.parametrize(("form", "workers", "personal", "evidence", "nation"), CASES)
def test_the_rule(client, postcodes, staff_user, form, workers, personal, evidence, nation):
    provider = listing(form, workers, personal, evidence, nation)
    assert provider.nation == nation
    assert provider.gives_personal_care is personal
    public, publishable = expected(form, workers, personal, evidence)
    short = REGULATOR[nation][1]

    # Publishing: allowed, or refused with a sentence that names what is missing.
    if publishable:
        provider_set_status(provider=provider, status="published", by=staff_user, reason="ok")
    else:
        with pytest.raises(PublishingRefused) as refused:
            provider_set_status(provider=provider, status="published", by=staff_user, reason="ok")
        problems = " ".join(refused.value.problems)
        assert f"gives personal care must be registered with the {short}" in problems
        if form == "sole_trader" and workers == 3:
            assert "A sole trader with 3 workers that gives personal care" in problems
        elif form != "sole_trader":
            label = Provider.LegalForm(form).label
            article = "An" if label[0] in "AEIOU" else "A"
            assert f"{article} {label[0].lower() + label[1:]} that gives personal care" in problems
        if evidence.startswith("registration"):
            assert f"Registration with the {short} ran out on" in problems
        Provider.objects.filter(pk=provider.pk).update(status="published")  # as if listed before

    # Public while the rule holds (a lapsing registration within its grace period too); the
    # daily command suspends what it does not.
    assert Provider.public_objects.filter(pk=provider.pk).exists() is public
    assert (provider_rule_problems(provider=provider, grace=True) == []) is public
    call_command("daily", stdout=StringIO())
    provider.refresh_from_db()
    assert provider.status == ("published" if public else "suspended")

    # What the public is told.
    response = client.get(provider.get_absolute_url())
    assert response.status_code == (200 if public else 410)
    if not public:
        return
    html = response.content.decode()
    name, _ = REGULATOR[nation]
    if evidence == "registered":
        assert f"Registered with the {name}" in html
        assert "1-234567890" in html and "The council checked this on" in html
        link = "https://www.cqc.org.uk/location/1-234567890" if nation == ENGLAND else "https://www.careinspectorate.wales/"  # fmt: skip
        assert f'href="{link}"' in html
    else:
        assert "Registered with the" not in html
    exempt_note = "the council has confirmed they rely on the individual exemption"
    assert (exempt_note in html) is (personal and evidence == "exempt")
    if exempt_note in html:
        assert f"is not registered with the {name}" in html and "the five questions" in html


def test_a_registration_link_staff_recorded_wins(client, postcodes):
    provider = make_provider(
        base_postcode="CH7 1DA", services=Service.objects.filter(slug="dressing"), workers=3,
        legal_form="cic", checks=True,
    )  # fmt: skip
    check = provider.checks.get(kind="registration")
    check.link = "https://www.careinspectorate.wales/service/SIN-00012345"
    check.save()
    html = client.get(provider.get_absolute_url()).content.decode()
    assert 'href="https://www.careinspectorate.wales/service/SIN-00012345"' in html
    assert "Registered with the Care Inspectorate Wales (CIW), registration ID" in html


def test_the_registered_filter_counts_current_registrations_only(client, postcodes, today):
    make_provider(
        name="Registered", registered="1-1", services=Service.objects.filter(slug="dressing")
    )
    lapsing = make_provider(name="Lapsing", registered="1-2", services=Service.objects.filter(slug="dressing"))  # fmt: skip
    add_check(lapsing, "registration", reference="1-2", expires_on=today - timedelta(days=2))
    response = client.get("/search/", {"postcode": "CM1 1AE", "feature": "registered"})
    assert [p.name for p in response.context["page"].object_list] == ["Registered"]


def test_moving_a_service_into_a_regulated_category_follows(client, postcodes):
    gardening = Service.objects.get(slug="gardening")
    provider = make_provider(name="Gardener", services=[gardening], workers=2, legal_form="cic")
    assert Provider.public_objects.filter(pk=provider.pk).exists()
    gardening.category.regulated = True
    gardening.category.save()
    provider.refresh_from_db()
    assert provider.gives_personal_care
    assert not Provider.public_objects.filter(pk=provider.pk).exists()
