"""Every action on a listing from the workbench records who did it, when, and why, in the audit
trail (django-auditlog), and the listing's page shows it."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from portal.models import Application
from providers.models import Check, Provider, Review, StatusChange
from reports.models import ProblemReport
from workbench.models import ApplicantStage

from ..factories import add_check


def version(provider):
    return Provider.objects.get(pk=provider.pk).version


def entries(model, pk):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
    ).order_by("pk")


def assert_recorded(entry, user, why, before):
    assert entry.actor == user  # who
    assert before <= entry.timestamp <= timezone.now()  # when
    assert entry.additional_data["why"] == why  # why


@pytest.fixture
def start():
    return timezone.now()


def test_a_renewal(staff_client, provider, staff_user, today, start):
    add_check(provider, "dbs", expires_on=today + timedelta(days=3))
    staff_client.post(
        reverse("workbench:check-renew", args=[provider.pk, "dbs"]),
        {
            "version": version(provider),
            "verified_on": today.strftime("%d/%m/%Y"),
            "expires_on": "1/6/2029",
            "reference": "D-77",
            "note": "New certificate seen at the office",
        },
    )
    check = Check.objects.get(provider=provider, kind="dbs")
    entry = entries(Check, check.pk).last()
    assert_recorded(entry, staff_user, "New certificate seen at the office", start)
    assert entry.changes_dict["reference"][1] == "D-77"


def test_a_renewal_without_a_note_says_what_it_was(staff_client, provider, staff_user, today):
    staff_client.post(
        reverse("workbench:check-renew", args=[provider.pk, "insurance"]),
        {
            "version": version(provider),
            "verified_on": today.strftime("%d/%m/%Y"),
            "expires_on": "1/6/2029",
            "reference": "P-1",
        },
    )
    check = Check.objects.get(provider=provider, kind="insurance")
    why = entries(Check, check.pk).last().additional_data["why"]
    assert why == "Renewal seen: valid until 1 June 2029, reference P-1"


def test_suspend_and_publish(staff_client, provider, staff_user, start):
    staff_client.post(
        reverse("workbench:listing-suspend", args=[provider.pk]),
        {"version": version(provider), "reason": "Insurance cancelled"},
    )
    change = StatusChange.objects.get(provider=provider, to_status="suspended")
    assert_recorded(
        entries(StatusChange, change.pk).last(), staff_user, "Insurance cancelled", start
    )
    assert_recorded(entries(Provider, provider.pk).last(), staff_user, "Insurance cancelled", start)
    staff_client.post(
        reverse("workbench:listing", args=[provider.pk]), {"version": version(provider)}
    )
    change = StatusChange.objects.get(provider=provider, to_status="published")
    why = "Published: all four basic checks verified and in date"
    assert_recorded(entries(StatusChange, change.pk).last(), staff_user, why, start)


def test_a_full_review(staff_client, provider, staff_user, today, start):
    staff_client.post(
        reverse("workbench:listing-review", args=[provider.pk]),
        {"version": version(provider), "reviewed_on": today.isoformat(), "notes": "Rang them"},
    )
    review = Review.objects.get(provider=provider)
    assert_recorded(entries(Review, review.pk).last(), staff_user, "Rang them", start)


def test_handling_a_report(staff_client, provider, staff_user, start):
    report = ProblemReport.objects.create(
        provider=provider, topic="closed", message="Shut", client_key="a" * 64
    )
    staff_client.post(
        reverse("workbench:report", args=[report.pk]), {"status": "closed", "note": "Confirmed"}
    )
    assert_recorded(entries(ProblemReport, report.pk).last(), staff_user, "Confirmed", start)


def test_moving_an_applicant(staff_client, provider, staff_user, start):
    Provider.objects.filter(pk=provider.pk).update(status="pending")
    application = Application.objects.create(provider=provider, email="new@example.org")
    response = staff_client.post(
        reverse("workbench:applicant-stage", args=[provider.pk]), {"stage": "support"}
    )
    assert response.status_code == 302
    row = ApplicantStage.objects.get(application=application)
    assert_recorded(
        entries(ApplicantStage, row.pk).last(), staff_user, "Moved to support to set up", start
    )


def test_the_listing_page_shows_who_when_and_why(staff_client, provider):
    staff_client.post(
        reverse("workbench:listing-suspend", args=[provider.pk]),
        {"version": version(provider), "reason": "Insurance cancelled"},
    )
    html = staff_client.get(reverse("workbench:listing", args=[provider.pk])).content.decode()
    timeline = html.split('id="audit-timeline"')[1]
    assert "officer" in timeline and "Why: Insurance cancelled" in timeline
