"""'Use my location': coordinates posted once become the nearest postcode sector, never stored."""

import logging

import pytest
from django.urls import reverse

from search.models import SearchCount

URL = reverse("search:locate")


def test_a_location_becomes_the_nearest_sector(client, postcodes, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(URL, {"latitude": "51.7368", "longitude": "0.4654"})
    assert response.status_code == 302
    assert response["Location"] == reverse("search:results") + "?postcode=CM1+1"
    assert "51.7368" not in caplog.text
    assert not SearchCount.objects.exists()  # counted only when the results page is seen
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"latitude": "51.7"},
        {"latitude": "north", "longitude": "0.4"},
        {"latitude": "NaN", "longitude": "0.4"},
        {"latitude": "inf", "longitude": "0.4"},
        {"latitude": "91", "longitude": "0.4"},
        {"latitude": "51.7", "longitude": "-181"},
        {"latitude": "1" * 5000, "longitude": "0.4"},
        {"latitude": "<script>", "longitude": "' OR 1=1"},
        {"latitude": "51.7\x00", "longitude": "0.4"},
    ],
)
def test_bad_coordinates_are_a_plain_400(client, postcodes, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "We could not use your location" in response.content.decode()


def test_a_location_outside_great_britain(client, postcodes):
    response = client.post(URL, {"latitude": "48.8566", "longitude": "2.3522"})  # Paris
    assert response.status_code == 400
    assert "outside Great Britain" in response.content.decode()


def test_only_post(client, postcodes):
    assert client.get(URL, {"latitude": "51.7", "longitude": "0.4"}).status_code == 405


def test_the_map_data_url_refuses_a_bad_search(client, postcodes):
    response = client.get(reverse("search:map"), {"postcode": "<script>"})
    assert response.status_code == 400
    assert response.json() == {"error": "Enter a postcode or town to search"}
    assert client.post(reverse("search:map"), {"postcode": "CM1"}).status_code == 405


def test_the_map_data_is_cacheable(client, postcodes):
    response = client.get(reverse("search:map"), {"postcode": "CM1 1RW"})
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "max-age=600" in response["Cache-Control"]
