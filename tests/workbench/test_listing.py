"""The listing page: a summary card per check with its state, dates and reference, look-alike
applications, and Publish (under the publishing rules) back to the queue with a message."""

from datetime import timedelta

import pytest
from django.urls import reverse

from portal.models import Application
from providers.models import Provider

from ..factories import add_basic_checks, add_check, make_provider
from .conftest import refused


def page(provider):
    return reverse("workbench:listing", args=[provider.pk])


def version(provider):
    return Provider.objects.get(pk=provider.pk).version


def test_a_card_for_each_check_with_state_dates_and_reference(staff_client, postcodes, today):
    provider = make_provider(name="Carded")
    add_check(provider, "dbs", expires_on=today - timedelta(days=2), reference="DBS-9")
    add_check(provider, "insurance", expires_on=today + timedelta(days=10))
    html = staff_client.get(page(provider)).content.decode()
    assert html.count('class="govuk-summary-card"') >= 4
    assert f"Ran out on {today - timedelta(days=2):%-d %B %Y}" in html
    assert f"Runs out on {today + timedelta(days=10):%-d %B %Y}" in html
    assert "DBS-9" in html
    assert reverse("workbench:check-renew", args=[provider.pk, "dbs"]) in html
    assert "Carded</h1>" in html and f"Ref. {provider.pk}" in html


def test_a_second_application_is_flagged(staff_client, postcodes):
    first = make_provider(name="Flint Friendship Club", email="club@example.org", town="Flint")
    second = make_provider(
        name="Flint Friendship Club", status="pending", email="", phone="+44 1632 960 001"
    )
    Application.objects.create(provider=second, email="CLUB@example.org")
    html = staff_client.get(page(second)).content.decode()
    assert "may be a second application" in html
    assert f"(ref. {first.pk})" in html
    assert "the same email address" in html and "the same phone number" in html
    assert "the same name and postcode" in html
    queue = staff_client.get(reverse("workbench:queue")).content.decode()
    assert f"Possible duplicate of Flint Friendship Club, Flint (ref. {first.pk})" in queue


def test_no_flag_for_a_different_applicant(staff_client, postcodes):
    make_provider(name="One", email="one@example.org", phone="01632 960111")
    other = make_provider(
        name="Two", status="pending", email="two@example.org", phone="01632 960222"
    )
    assert "may be a second application" not in staff_client.get(page(other)).content.decode()


def test_publishing_returns_to_the_queue_with_a_message(staff_client, postcodes):
    provider = make_provider(name="Ready", status="pending")
    add_basic_checks(provider)
    add_check(provider, "exemption")  # it offers personal care, as a sole trader working alone
    response = staff_client.post(page(provider), {"version": version(provider), "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert Provider.objects.get(pk=provider.pk).status == "published"
    assert "is published" in staff_client.get("/staff/").content.decode()


def test_publishing_names_each_check_that_fails(staff_client, postcodes):
    provider = make_provider(name="Not ready", status="pending")
    response = staff_client.post(page(provider), {"version": version(provider)})
    assert response.status_code == 400
    assert "DBS check has not been provided" in response.content.decode()
    assert Provider.objects.get(pk=provider.pk).status == "pending"


@pytest.mark.parametrize("value", ["", "abc", "-1", "1" * 30, "\x00"])
def test_a_bad_version_is_a_400(staff_client, postcodes, value):
    provider = make_provider(name="Ready", status="pending")
    add_basic_checks(provider)
    response = staff_client.post(page(provider), {"version": value})
    assert response.status_code == 400
    assert "open the listing again" in response.content.decode()
    assert Provider.objects.get(pk=provider.pk).status == "pending"


def test_a_stale_page_cannot_publish(staff_client, postcodes):
    provider = make_provider(name="Ready", status="pending")
    add_basic_checks(provider)
    seen = version(provider)
    Provider.objects.filter(pk=provider.pk).update(summary="Changed")
    response = staff_client.post(page(provider), {"version": seen})
    assert response.status_code == 409
    assert Provider.objects.get(pk=provider.pk).status == "pending"


def test_who_may_see_and_publish(people, provider):
    provider.status = "pending"
    Provider.objects.filter(pk=provider.pk).update(status="pending")
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(page(provider))), name
        assert refused(people[name].post(page(provider), {"version": version(provider)})), name
    assert Provider.objects.get(pk=provider.pk).status == "pending"
    for name in ["officer", "administrator"]:
        assert people[name].get(page(provider)).status_code == 200
    assert people["officer"].post(page(provider), {"version": version(provider)}).status_code == 302


def test_a_missing_listing_is_not_found(staff_client, db):
    assert staff_client.get(reverse("workbench:listing", args=[424242])).status_code == 404
