import pytest
from django.db import IntegrityError, transaction

from reports.models import ProblemReport


def test_report_copies_provider_name_and_sets_urgent_for_safety(make_report, provider):
    report = make_report(topic="safety")
    assert report.urgent is True
    assert report.provider_name == provider.name
    assert str(report) == f"A concern about quality or safety: {provider.name}"


def test_urgent_first_then_newest(make_report):
    old_urgent = make_report(topic="safety")
    newer = make_report()
    newest = make_report(topic="other")
    assert list(ProblemReport.objects.all()) == [old_urgent, newest, newer]


@pytest.mark.parametrize(
    "change",
    [
        {"status": "bogus"},
        {"topic": "bogus"},
        {"topic": "safety", "urgent": False},
        {"message": ""},
        {"message": "m" * 2001},
        {"provider_name": ""},
        {"client_key": "203.0.113.5"},
    ],
)
def test_database_constraints(make_report, change):
    report = make_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemReport.objects.filter(pk=report.pk).update(**change)


def test_report_survives_deletion_of_the_listing(make_report, provider):
    report = make_report(topic="safety")
    name = provider.name
    provider.delete()
    report.refresh_from_db()
    assert report.provider is None
    assert report.provider_name == name
    assert report.message == "The phone number is wrong."


def test_open_reports(make_report):
    make_report(status="new")
    make_report(status="in_progress")
    make_report(status="closed")
    assert ProblemReport.objects.open().count() == 2
