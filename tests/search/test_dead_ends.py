"""No dead ends: outside the area the page says where the directory lists providers and where
else to look; filters that leave nothing name the filters to remove."""

from html import unescape

import pytest
from django.urls import reverse

from ..factories import make_provider
from .test_results_view import varied  # noqa: F401 - the shared fixture

URL = reverse("search:results")


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_outside_the_area_names_the_towns_listed_and_where_else_to_look(client, postcodes):
    make_provider(name="Chelmsford Care", town="Chelmsford", coverage_radius_miles=5)
    make_provider(name="Taunton Care", base_postcode="TA1 1NR", town="Taunton")
    html = page(client, postcode="SW1A 1AA")
    assert "This directory does not list anyone near SW1A 1AA" in html
    towns = html.split('class="govuk-list govuk-list--bullet app-towns">')[1].split("</ul>")[0]
    assert "<li>Chelmsford</li>" in towns
    assert "<li>Taunton</li>" in towns
    assert 'href="https://www.gov.uk/find-local-council"' in html
    assert "Filter results" not in html  # every count would be 0
    assert "(0)" not in html


def test_neighbouring_directories_come_from_settings(client, postcodes, settings):
    settings.NEIGHBOUR_DIRECTORIES = [("Somerset Community Connect", "https://example.org/som")]
    settings.FIND_COUNCIL_URL = "https://example.org/find"
    html = page(client, postcode="SW1A 1AA")
    assert (
        '<a class="govuk-link" href="https://example.org/som">Somerset Community Connect</a>'
        in (html)
    )
    assert 'href="https://example.org/find"' in html


def test_filters_that_leave_nothing_name_the_ones_to_remove(client, varied):  # noqa: F811
    response = client.get(URL, {"postcode": "CM1 1RW", "when": ["weekends", "overnight"]})
    html = unescape(response.content.decode()).replace("</a>", "")
    assert "No providers match all your filters" in html
    assert "Remove “Weekends” (1 provider)" in html
    assert "Remove “Overnight” (1 provider)" in html
    assert "Clear all filters" in html
    # Each link is the same search without that one option.
    queries = {label: query for label, _, query in response.context["loosen"]}
    assert queries == {
        "Weekends": "postcode=CM1+1RW&when=overnight",
        "Overnight": ("postcode=CM1+1RW&when=weekends"),
    }


def test_a_link_to_remove_a_filter_finds_providers(client, varied):  # noqa: F811
    response = client.get(URL, {"postcode": "CM1 1RW", "when": "weekends", "cost": "free"})
    query = response.context["loosen"][0][2]
    assert [p.name for p in client.get(f"{URL}?{query}").context["page"].object_list]


@pytest.mark.parametrize("postcode", ["CM1 1RW", "CM1"])
def test_results_are_not_a_dead_end(client, varied, postcode):  # noqa: F811
    html = page(client, postcode=postcode)
    assert "This directory does not list anyone" not in html
    assert 'href="#filters"' in html
    assert 'id="filters"' in html
