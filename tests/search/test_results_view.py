"""The results page: coverage, order, nearby fallback, filters and counts, pages, sort, map."""

import json
import math
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from geopy.distance import great_circle

from places.models import Postcode
from providers.models import Audience, CoverageDistrict, Provider, Service
from search import selectors

from ..factories import add_basic_checks, add_check, make_provider

URL = reverse("search:results")


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    return response


def names(response):
    return [p.name for p in response.context["page"].object_list]


def point(postcode):
    return Postcode.objects.filter(postcode=postcode).values_list("latitude", "longitude").get()


def miles_between(a, b):
    return great_circle(point(a), point(b)).miles


# Coverage -------------------------------------------------------------------------------------


def test_radius_edge(client, postcodes):
    miles = miles_between("CM1 1RW", "CM2 8QB")
    assert 0.1 < miles % 1 < 0.9  # far enough from a whole mile for the edge to be clear-cut
    make_provider(
        name="Just reaches", base_postcode="CM1 1RW", coverage_radius_miles=math.ceil(miles)
    )
    make_provider(
        name="Just short", base_postcode="CM1 1RW", coverage_radius_miles=math.floor(miles)
    )
    assert names(search(client, postcode="CM2 8QB")) == ["Just reaches"]


def test_listed_district_covers_the_whole_district(client, postcodes):
    far = make_provider(name="Districts only", base_postcode="TA1 1NR", coverage_radius_miles=0)
    CoverageDistrict.objects.create(provider=far, outward="CO1")
    assert names(search(client, postcode="CO1 2FN")) == ["Districts only"]
    assert names(search(client, postcode="CO1")) == ["Districts only"]
    assert names(search(client, postcode="CO2 7BG")) == []


def test_outside_radius_and_districts_is_not_listed(client, postcodes):
    make_provider(name="Chelmsford only", base_postcode="CM1 1RW", coverage_radius_miles=10)
    response = search(client, postcode="TA6 3JA")
    assert names(response) == []
    assert "0 providers cover TA6 3JA" in response.content.decode()


def test_removing_a_district_removes_its_coverage(client, postcodes):
    provider = make_provider(name="Was in CO1", base_postcode="TA1 1NR", coverage_radius_miles=0)
    district = CoverageDistrict.objects.create(provider=provider, outward="CO1")
    district.delete()
    assert names(search(client, postcode="CO1 2FN")) == []


def test_sector_and_outward_searches(client, postcodes):
    make_provider(name="Chelmsford", coverage_radius_miles=10)
    assert names(search(client, postcode="cm1 1")) == ["Chelmsford"]
    assert names(search(client, postcode="cm1")) == ["Chelmsford"]


def test_nearest_first_with_rounded_distances(client, postcodes):
    make_provider(name="Far", base_postcode="CM2 8QB", coverage_radius_miles=20)
    make_provider(name="Near", base_postcode="CM1 1RW", coverage_radius_miles=20)
    make_provider(name="Middle", base_postcode="CM1 6GB", coverage_radius_miles=20)
    response = search(client, postcode="CM1 1RW")
    assert names(response) == ["Near", "Middle", "Far"]
    html = response.content.decode()
    assert "less than a mile away" in html
    assert re.search(r"about \d+ miles? away", html)


def test_suspended_and_draft_providers_never_appear(client, postcodes):
    make_provider(name="Suspended", status="suspended", coverage_radius_miles=20)
    make_provider(name="Draft", status="draft", coverage_radius_miles=20)
    make_provider(name="Live", coverage_radius_miles=20)
    response = search(client, postcode="CM1 1RW")
    assert names(response) == ["Live"]
    assert "Suspended" not in response.content.decode()


# Nearby fallback ------------------------------------------------------------------------------


def test_nearby_providers_offered_when_few_cover(client, postcodes):
    make_provider(name="Covers", base_postcode="CM1 1RW", coverage_radius_miles=20)
    make_provider(name="Based nearby", base_postcode="CM2 8QB", coverage_radius_miles=1)
    make_provider(name="Too far", base_postcode="TA1 1NR", coverage_radius_miles=1)
    response = search(client, postcode="CM1 1RW")
    assert names(response) == ["Covers"]
    assert [p.name for p in response.context["nearby"]] == ["Based nearby"]
    assert "You could ask these providers" in response.content.decode()


