"""The applicant pipeline: enquiry, support to set up, checks, listed, with counts and how long
each has waited (oldest and median days)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portal.models import Application
from providers.models import Provider
from providers.services import provider_set_status
from workbench.models import ApplicantStage

from ..factories import add_check, make_provider
from .conftest import refused

PAGE = reverse("workbench:pipeline")


def applied(name, days_ago, **fields):
    provider = make_provider(name=name, status="pending", **fields)
    return Application.objects.create(
        provider=provider,
        email=f"{name.lower()}@example.org",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def test_counts_and_waiting_days(staff_client, postcodes, staff_user):
    applied("Ann", 10)
    applied("Bea", 20)
    applied("Cat", 40)
    support = applied("Dee", 30)
    ApplicantStage.objects.create(
        application=support, stage="support", since=timezone.now() - timedelta(days=6)
    )
    listed = applied("Eve", 50)
    for kind in ["dbs", "insurance", "safeguarding", "business_registration", "exemption"]:
        add_check(listed.provider, kind, expires_on=timezone.localdate() + timedelta(days=300))
    provider_set_status(provider=listed.provider, status="published", by=staff_user, reason="ok")
    response = staff_client.get(PAGE)
    stages = {stage.key: stage for stage in response.context["stages"]}
    assert (stages["enquiry"].count, stages["enquiry"].oldest, stages["enquiry"].median) == (
        3,
        40,
        20,
    )
    assert (stages["support"].count, stages["support"].oldest) == (1, 6)
    assert stages["checks"].count == 0 and stages["checks"].median is None
    assert (stages["listed"].count, stages["listed"].oldest) == (1, 50)
    html = response.content.decode()
    assert "Support to set up" in html and "waiting 40 days" in html
    # The queue sums it up and links here.
    queue = staff_client.get(reverse("workbench:queue")).content.decode()
    assert "Applicants: enquiry 3, support to set up 1, checks 0, listed 1" in queue


def test_suspended_and_archived_applicants_are_not_counted(staff_client, postcodes):
    gone = applied("Gone", 5)
    Provider.objects.filter(pk=gone.provider_id).update(status="archived")
    stages = staff_client.get(PAGE).context["stages"]
    assert sum(stage.count for stage in stages) == 0


def test_who_may_see_it(people):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(PAGE))
    assert people["officer"].get(PAGE).status_code == 200
    assert people["administrator"].get(PAGE).status_code == 200
