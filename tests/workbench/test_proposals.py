"""The officer's side of providers' changes: in the work queue, a field-by-field diff, approve or
reject with a reason."""

import pytest
from django.urls import reverse

from portal.models import ProposedChange
from providers.models import Provider

from ..factories import make_provider


@pytest.fixture
def proposal(postcodes):
    provider = make_provider(name="Alpha Care")
    return ProposedChange.objects.create(
        provider=provider,
        changes={
            "phone": {"old": "01632 960001", "new": "01632 960555"},
            "services": {"old": ["cleaning"], "new": ["cleaning", "gardening"]},
            "check:insurance": {"old": "2026-01-01", "new": "2027-06-30"},
        },
        listing_version=Provider.objects.get(pk=provider.pk).version,
    )


def test_the_queue_lists_waiting_changes(staff_client, proposal):
    html = staff_client.get(reverse("workbench:queue")).content.decode()
    assert "Changes sent by providers" in html
    label = f"Alpha Care, {proposal.provider.town} (ref. {proposal.provider_id}): 3 changes"
    assert label in html
    assert "includes a renewed check" in html
    assert reverse("workbench:proposal", args=[proposal.pk]) in html


def test_the_review_page_shows_each_field_was_and_new(staff_client, proposal):
    html = staff_client.get(reverse("workbench:proposal", args=[proposal.pk])).content.decode()
    assert "<del>01632 960001</del>" in html
    assert "<ins>01632 960555</ins>" in html
    assert "<ins>Cleaning, Gardening</ins>" in html
    assert "Public liability insurance: new expiry date" in html
    assert "<ins>30 June 2027</ins>" in html
    assert "The listing has changed since" not in html


def test_the_review_page_warns_when_the_listing_changed_since(staff_client, proposal):
    provider = proposal.provider
    provider.phone = "01632 960002"
    provider.save()
    html = staff_client.get(reverse("workbench:proposal", args=[proposal.pk])).content.decode()
    assert "The listing has changed since the provider sent these" in html
    assert "Now: 01632 960002" in html


def test_rejecting_needs_a_reason(staff_client, proposal):
    url = reverse("workbench:proposal", args=[proposal.pk])
    response = staff_client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 400
    assert "Say why you are rejecting the changes" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposedChange.Status.PENDING
    response = staff_client.post(url, {"decision": "reject", "reason": "Send the certificate"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == ("rejected", "Send the certificate")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"decision": "maybe"},
        {"decision": "reject", "reason": "x" * 1001},
        {"decision": "reject", "reason": "\x00"},
    ],
)
def test_bad_decisions(staff_client, proposal, data):
    response = staff_client.post(reverse("workbench:proposal", args=[proposal.pk]), data)
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == ProposedChange.Status.PENDING


def test_a_decided_change_cannot_be_decided_again(staff_client, proposal):
    url = reverse("workbench:proposal", args=[proposal.pk])
    staff_client.post(url, {"decision": "approve"})
    response = staff_client.post(url, {"decision": "reject", "reason": "oops"})
    assert response.status_code == 400
    assert "already been decided" in response.content.decode()
    assert Provider.objects.get(pk=proposal.provider_id).phone == "01632 960555"


def test_unknown_proposal_is_a_404(staff_client, db):
    assert staff_client.get(reverse("workbench:proposal", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("field", "new", "message"),
    [
        ("check:registration", "2027-06-30", "The listing has no registration number"),
        ("check:insurance", "2020-01-01", "The new expiry date has passed"),
        ("check:nonsense", "2027-06-30", "This listing cannot have a check called"),
    ],
)
def test_a_renewal_that_no_longer_fits_is_explained_not_a_server_error(
    staff_client, postcodes, field, new, message
):
    """A renewal sent before the form only offered the listing's own checks (or one whose date
    has passed since) is explained on Approve, and nothing changes."""
    provider = make_provider(name="Alpha Care")
    proposal = ProposedChange.objects.create(
        provider=provider,
        changes={field: {"old": None, "new": new}},
        listing_version=provider.version,
    )
    before = list(provider.checks.values_list("kind", "status", "expires_on"))
    response = staff_client.post(
        reverse("workbench:proposal", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposedChange.Status.PENDING
    assert list(provider.checks.values_list("kind", "status", "expires_on")) == before
