"""Suspend with a reason: through provider_set_status, back to the queue with a message."""

import pytest
from django.urls import reverse

from providers.models import Provider, StatusChange

from .conftest import refused


def url(provider):
    return reverse("workbench:listing-suspend", args=[provider.pk])


def version(provider):
    return Provider.objects.get(pk=provider.pk).version


def test_suspending_records_why_and_returns(staff_client, provider, staff_user):
    response = staff_client.post(
        url(provider), {"version": version(provider), "reason": "Insurance cancelled"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert Provider.objects.get(pk=provider.pk).status == "suspended"
    change = StatusChange.objects.get(provider=provider)
    assert change.changed_by == staff_user and change.reason == "Insurance cancelled"
    assert "is suspended" in staff_client.get("/staff/").content.decode()


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "Say why you are suspending"),
        ("   ", "Say why you are suspending"),
        ("x" * 1001, "1,000 characters or fewer"),
        ("bad\x00", "character we cannot save"),
    ],
)
def test_a_reason_is_needed(staff_client, provider, reason, message):
    response = staff_client.post(url(provider), {"version": version(provider), "reason": reason})
    assert response.status_code == 400 and message in response.content.decode()
    assert Provider.objects.get(pk=provider.pk).status == "published"


def test_who_may_suspend(people, provider):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(url(provider)))
        assert refused(
            people[name].post(url(provider), {"version": version(provider), "reason": "x"})
        )
    assert Provider.objects.get(pk=provider.pk).status == "published"
    assert people["officer"].get(url(provider)).status_code == 200
    assert people["administrator"].get(url(provider)).status_code == 200
