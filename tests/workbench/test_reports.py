"""The reports list: open ones, urgent first then the longest waiting; closed ones on request."""

from django.urls import reverse

from reports.models import ProblemReport

from .conftest import refused

LIST = reverse("workbench:reports")


def test_open_then_closed(staff_client, provider):
    for topic, status in [("other", "new"), ("safety", "in_progress"), ("closed", "closed")]:
        ProblemReport.objects.create(
            provider=provider, topic=topic, status=status, message="x", client_key="a" * 64
        )
    shown = [r.topic for r in staff_client.get(LIST).context["page"]]
    assert shown == ["safety", "other"]
    assert [r.topic for r in staff_client.get(LIST, {"open": "no"}).context["page"]] == ["closed"]
    for bad in ["abc", "-1", "9" * 40, "\x00"]:
        assert staff_client.get(LIST, {"page": bad}).status_code == 200  # the first page


def test_who_may_see_reports(people):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(LIST))
    assert people["officer"].get(LIST).status_code == 200
    assert people["administrator"].get(LIST).status_code == 200
