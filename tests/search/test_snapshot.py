"""The search snapshot (`search.snapshot`): built from published listings only, and never stale.

Each test searches first, so a snapshot exists, then changes the directory the way staff would and
searches again: the second page must show the change.
"""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from places.models import Postcode
from providers.models import Check, CoverageDistrict, Provider, Service, ServiceCategory
from search import snapshot

from ..factories import add_check, make_provider

URL = reverse("search:results")


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def names(response):
    return [provider.name for provider in response.context["page"].object_list]


def map_names(client, response):
    url = response.context["map_url"]
    return [row[1] for row in client.get(url).json()["providers"]]


@pytest.fixture
def listed(postcodes):
    return make_provider(name="Listed", coverage_radius_miles=10)


def test_snapshot_holds_published_listings_only(postcodes):
    make_provider(name="Live")
    for status in ["draft", "pending", "suspended", "archived"]:
        make_provider(name=status.title(), status=status)
    current = snapshot.current()
    assert current.size == 1
    assert [listing.name for listing in current.listings] == ["Live"]


def test_unpublishing_removes_from_list_and_map_at_once(client, listed):
    assert names(search(client, postcode="CM1 1RW")) == ["Listed"]
    listed.status = Provider.Status.SUSPENDED
    listed.save()
    response = search(client, postcode="CM1 1RW")
    assert names(response) == []
    assert map_names(client, response) == []


def test_queryset_updates_reach_search(client, listed):
    search(client, postcode="CM1 1RW")
    Provider.objects.filter(pk=listed.pk).update(status=Provider.Status.ARCHIVED)
    response = search(client, postcode="CM1 1RW")
    assert names(response) == []
    assert "Listed" not in response.content.decode()


def test_new_listing_appears_at_once(client, listed):
    search(client, postcode="CM1 1RW")
    make_provider(name="Newcomer", coverage_radius_miles=10)
    assert sorted(names(search(client, postcode="CM1 1RW"))) == ["Listed", "Newcomer"]


def test_service_changes_reach_filters_and_counts(client, listed):
    washing = Service.objects.get(slug="washing-and-bathing")
    listed.services.set([Service.objects.get(slug="cleaning")])
    before = search(client, postcode="CM1 1RW", service="washing-and-bathing")
    assert names(before) == []
    listed.services.add(washing)
    after = search(client, postcode="CM1 1RW", service="washing-and-bathing")
    assert names(after) == ["Listed"]
    assert after.context["facets"]["service"]["washing-and-bathing"] == 1


def test_district_changes_reach_coverage(client, listed):
    assert names(search(client, postcode="CO1 2FN")) == []
    district = CoverageDistrict.objects.create(provider=listed, outward="CO1")
    assert names(search(client, postcode="CO1 2FN")) == ["Listed"]
    district.delete()
    assert names(search(client, postcode="CO1 2FN")) == []


def test_check_changes_reach_the_checks_filter_and_the_rules(client, listed, today):
    assert names(search(client, postcode="CM1 1RW", feature="checks")) == ["Listed"]
    add_check(listed, "insurance", expires_on=today - timedelta(days=1))  # in its grace period
    assert search(client, postcode="CM1 1RW").context["facets"]["feature"]["checks"] == 0
    assert names(search(client, postcode="CM1 1RW")) == ["Listed"]
    Check.objects.get(provider=listed, kind="insurance").delete()  # outside the rules: gone
    assert names(search(client, postcode="CM1 1RW")) == []
    add_check(listed, "insurance", expires_on=today)  # runs out today: still current
    assert names(search(client, postcode="CM1 1RW", feature="checks")) == ["Listed"]


def test_taxonomy_changes_reach_filters(client, listed):
    category = listed.services.first().category
    search(client, postcode="CM1 1RW", category=category.slug)
    category.slug = "renamed-help"
    category.save()
    response = search(client, postcode="CM1 1RW", category="renamed-help")
    assert names(response) == ["Listed"]
    assert response.context["facets"]["category"]["renamed-help"] == 1
    assert ServiceCategory.objects.filter(slug="renamed-help").exists()


def test_a_rolled_back_change_leaves_no_trace(client, listed):
    try:
        with transaction.atomic():
            make_provider(name="Never saved", coverage_radius_miles=10)
            assert "Never saved" in names(search(client, postcode="CM1 1RW"))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert names(search(client, postcode="CM1 1RW")) == ["Listed"]


def test_radius_zero_covers_listed_districts_only(client, postcodes):
    make_provider(name="Districts only", base_postcode="CM1 1RW", coverage_radius_miles=0)
    response = search(client, postcode="CM1 1RW")  # its own base, outside its districts
    assert names(response) == []
    assert [p.name for p in response.context["nearby"]] == ["Districts only"]


def test_map_json_comes_from_the_snapshot_without_private_points(client, listed):
    html = search(client, postcode="CM1 6GB").content.decode()  # not its base
    map_url = unescape(re.search(r'data-map-url="([^"]+)"', html)[1])
    data = client.get(map_url).json()
    html += json.dumps(data)
    ((area, *_),) = data["providers"]
    assert (data["areas"][area]["lat"], data["areas"][area]["lon"]) == (
        round(listed.area_latitude, 5),
        round(listed.area_longitude, 5),
    )
    home = Postcode.objects.get(postcode=listed.base_postcode)
    assert str(round(home.latitude, 5)) not in html
