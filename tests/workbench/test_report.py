"""A report from the public: read it, mark it in progress (taking it) or close it saying what was
done, and go back to the queue with a message. Reports are never deleted."""

import pytest
from django.urls import reverse

from reports.models import ProblemReport

from .conftest import refused


@pytest.fixture
def report(provider):
    return ProblemReport.objects.create(
        provider=provider, topic="out_of_date", message="Phone number wrong", client_key="a" * 64
    )


def url(report):
    return reverse("workbench:report", args=[report.pk]) + "?next=/staff/"


def test_the_page_shows_what_they_told_us(staff_client, report):
    html = staff_client.get(url(report)).content.decode()
    assert "Phone number wrong" in html and "Information is out of date" in html


def test_in_progress_takes_it(staff_client, report, staff_user):
    response = staff_client.post(url(report), {"status": "in_progress"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    report.refresh_from_db()
    assert report.status == "in_progress" and report.assigned_to == staff_user
    assert "marked as in progress" in staff_client.get("/staff/").content.decode()


def test_closing_needs_what_was_done(staff_client, report):
    response = staff_client.post(url(report), {"status": "closed", "note": ""})
    assert response.status_code == 400
    assert "Say what you did" in response.content.decode()
    response = staff_client.post(url(report), {"status": "closed", "note": "Number updated"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed" and "officer: Number updated" in report.staff_note


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose whether to mark it in progress or close it"),
        ({"status": "deleted"}, "Choose whether to mark it in progress or close it"),
        ({"status": "closed", "note": "x" * 2001}, "2,000 characters or fewer"),
        ({"status": "closed", "note": "\x00"}, "character we cannot save"),
    ],
)
def test_bad_values(staff_client, report, data, message):
    response = staff_client.post(url(report), data)
    assert response.status_code == 400 and message in response.content.decode()
    report.refresh_from_db()
    assert report.status == "new"


def test_who_may_handle_reports(people, report):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(url(report)))
        assert refused(people[name].post(url(report), {"status": "in_progress"}))
    report.refresh_from_db()
    assert report.status == "new"
    assert people["officer"].get(url(report)).status_code == 200
    assert people["administrator"].post(url(report), {"status": "in_progress"}).status_code == 302
