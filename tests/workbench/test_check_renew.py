"""Record a renewal: the check's new dates and reference, from its card or straight from the
queue, back to the queue with a message; refused when the listing changed since it was opened."""

from datetime import timedelta

import pytest
from django.urls import reverse

from providers.models import Check, Provider

from ..factories import add_check, make_provider
from .conftest import refused


def url(provider, kind="insurance", next_=None):
    address = reverse("workbench:check-renew", args=[provider.pk, kind])
    return address + (f"?next={next_}" if next_ else "")


def data(provider, today, **changes):
    return {
        "version": Provider.objects.get(pk=provider.pk).version,
        "verified_on": today.strftime("%d/%m/%Y"),
        "expires_on": (today + timedelta(days=365)).strftime("%-d/%-m/%Y"),
        "reference": "POL-123",
        **changes,
    }


@pytest.fixture
def expiring(postcodes, today):
    provider = make_provider(name="Renew Me", reviewed_on=today)
    add_check(provider, "insurance", expires_on=today + timedelta(days=5), reference="OLD-1")
    return provider


def test_the_form_shows_the_check_and_what_is_on_record(staff_client, expiring):
    response = staff_client.get(url(expiring))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record a renewal: Public liability insurance" in html
    assert "OLD-1" in html and "Renew Me, Chelmsford (ref. " in html
    for label in ["New expiry date", "Reference", "Date you saw the new certificate"]:
        assert f'">{label}</label>' in html


def test_renewing_from_the_queue_returns_to_the_queue(staff_client, expiring, staff_user, today):
    response = staff_client.post(url(expiring, next_="/staff/"), data(expiring, today))
    assert response.status_code == 302 and response["Location"] == "/staff/"
    check = Check.objects.get(provider=expiring, kind="insurance")
    assert check.status == "verified" and check.verified_by == staff_user
    assert check.verified_on == today and check.expires_on == today + timedelta(days=365)
    assert check.reference == "POL-123"
    page = staff_client.get("/staff/").content.decode()
    assert "Public liability insurance for Renew Me, Chelmsford" in page  # the message
    assert "govuk-notification-banner--success" in page


def test_a_listing_changed_meanwhile_is_not_overwritten(staff_client, expiring, today):
    stale = data(expiring, today)
    Provider.objects.filter(pk=expiring.pk).update(summary="Someone else's edit")
    response = staff_client.post(url(expiring), stale)
    assert response.status_code == 409
    assert "Someone else changed this listing" in response.content.decode()
    assert Check.objects.get(provider=expiring, kind="insurance").reference == "OLD-1"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"expires_on": ""}, "Enter the new expiry date"),
        ({"expires_on": "31/2/2027"}, "as a date, like 31/3/2027"),
        ({"expires_on": "yesterday"}, "as a date"),
        ({"expires_on": "1/1/2000"}, "must be after today"),
        ({"expires_on": "1/1/9999"}, "within 10 years"),
        ({"verified_on": "1/1/2999"}, "today or in the past"),
        ({"reference": "x" * 41}, "40 characters or fewer"),
        ({"reference": "a\x00b"}, "character we cannot save"),
        ({"version": "abc"}, "not a number"),
        ({"version": ""}, "missing the listing"),
        ({"version": "99999999999999999999"}, "version is wrong"),
        ({"note": "x" * 1001}, "1,000 characters or fewer"),
        ({"expires_on": "<script>alert(1)</script>"}, "as a date"),
    ],
)
def test_bad_values_are_explained_never_saved(staff_client, expiring, today, changes, message):
    response = staff_client.post(url(expiring), data(expiring, today, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "There is a problem" in html
    assert "<script>alert(1)</script>" not in html
    assert Check.objects.get(provider=expiring, kind="insurance").reference == "OLD-1"


def test_a_registration_needs_its_reference(staff_client, expiring, today):
    response = staff_client.post(url(expiring, "registration"), data(expiring, today, reference=""))
    assert response.status_code == 400
    assert "ID on the regulator" in response.content.decode()


def test_unknown_checks_and_listings_are_not_found(staff_client, expiring):
    assert staff_client.get(url(expiring, "passport")).status_code == 404
    assert (
        staff_client.get(reverse("workbench:check-renew", args=[99999, "dbs"])).status_code == 404
    )


def test_a_foreign_next_page_is_ignored(staff_client, expiring, today):
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        response = staff_client.post(url(expiring), {**data(expiring, today), "next": target})
        assert response.status_code == 302 and response["Location"] == "/staff/", target


def test_who_may_renew(people, expiring, today):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(url(expiring))), name
        assert refused(people[name].post(url(expiring), data(expiring, today))), name
    assert Check.objects.get(provider=expiring, kind="insurance").reference == "OLD-1"
    for name in ["officer", "administrator"]:
        assert people[name].get(url(expiring)).status_code == 200, name
    assert people["administrator"].post(url(expiring), data(expiring, today)).status_code == 302