def test_no_nearby_list_when_enough_cover(client, postcodes):
    for number in range(5):
        make_provider(name=f"Covers {number}", coverage_radius_miles=20)
    make_provider(name="Based nearby", base_postcode="CM2 8QB", coverage_radius_miles=1)
    response = search(client, postcode="CM1 1RW")
    assert response.context["nearby"] == []
    assert "You could ask" not in response.content.decode()


# Filters and counts ---------------------------------------------------------------------------


@pytest.fixture
def varied(postcodes, today):
    """Four providers that differ in every filtered way."""
    personal = Service.objects.filter(category__slug="personal-care")
    home = Service.objects.filter(category__slug="help-at-home")
    older = Audience.objects.get(slug="older-people")
    dementia = Audience.objects.get(slug="dementia")
    a = make_provider(
        name="A personal care",
        services=personal[:2],
        audiences=[older],
        is_free=True,
        accepts_direct_payments=True,
        available_evenings=True,
        registered="1-000000001",
        coverage_radius_miles=20,
    )
    add_basic_checks(a)
    b = make_provider(
        name="B home help",
        services=home[:1],
        audiences=[dementia],
        hourly_rate_min=Decimal("18.00"),
        hourly_rate_max=Decimal("22.00"),
        available_weekends=True,
        welsh_spoken=True,
        coverage_radius_miles=20,
    )
    add_basic_checks(b)
    dbs = b.checks.get(kind="dbs")
    dbs.verified_on, dbs.expires_on = today - timedelta(days=400), today - timedelta(days=1)
    dbs.save()
    c = make_provider(
        name="C both",
        services=[personal[0], home[0]],
        audiences=[older, dementia],
        hourly_rate_min=Decimal("24.00"),
        accepts_direct_payments=True,
        available_overnight=True,
        coverage_radius_miles=20,
    )
    # Public, but not all four checks current: its insurance ran out, within the grace period.
    add_check(c, "insurance", expires_on=today - timedelta(days=5))
    make_provider(name="D elsewhere", base_postcode="TA1 1NR", services=personal[:1])
    return a, b, c


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A personal care", "B home help", "C both"]),
        ({"category": "personal-care"}, ["A personal care", "C both"]),
        (
            {"category": ["personal-care", "help-at-home"]},
            ["A personal care", "B home help", "C both"],
        ),
        ({"audience": "dementia"}, ["B home help", "C both"]),
        ({"cost": "free"}, ["A personal care"]),
        ({"cost": "20"}, ["A personal care", "B home help"]),
        ({"cost": "25"}, ["A personal care", "B home help", "C both"]),
        ({"feature": "direct_payments"}, ["A personal care", "C both"]),
        ({"feature": "checks"}, ["A personal care"]),
        ({"feature": "registered"}, ["A personal care"]),
        ({"feature": ["direct_payments", "registered"]}, ["A personal care"]),
        ({"when": "evenings"}, ["A personal care"]),
        ({"when": "weekends"}, ["B home help"]),
        ({"feature": "welsh"}, ["B home help"]),
        ({"when": "overnight"}, ["C both"]),
        ({"when": ["weekends", "overnight"]}, []),
        ({"category": "personal-care", "audience": "dementia"}, ["C both"]),
    ],
)
def test_each_filter(client, varied, params, expected):
    response = search(client, postcode="CM1 1RW", **params)
    assert sorted(names(response)) == expected


def test_service_filter(client, varied):
    service = varied[1].services.get()
    response = search(client, postcode="CM1 1RW", service=service.slug)
    assert sorted(names(response)) == ["B home help", "C both"]


def test_facet_counts_say_what_ticking_would_give(client, varied):
    facets = search(client, postcode="CM1 1RW").context["facets"]
    assert facets["category"] == {"personal-care": 2, "help-at-home": 2}
    assert facets["audience"] == {"older-people": 2, "dementia": 2}
    assert facets["cost"] == {"free": 1, "15": 1, "20": 2, "25": 3}
    assert facets["feature"] == {
        "direct_payments": 2,
        "checks": 1,
        "registered": 1,
        "welsh": 1,
        "taking": 0,
    }
    assert facets["when"]["evenings"] == 1 and facets["when"]["overnight"] == 1


