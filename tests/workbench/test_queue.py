"""The work queue: what needs an officer, each count linking to the list behind it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from providers.models import Review
from providers.services import listings_apply_rules
from reports.models import ProblemReport

from ..factories import add_check, make_provider

QUEUE = reverse("workbench:queue")


@pytest.fixture
def work(postcodes, today):
    make_provider(name="Waiting", status="pending")
    grace = make_provider(name="In grace", reviewed_on=today)
    add_check(grace, "insurance", expires_on=today - timedelta(days=3))
    soon = make_provider(name="Running out", reviewed_on=today)
    add_check(soon, "dbs", expires_on=today + timedelta(days=12))
    lapsed = make_provider(name="Lapsed")
    add_check(lapsed, "safeguarding", expires_on=today - timedelta(days=60))
    hidden = make_provider(name="Hidden")
    add_check(hidden, "dbs", status="rejected")
    listings_apply_rules(providers=[lapsed])
    make_provider(name="Never reviewed")
    fine = make_provider(name="Reviewed", reviewed_on=today - timedelta(days=30))
    for topic, urgent in [("out_of_date", False), ("safety", True)]:
        ProblemReport.objects.create(
            provider=fine, topic=topic, message="x", urgent=urgent, client_key="a" * 64
        )


def sections(response):
    return {section.key: section for section in response.context["sections"]}


def test_staff_land_on_the_work_queue_after_signing_in(client, staff_user):
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "officer", "password": "officer-password"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Work queue" in response.content.decode()


def test_each_section_counts_what_needs_doing(staff_client, work, today):
    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    found = sections(response)
    # Every entry names the listing's town and reference, so no two look alike.
    names = {
        key: [re.sub(r", \w+ \(ref\. \d+\)", "", item.text) for item in section.items]
        for key, section in found.items()
    }
    assert all(
        re.search(r", \w+ \(ref\. \d+\)", item.text)
        for section in found.values()
        for item in section.items
    )
    assert names["pending"] == ["Waiting"]
    assert names["grace"] == ["In grace: Public liability insurance"]
    assert (
        found["grace"]
        .items[0]
        .detail.startswith(f"ran out on {today - timedelta(days=3):%-d %B %Y}")
    )
    assert names["expiring"] == ["Running out: DBS check"]
    assert (
        found["expiring"].items[0].detail == f"runs out on {today + timedelta(days=12):%-d %B %Y}"
    )
    assert names["suspended"] == ["Lapsed"]
    ran_out = f"{today - timedelta(days=60):%-d %B %Y}"
    assert (
        found["suspended"].items[0].detail.endswith(f"Safeguarding training ran out on {ran_out}")
    )
    assert names["outside_rules"] == ["Hidden"]
    assert found["outside_rules"].items[0].detail == "DBS check was rejected"
    assert names["reports"][0].startswith("A concern about quality or safety")  # urgent first
    assert found["reports"].items[0].urgent
    assert "Never reviewed" in names["review_due"] and "Reviewed" not in names["review_due"]
    assert "Running out" not in names["review_due"]


def test_every_count_links_to_a_list_that_shows_the_same(staff_client, work):
    for key, section in sections(staff_client.get(QUEUE)).items():
        response = staff_client.get(section.url)
        assert response.status_code == 200, key
        assert section.url.startswith("/staff/"), key  # the workbench's pages, not the admin
        if "page" in response.context:
            shown = response.context["page"].paginator.count
        else:
            shown = len(response.context["proposals"])
        assert shown == section.count, key
        for item in section.items:
            assert item.url.startswith("/staff/"), (key, item.url)
            assert staff_client.get(item.url).status_code == 200, (key, item.url)


def test_the_queue_is_for_staff_only(client, member_of_public):
    assert client.get(QUEUE).status_code == 302
    client.force_login(member_of_public)
    assert client.get(QUEUE).status_code == 302


def test_recording_a_review_clears_review_due(staff_client, work, today):
    before = sections(staff_client.get(QUEUE))["review_due"].count
    listing = Review.objects.model.provider.field.related_model.objects.get(name="Never reviewed")
    response = staff_client.post(
        reverse("admin:providers_provider_review", args=[listing.pk]),
        {"reviewed_on": today.isoformat(), "notes": "All fine"},
    )
    assert response.status_code == 302
    assert sections(staff_client.get(QUEUE))["review_due"].count == before - 1
    review = listing.reviews.get()
    assert review.reviewed_by.username == "officer"


def test_a_review_cannot_be_dated_in_the_future(staff_client, work, today):
    listing = Review.objects.model.provider.field.related_model.objects.get(name="Never reviewed")
    response = staff_client.post(
        reverse("admin:providers_provider_review", args=[listing.pk]),
        {"reviewed_on": (today + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400
    assert "The review date must be today or in the past" in response.content.decode()
    assert not listing.reviews.exists()
