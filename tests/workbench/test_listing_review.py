"""Record a full review: dated, with what was found, back to the queue with a message."""

from datetime import timedelta

import pytest
from django.urls import reverse

from providers.models import Provider, Review

from .conftest import refused


def url(provider):
    return reverse("workbench:listing-review", args=[provider.pk])


def version(provider):
    return Provider.objects.get(pk=provider.pk).version


def test_a_review_is_recorded_and_clears_review_due(staff_client, provider, staff_user, today):
    response = staff_client.post(
        url(provider),
        {
            "version": version(provider),
            "reviewed_on": today.strftime("%d/%m/%Y"),
            "notes": "All fine",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(provider=provider)
    assert review.reviewed_by == staff_user and review.notes == "All fine"
    assert Provider.objects.get(pk=provider.pk).last_checked_on == today


@pytest.mark.parametrize(
    "day, message",
    [("", "Enter the date of the review"), ("32/1/2026", "as a date"), ("tomorrow", "as a date")],
)
def test_bad_dates(staff_client, provider, day, message):
    response = staff_client.post(url(provider), {"version": version(provider), "reviewed_on": day})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Review.objects.exists()


def test_future_and_old_dates(staff_client, provider, today):
    for day, message in [
        (today + timedelta(days=1), "today or in the past"),
        (today - timedelta(days=800), "within the last year"),
    ]:
        response = staff_client.post(
            url(provider), {"version": version(provider), "reviewed_on": day.strftime("%d/%m/%Y")}
        )
        assert response.status_code == 400 and message in response.content.decode()


def test_who_may_review(people, provider, today):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(url(provider)))
        assert refused(
            people[name].post(
                url(provider), {"version": version(provider), "reviewed_on": today.isoformat()}
            )
        )
    assert not Review.objects.exists()
    assert people["officer"].get(url(provider)).status_code == 200
