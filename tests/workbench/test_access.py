"""The authorisation matrix of every workbench page, as a table: who may open it (GET).
Anonymous visitors are sent to sign in; a provider's own account is never staff; council officers
and administrators do the daily work."""

import pytest
from django.urls import reverse

from portal.models import Application, ProposedChange
from reports.models import ProblemReport

from .conftest import refused

ALLOWED = {"anonymous": False, "provider": False, "officer": True, "administrator": True}


@pytest.fixture
def pages(provider):
    report = ProblemReport.objects.create(
        provider=provider, topic="other", message="x", client_key="a" * 64
    )
    proposal = ProposedChange.objects.create(
        provider=provider, changes={"summary": {"old": "a", "new": "b"}}, listing_version=1
    )
    Application.objects.create(provider=provider, email="x@example.org")
    return [
        reverse("workbench:queue"),
        reverse("workbench:figures"),
        reverse("workbench:figures-csv"),
        reverse("workbench:pipeline"),
        reverse("workbench:listings"),
        reverse("workbench:listings-export"),
        reverse("workbench:listing", args=[provider.pk]),
        reverse("workbench:listing-suspend", args=[provider.pk]),
        reverse("workbench:listing-review", args=[provider.pk]),
        reverse("workbench:check-renew", args=[provider.pk, "dbs"]),
        reverse("workbench:reports"),
        reverse("workbench:report", args=[report.pk]),
        reverse("workbench:proposals"),
        reverse("workbench:proposal", args=[proposal.pk]),
    ]


@pytest.mark.parametrize("person", list(ALLOWED))
def test_the_matrix(people, pages, person):
    for page in pages:
        response = people[person].get(page)
        if ALLOWED[person]:
            assert response.status_code == 200, (person, page)
        else:
            assert refused(response), (person, page)


def test_staff_pages_have_no_language_link(people, pages):
    for page in pages:
        response = people["officer"].get(page)
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert "Cymraeg" not in html and 'hreflang="cy"' not in html, page
    assert people["officer"].get("/cy/staff/").status_code == 404
