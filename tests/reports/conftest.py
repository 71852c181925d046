import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from reports.models import ProblemReport


@pytest.fixture
def report_url(provider):
    return reverse("reports:report", args=[provider.slug])


@pytest.fixture
def reports_staff_client(staff_client, staff_user):
    """The council officer, with the reports permissions that `load_demo` gives the group too."""
    group = Group.objects.get(name="Council staff")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="reports"))
    return staff_client


@pytest.fixture
def make_report(provider):
    def make(**overrides):
        fields = {
            "provider": provider,
            "topic": ProblemReport.Topic.OUT_OF_DATE,
            "message": "The phone number is wrong.",
            "client_key": "a" * 64,
        }
        fields.update(overrides)
        return ProblemReport.objects.create(**fields)

    return make
