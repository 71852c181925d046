"""A provider's own page: their listing, checks and what to do next; changes proposed for staff
to approve (the public listing stays as it was until then); renewals; figures."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.models import OutboxEmail
from portal.models import ProposedChange, ProviderFigures
from portal.services import CannotApply, proposal_approve, proposal_reject
from providers.models import Check, Provider

from ..factories import make_provider
from .conftest import owner_of

LISTING = reverse("portal:listing")
UPDATE = reverse("portal:update")


def form_data(client, **changes):
    """The update form as drawn, with `changes` on top."""
    response = client.get(UPDATE)
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "slug", v)) for v in value]
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return data


def test_the_page_shows_the_listing_and_its_checks(client_a, provider_a, today):
    html = client_a.get(LISTING).content.decode()
    assert "Alpha Care" in html
    assert "Published" in html
    for label in ("DBS check", "Public liability insurance", "Safeguarding training"):
        assert label in html
    dbs = provider_a.checks.get(kind="dbs")
    assert f"runs out on {dbs.expires_on:%-d %B %Y}" in html
    assert "PRIVATE-STAFF-NOTE" not in html


def test_a_change_waits_for_staff_then_goes_live(client_a, provider_a, staff_user):
    response = client_a.post(UPDATE, form_data(client_a, phone="01632 960999"))
    assert response.status_code == 302
    proposal = ProposedChange.objects.get(provider=provider_a)
    assert proposal.changes == {"phone": {"old": "01632 960001", "new": "01632 960999"}}
    provider_a.refresh_from_db()
    assert provider_a.phone == "01632 960001"  # the public listing is as it was
    assert "01632 960999" not in client_a.get(provider_a.get_absolute_url()).content.decode()
    assert "01632 960999" in client_a.get(LISTING).content.decode()  # shown as waiting

    proposal_approve(proposal=proposal, by=staff_user)
    provider_a.refresh_from_db()
    assert provider_a.phone == "01632 960999"
    assert "01632 960999" in client_a.get(provider_a.get_absolute_url()).content.decode()
    assert OutboxEmail.objects.filter(
        to="alpha-owner@example.org", subject__contains="approved"
    ).exists()


def test_unchanged_fields_are_not_proposed(client_a, provider_a):
    client_a.post(UPDATE, form_data(client_a))
    assert not ProposedChange.objects.exists()


def test_more_changes_join_the_waiting_proposal(client_a, provider_a):
    client_a.post(UPDATE, form_data(client_a, phone="01632 960999"))
    client_a.post(UPDATE, form_data(client_a, languages="English, Welsh"))
    (proposal,) = ProposedChange.objects.filter(provider=provider_a)
    assert set(proposal.changes) == {"phone", "languages"}
    assert proposal.revision == 2


def test_two_proposals_at_once_never_undo_each_other(client_a, provider_a):
    first, second = form_data(client_a, phone="01632 960111"), form_data(client_a, phone="x")
    second["phone"] = "01632 960222"
    assert client_a.post(UPDATE, first).status_code == 302
    response = client_a.post(UPDATE, second)  # drawn before the first was sent
    assert response.status_code == 409
    html = response.content.decode()
    assert "another window" in html
    assert "01632 960222" in html  # what they typed is still there
    proposal = ProposedChange.objects.get(provider=provider_a)
    assert proposal.changes["phone"]["new"] == "01632 960111"


def test_a_listing_suspended_meanwhile_takes_no_changes(client_a, provider_a):
    data = form_data(client_a, phone="01632 960999")
    Provider.objects.filter(pk=provider_a.pk).update(status=Provider.Status.SUSPENDED)
    response = client_a.post(UPDATE, data)
    assert response.status_code == 409
    assert "suspended" in response.content.decode()
    assert "01632 960999" in response.content.decode()
    assert not ProposedChange.objects.exists()


def test_staff_reject_with_a_reason_and_the_provider_is_told(client_a, provider_a, staff_user):
    client_a.post(UPDATE, form_data(client_a, summary="Cheapest in town!"))
    proposal = ProposedChange.objects.get()
    proposal_reject(proposal=proposal, by=staff_user, reason="Please describe your services.")
    provider_a.refresh_from_db()
    assert provider_a.summary != "Cheapest in town!"
    email = OutboxEmail.objects.get(subject__contains="not approved")
    assert "Please describe your services." in email.body
    assert "Please describe your services." in client_a.get(LISTING).content.decode()
    with pytest.raises(CannotApply):
        proposal_approve(proposal=proposal, by=staff_user)


def test_a_renewed_check_waits_for_verification(client_a, provider_a, staff_user, today):
    new = today + timedelta(days=365)
    response = client_a.post(
        reverse("portal:renewal"), {"kind": "insurance", "expires_on": f"{new:%d %m %Y}"}
    )
    assert response.status_code == 302
    insurance = provider_a.checks.get(kind="insurance")
    assert insurance.expires_on != new  # never straight to verified
    proposal = ProposedChange.objects.get()
    assert proposal.changes["check:insurance"]["new"] == new.isoformat()
    proposal_approve(proposal=proposal, by=staff_user)
    insurance.refresh_from_db()
    assert (insurance.status, insurance.expires_on) == (Check.Status.VERIFIED, new)
    assert (insurance.verified_on, insurance.verified_by) == (today, staff_user)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "insurance", "expires_on": "yesterday"}, "Enter the new expiry date as day"),
        ({"kind": "insurance", "expires_on": "01 01 2001"}, "must be in the future"),
        ({"kind": "insurance", "expires_on": "01 01 2999"}, "within 10 years"),
        ({"kind": "insurance", "expires_on": ""}, "Enter the new expiry date"),
        ({"kind": "nuclear", "expires_on": "01 01 2030"}, "Choose one of the checks your listing"),
        # A registration the listing does not have (it gives no personal care).
        ({"kind": "registration", "expires_on": "01 01 2030"}, "Choose one of the checks your"),
        ({"kind": "insurance", "expires_on": "9" * 5000}, "Enter the new expiry date as day"),
    ],
)
def test_bad_renewals(client_a, provider_a, data, message):
    response = client_a.post(reverse("portal:renewal"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProposedChange.objects.exists()


BAD_UPDATES = [
    ({"summary": ""}, "This field is required"),
    ({"summary": "x" * 241}, "240 characters or fewer"),
    ({"phone": "<script>alert(1)</script>"}, "Enter a phone number"),
    ({"website": "javascript:alert(1)"}, "Enter a website address"),
    ({"email": "not an email"}, "Enter a valid email address"),
    ({"coverage_radius_miles": "51"}, "50"),
    ({"coverage_radius_miles": "-3"}, "0"),
    ({"hourly_rate_min": "30", "hourly_rate_max": "20"}, "The highest rate must be"),
    ({"hourly_rate_min": "NaN"}, "Enter a number"),
    ({"services": ["made-up"]}, "Select the help you give from the list"),
    ({"availability": ["never"]}, "Select when you can help from the list"),
    ({"is_free": "perhaps"}, "Select yes or no"),
    ({"description": "ok\x00"}, "contains a character we cannot save"),
    ({"seen_revision": "-1"}, "greater than or equal to 0"),
]


@pytest.mark.parametrize(("change", "message"), BAD_UPDATES)
def test_bad_updates_get_a_plain_message(client_a, provider_a, change, message):
    response = client_a.post(UPDATE, form_data(client_a, **change))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ProposedChange.objects.exists()


def test_figures_are_staff_only_and_public_as_totals(client_a, provider_a, postcodes):
    response = client_a.post(
        reverse("portal:figures"), {"people_supported": "6", "hours_a_week": "40"}
    )
    assert response.status_code == 302
    assert ProviderFigures.objects.get(provider=provider_a).hours_a_week == 40
    about = client_a.get(reverse("about")).content.decode()
    assert "told us about their work" not in about  # one provider's numbers: never alone
    for n in range(4):
        other = make_provider(name=f"Reporter {n}")
        ProviderFigures.objects.create(provider=other, people_supported=2, hours_a_week=10)
    about = client_a.get(reverse("about")).content.decode()
    assert "5 of these providers told us about their work" in about
    assert "about 14 people for about 80 hours a week" in about


@pytest.mark.parametrize(
    "data",
    [
        {"people_supported": "-1", "hours_a_week": "4"},
        {"people_supported": "lots", "hours_a_week": "4"},
        {"people_supported": "99999999999999999999", "hours_a_week": "4"},
        {"people_supported": "3", "hours_a_week": ""},
    ],
)
def test_bad_figures(client_a, provider_a, data):
    response = client_a.post(reverse("portal:figures"), data)
    assert response.status_code == 400
    assert not ProviderFigures.objects.exists()


def test_withdraw(client_a, provider_a):
    client_a.post(UPDATE, form_data(client_a, phone="01632 960999"))
    client_a.post(reverse("portal:withdraw"))
    assert not ProposedChange.objects.exists()


def test_a_pending_applicant_sees_their_application(client, postcodes):
    pending = make_provider(name="New Helpers", status=Provider.Status.PENDING, checks=False)
    client.force_login(owner_of(pending, "new@example.org"))
    html = client.get(LISTING).content.decode()
    assert "Waiting for the council to check it" in html
    assert "Send proof to the council" in html