def test_facet_counts_follow_the_other_filters(client, varied):
    facets = search(client, postcode="CM1 1RW", category="personal-care").context["facets"]
    # Within "type of help" the counts ignore its own ticks (any-of), but follow every other group.
    assert facets["category"] == {"personal-care": 2, "help-at-home": 2}
    assert facets["audience"] == {"older-people": 2, "dementia": 1}
    assert facets["feature"]["direct_payments"] == 2
    # Ticking "free only" narrows the type-of-help counts.
    facets = search(client, postcode="CM1 1RW", cost="free").context["facets"]
    assert facets["category"] == {"personal-care": 1}


def test_counts_are_shown_beside_each_option(client, varied):
    html = search(client, postcode="CM1 1RW").content.decode()
    assert re.search(r"Personal care\s*<span class=\"app-count\">\(2\)</span>", html)
    assert re.search(r"Free only\s*<span class=\"app-count\">\(1\)</span>", html)


def test_summary_names_the_category(client, varied):
    html = search(client, postcode="cm1 1rw", category="personal-care").content.decode()
    assert "2 providers cover CM1 1RW for personal care" in html


# Pages and sort -------------------------------------------------------------------------------


@pytest.fixture
def many(postcodes, today):
    for number in range(25):
        provider = make_provider(
            name=f"Provider {number:02d}",
            coverage_radius_miles=20,
            reviewed_on=today - timedelta(days=number),
        )
        add_check(provider, "dbs")


def test_twenty_a_page(client, many):
    first = search(client, postcode="CM1 1RW")
    assert len(names(first)) == 20
    assert "25 providers cover CM1 1RW" in first.content.decode()
    second = search(client, postcode="CM1 1RW", page=2)
    assert len(names(second)) == 5
    assert set(names(first)).isdisjoint(names(second))


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", 1), ("0", 2), ("-1", 2), ("99", 2), ("1e9", 1), ("", 1)]
)
def test_odd_page_numbers_are_corrected(client, many, page, shown):
    assert search(client, postcode="CM1 1RW", page=page).context["page"].number == shown


def test_long_result_lists_link_to_nearby_pages_only(client, many, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)  # 25 providers: 13 pages
    html = search(client, postcode="CM1 1RW", page=7).content.decode()
    linked = re.findall(r'aria-label="Page (\d+)"', html)
    assert linked == ["1", "6", "7", "8", "13"]
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert 'aria-label="Page 7" aria-current="page"' in html


def test_sort_by_name_and_by_council_check(client, many):
    by_name = names(search(client, postcode="CM1 1RW", sort="name"))
    assert by_name == sorted(by_name)
    by_check = names(search(client, postcode="CM1 1RW", sort="checked"))
    assert by_check[:3] == ["Provider 00", "Provider 01", "Provider 02"]
    assert search(client, postcode="CM1 1RW", sort="nonsense").context["sort"] == "distance"


# Map ------------------------------------------------------------------------------------------


def map_json(client, response):
    """The map's data, from the URL the results page gives the map script."""
    url = unescape(re.search(r'data-map-url="([^"]+)"', response.content.decode())[1])
    data = client.get(url)
    assert data.status_code == 200
    assert data["Content-Type"] == "application/json"
    return data.json()


def test_results_page_carries_no_map_data(client, many):
    html = search(client, postcode="CM1 1RW").content.decode()
    assert 'id="map-data"' not in html
    assert "Provider 24" not in html  # on the map, but not on this page of results


def test_map_places_providers_at_area_level_only(client, postcodes):
    provider = make_provider(name="Home based", coverage_radius_miles=10)
    response = search(client, postcode="CM1 6GB")
    data = map_json(client, response)
    ((area, name, slug, *_),) = data["providers"]
    assert (data["areas"][area]["lat"], data["areas"][area]["lon"]) == (
        round(provider.area_latitude, 5),
        round(provider.area_longitude, 5),
    )
    assert data["areas"][area]["label"] == "Chelmsford (CM1 1)"
    assert name == "Home based"
    assert data["profileUrl"] + slug + "/" == provider.get_absolute_url()
    html = response.content.decode() + json.dumps(data)
    home = Postcode.objects.get(postcode=provider.base_postcode)
    for digits in (4, 5, 6):  # at 3 places (about 100 m) the sector's centre may agree
        assert f"{home.latitude:.{digits}f}" not in html
        assert f"{home.longitude:.{digits}f}" not in html
    assert "CM1 1RW" not in html  # the base postcode


