"""Where demand goes unmet: searches that found no provider or fewer than five, counted by
postcode district, week and the types of help filtered for; nothing else about a search is kept;
counts under five are suppressed wherever they are shown."""

from datetime import timedelta

from django.urls import reverse

from providers.models import Service
from search.models import UnmetDemand
from search.services import search_counts_write, unmet_demand_add
from workbench.figures import staff_figures, unmet_totals

from ..factories import make_provider

RESULTS = reverse("search:results")


def counts():
    return {
        (row.outward, row.help_types): (row.none_found, row.few_found)
        for row in UnmetDemand.objects.all()
    }


def test_searches_that_find_too_few_are_counted_by_district_week_and_help(client, postcodes, today):
    make_provider(services=Service.objects.filter(slug="cleaning"))  # one provider near CM1
    client.get(RESULTS, {"postcode": "CM1 1AE"})  # found 1: fewer than five
    client.get(RESULTS, {"postcode": "CM1 1AE", "category": "personal-care"})  # found none
    client.get(RESULTS, {"postcode": "cm1 1rw", "category": ["personal-care", "help-at-home"]})
    client.get(RESULTS, {"postcode": "CM1 1AE", "page": "2"})  # not a new search
    client.get(RESULTS, {"postcode": "TA1 1NR"})  # nobody there
    client.get(RESULTS, {"postcode": "ZZ99 9ZZ"})  # not found: no district, not counted
    client.get(RESULTS, {"postcode": "CM1 1AE", "category": "<script>"})  # unknown: ignored
    assert counts() == {
        ("CM1", ""): (0, 2),
        ("CM1", "personal-care"): (1, 0),
        ("CM1", "help-at-home,personal-care"): (0, 1),
        ("TA1", ""): (1, 0),
    }
    week = today - timedelta(days=today.weekday())
    assert set(UnmetDemand.objects.values_list("week", flat=True)) == {week}
    # Counts only: no postcode, place, query or time of day.
    assert [field.name for field in UnmetDemand._meta.fields] == [
        "id",
        "outward",
        "week",
        "help_types",
        "none_found",
        "few_found",
    ]


def test_five_or_more_found_is_not_unmet(client, postcodes):
    for n in range(5):
        make_provider(name=f"Provider {n}")
    client.get(RESULTS, {"postcode": "CM1 1AE"})
    assert not UnmetDemand.objects.exists()


def test_counts_add_up_in_the_database(db, today, settings):
    settings.SEARCH_COUNT_SECONDS = 3600
    for found in [0, 0, 3, 4, 5, 12]:
        unmet_demand_add(outward="CM2", help_types=("personal-care",), found=found, today=today)
    unmet_demand_add(outward="", help_types=(), found=0, today=today)  # a place name
    assert not UnmetDemand.objects.exists()  # kept in the process until written
    search_counts_write()
    unmet_demand_add(outward="CM2", help_types=("personal-care",), found=0, today=today)
    search_counts_write()
    assert counts() == {("CM2", "personal-care"): (3, 2)}


def test_figures_suppress_counts_under_five(postcodes, today, settings):
    settings.SEARCH_COUNT_SECONDS = 3600
    for _ in range(6):
        unmet_demand_add(outward="CM1", help_types=("personal-care",), found=0, today=today)
    for _ in range(2):
        unmet_demand_add(outward="CM1", help_types=(), found=2, today=today)
    unmet_demand_add(outward="TA1", help_types=(), found=0, today=today)
    search_counts_write()
    figures = staff_figures(today)
    rows = {row["outward"]: row for row in figures["unmet"]}
    assert rows["CM1"]["none"] == 6 and rows["CM1"]["few"] is None and rows["CM1"]["total"] == 8
    assert rows["CM1"]["help"] == [("Personal care", 6), ("Any help", None)]
    assert rows["TA1"]["none"] is None and rows["TA1"]["total"] is None
    assert [circle["outward"] for circle in figures["unmet_map"]] == ["CM1"]  # TA1 suppressed
    assert unmet_totals(today) == {"weeks": 12, "none": 7, "few": None}


def test_the_staff_page_and_the_about_page(staff_client, client, postcodes, today, settings):
    settings.SEARCH_COUNT_SECONDS = 3600
    for _ in range(5):
        unmet_demand_add(outward="CM1", help_types=("personal-care",), found=0, today=today)
    unmet_demand_add(outward="TA1", help_types=(), found=1, today=today)
    search_counts_write()
    html = staff_client.get(reverse("workbench:figures")).content.decode()
    assert "Where demand goes unmet" in html
    assert "Personal care (5)" in html
    assert "fewer than 5" in html
    assert '<svg class="app-unmet-map"' in html
    csv = staff_client.get(reverse("workbench:figures-csv")).content.decode()
    assert '"Searches that found no provider, last 12 weeks",CM1,5' in csv
    about = client.get(reverse("about")).content.decode()
    assert "5 searches found no provider" in about
    assert "fewer than 5 searches found fewer than 5 providers" in about
