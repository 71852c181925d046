"""Programme figures for commissioners, and searches counted only by district and week."""

import csv
import io
from datetime import timedelta

from django.urls import reverse

from providers.services import provider_set_status
from reports.models import ProblemReport
from search.models import SearchCount
from search.services import search_counts_write

from ..factories import add_check, make_provider


def test_figures_page_and_csv(staff_client, staff_user, postcodes, today):
    draft = make_provider(name="Draft", status="draft")
    add_check(draft, "dbs")
    for kind in ["insurance", "safeguarding", "business_registration", "exemption"]:
        add_check(draft, kind)
    provider_set_status(provider=draft, status="published", by=staff_user, reason="ok")
    graced = make_provider(name="Graced", base_postcode="TA1 1NR")
    add_check(graced, "dbs", expires_on=today - timedelta(days=2))
    ProblemReport.objects.create(provider=graced, topic="closed", message="x", client_key="a" * 64)
    response = staff_client.get(reverse("workbench:figures"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["total"] == 2
    assert figures["checks_current"] == 1 and figures["checks_current_percent"] == 50
    assert dict(figures["by_district"]) == {"CM1": 1, "TA1": 1}
    assert dict(figures["reports"]) == {"The provider has closed": 1}
    month = today.strftime("%Y-%m")
    assert (month, 1, 0) in figures["by_month"]
    rows = list(
        csv.reader(io.StringIO(staff_client.get(reverse("workbench:figures-csv")).content.decode()))
    )
    assert rows[0] == ["Figure", "Group", "Value"]
    assert ["Published listings", "All", "2"] in rows
    assert ["Published listings by postcode district", "TA1", "1"] in rows


def test_searches_are_counted_by_district_and_week_only(client, postcodes, today):
    make_provider()
    for postcode in ["CM1 1AE", "cm1 1rw", "CM1", "TA1 1NR"]:
        client.get(reverse("search:results"), {"postcode": postcode})
    client.get(reverse("search:results"), {"postcode": "CM1 1AE", "page": "2"})  # not a new search
    client.get(reverse("search:results"), {"postcode": "ZZ99 9ZZ"})  # not found: not counted
    week = today - timedelta(days=today.weekday())
    assert set(SearchCount.objects.values_list("outward", "week", "count")) == {
        ("CM1", week, 3),
        ("TA1", week, 1),
    }
    # Nothing else about a search is kept.
    assert [field.name for field in SearchCount._meta.fields] == ["id", "outward", "week", "count"]


def test_the_about_page_shows_the_public_figures(client, postcodes):
    make_provider(name="One")
    html = client.get(reverse("about")).content.decode()
    assert "1 published listing" in html
    assert "Personal care" in html


def test_searches_are_written_in_batches(client, postcodes, today, settings):
    """Counted in the process and written at most every SEARCH_COUNT_SECONDS (a write for every
    search cost most of a cached search on PostgreSQL), or when a worker exits."""
    settings.SEARCH_COUNT_SECONDS = 3600
    make_provider()
    for _ in range(3):
        client.get(reverse("search:results"), {"postcode": "CM1 1AE"})
    assert not SearchCount.objects.exists()
    search_counts_write()
    week = today - timedelta(days=today.weekday())
    assert list(SearchCount.objects.values_list("outward", "week", "count")) == [("CM1", week, 3)]
    search_counts_write()  # nothing new: nothing written twice
    assert SearchCount.objects.get().count == 3