def test_map_data_has_the_searched_point_and_settings(client, postcodes, settings):
    make_provider(coverage_radius_miles=10)
    data = map_json(client, search(client, postcode="CM1 1RW"))
    assert data["centre"]["label"] == "CM1 1RW"
    assert data["tiles"]["url"] == ""  # tests draw no tiles
    assert data["tiles"]["maxZoom"] == settings.LEAFLET_CONFIG["MAX_ZOOM"]


def test_both_maps_draw_with_django_leaflets_config(client, postcodes, settings):
    """LEAFLET_CONFIG is the maps' configuration: the results map and a listing's area map both
    get its first tile layer (URL and attribution) and its MAX_ZOOM."""
    layer = ("Map", "https://tiles.example.org/{z}/{x}/{y}.png", {"attribution": "&copy; Maps"})
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [layer], "MAX_ZOOM": 15}
    provider = make_provider(coverage_radius_miles=10)
    tiles = {"url": layer[1], "attribution": "&copy; Maps", "maxZoom": 15}
    assert map_json(client, search(client, postcode="CM1 1RW"))["tiles"] == tiles
    profile = client.get(provider.get_absolute_url()).content.decode()
    source = re.search(
        r'<script id="profile-map-data" type="application/json">(.*?)</script>', profile
    )
    assert json.loads(source[1])["tiles"] == tiles


def test_map_shows_every_result_with_each_area_once(client, many):
    data = map_json(client, search(client, postcode="CM1 1RW"))
    assert len(data["providers"]) == 25  # more than a page: the map has them all
    assert len(data["areas"]) == 1  # all based in CM1
    assert {row[1] for row in data["providers"]} == {f"Provider {n:02d}" for n in range(25)}


def test_no_inline_script_apart_from_json(client, postcodes):
    html = search(client, postcode="CM1 1RW").content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


# Query counts ---------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_results(client, postcodes, today):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            search(client, postcode="CM1 1RW", category="personal-care", feature="checks")
        return len(queries)

    # Start above the nearby-fallback threshold, which adds its own fixed queries below it.
    for number in range(6):
        provider = make_provider(name=f"First {number}", coverage_radius_miles=20)
        add_basic_checks(provider)
    count_queries()  # the week's first search of CM1 inserts its count row; later ones update it
    few = count_queries()
    for number in range(30):
        provider = make_provider(name=f"More {number}", coverage_radius_miles=20)
        add_basic_checks(provider)
    assert count_queries() == few


def test_query_ceiling(client, postcodes, django_assert_max_num_queries):
    for number in range(25):
        make_provider(name=f"P{number}", coverage_radius_miles=20)
    with django_assert_max_num_queries(20):
        search(client, postcode="CM1 1RW", category="personal-care", sort="name", page=2)


def test_postcode_resolves_in_one_indexed_query(postcodes, django_assert_num_queries):
    with django_assert_num_queries(1):
        Postcode.objects.locate("CM1 1RW")


# Bad filter input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"category": "no-such-category"},
        {"category": "\x00"},
        {"service": "x" * 5000},
        {"audience": "<script>alert(1)</script>"},
        {"cost": "999"},
        {"cost": "-1"},
        {"feature": "'; DROP TABLE providers_provider; --"},
        {"when": "sometimes"},
        {"sort": "\x00"},
        {"page": "\x00"},
        {"page": "9" * 400},
        {"category": ["personal-care"] * 200},
    ],
)
def test_unknown_filter_values_are_ignored_with_a_note(client, varied, params):
    response = search(client, postcode="CM1 1RW", **params)
    assert len(names(response)) >= 1
    assert Provider.objects.count() == 4


def test_ignored_filter_is_mentioned(client, varied):
    html = search(client, postcode="CM1 1RW", category="nope").content.decode()
    assert "We ignored a filter we did not recognise" in html


# Place names ----------------------------------------------------------------------------------


def test_a_place_not_in_the_table_needs_the_geocoder(client, postcodes):
    response = client.get(URL, {"postcode": "Chelmsford"})  # no place names loaded here
    assert response.status_code == 400
    assert "We could not find a town or village called Chelmsford" in response.content.decode()


def test_geocoder_down_gives_a_plain_message(client, postcodes, settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = "127.0.0.1:9"  # nothing listens on the discard port
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_TIMEOUT = 1
    response = client.get(URL, {"postcode": "Chelmsford"})
    assert response.status_code == 400
    assert "We could not look up place names just now" in response.content.decode()
