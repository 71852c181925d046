"""Moving an applicant along the pipeline from their listing's page."""

import pytest
from django.urls import reverse

from portal.models import Application
from providers.models import Provider
from workbench.models import ApplicantStage

from .conftest import refused


@pytest.fixture
def application(provider):
    Provider.objects.filter(pk=provider.pk).update(status="pending")
    return Application.objects.create(provider=provider, email="new@example.org")


def url(provider):
    return reverse("workbench:applicant-stage", args=[provider.pk])


def test_moving_returns_to_the_pipeline(staff_client, application, staff_user):
    response = staff_client.post(url(application.provider), {"stage": "checks"})
    assert response.status_code == 302 and response["Location"] == reverse("workbench:pipeline")
    row = ApplicantStage.objects.get(application=application)
    assert row.stage == "checks" and row.changed_by == staff_user
    page = staff_client.get(reverse("workbench:listing", args=[application.provider_id]))
    assert "Checks, since" in page.content.decode()


@pytest.mark.parametrize(
    "data", [{}, {"stage": "listed"}, {"stage": "x" * 5000}, {"stage": "\x00"}]
)
def test_bad_stages(staff_client, application, data):
    response = staff_client.post(url(application.provider), data)
    assert response.status_code == 400
    assert "Choose" in response.content.decode()
    assert not ApplicantStage.objects.exists()


def test_a_listing_without_an_application(staff_client, provider):
    assert staff_client.post(url(provider), {"stage": "support"}).status_code == 404


def test_only_a_post(staff_client, application):
    assert staff_client.get(url(application.provider)).status_code == 405


def test_who_may_move_applicants(people, application):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].post(url(application.provider), {"stage": "support"}))
    assert not ApplicantStage.objects.exists()
    assert (
        people["officer"].post(url(application.provider), {"stage": "support"}).status_code == 302
    )
