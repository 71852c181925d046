"""The listings index: find a listing by name, town, postcode, email or reference, filter by
status and checks, page through, and download what is shown as the import's CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from ..factories import add_check, make_provider
from .conftest import refused

INDEX = reverse("workbench:listings")
EXPORT = reverse("workbench:listings-export")


@pytest.fixture
def two(postcodes, today):
    a = make_provider(name="Flint Friendship Club", town="Flint", email="a@example.org")
    b = make_provider(name="Chelmsford Carers", status="pending")
    add_check(a, "dbs", expires_on=today + timedelta(days=9))
    return a, b


def names(response):
    return [provider.name for provider in response.context["page"]]


def test_search_and_filters(staff_client, two):
    a, b = two
    assert names(staff_client.get(INDEX)) == ["Chelmsford Carers", "Flint Friendship Club"]
    assert names(staff_client.get(INDEX, {"q": "flint"})) == ["Flint Friendship Club"]
    assert names(staff_client.get(INDEX, {"q": f"ref. {b.pk}"})) == ["Chelmsford Carers"]
    assert names(staff_client.get(INDEX, {"q": "cm11rw"})) == [
        "Chelmsford Carers",
        "Flint Friendship Club",
    ]
    assert names(staff_client.get(INDEX, {"status": "pending"})) == ["Chelmsford Carers"]
    assert names(staff_client.get(INDEX, {"checks": "expiring"})) == ["Flint Friendship Club"]
    html = staff_client.get(INDEX).content.decode()
    assert (
        reverse("workbench:listing", args=[a.pk]) in html
        and "/admin/providers/provider/1/change" not in html
    )


def test_export_writes_what_is_shown(staff_client, two):
    response = staff_client.get(EXPORT, {"status": "pending"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in rows] == ["Chelmsford Carers"]
    assert "dbs_expires_on" in rows[0]
    everything = staff_client.get(EXPORT).content.decode()
    assert "Flint Friendship Club" in everything and "Chelmsford Carers" in everything


@pytest.mark.parametrize(
    "params, message",
    [
        ({"status": "nonsense"}, "Choose a status from the list"),
        ({"checks": "<script>"}, "Choose a checks filter from the list"),
        ({"q": "x" * 101}, "100 characters or fewer"),
        ({"q": "a\x00b"}, "character we cannot save"),
        ({"page": "abc"}, "The page must be a number"),
        ({"page": "0"}, "1 or more"),
        ({"page": "9" * 30}, "not that many pages"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(staff_client, two, params, message):
    for address in (INDEX, EXPORT):
        response = staff_client.get(address, params)
        assert response.status_code == 400, address
        html = response.content.decode()
        assert message in html and "<script>" not in html.split("<main")[1].split("</main>")[0]


def test_a_page_past_the_end_shows_the_last(staff_client, two):
    assert staff_client.get(INDEX, {"page": "50"}).status_code == 200


def test_who_may_see_and_export(people, two):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(INDEX)), name
        assert refused(people[name].get(EXPORT)), name
    for name in ["officer", "administrator"]:
        assert people[name].get(INDEX).status_code == 200
        assert people[name].get(EXPORT).status_code == 200
