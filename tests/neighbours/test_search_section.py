"""The results page's "Also covering this area, listed by ..." sections: neighbours' services
that cover the searched place, apart from ours and never counted with them, each naming its
source, when it was copied and what that council checks; our own listings shown once, as ours."""

from datetime import timedelta

import pytest
from django.utils import timezone

from neighbours.models import NeighbourFeed, NeighbourService

from ..factories import make_provider
from .feeds import sid

pytestmark = pytest.mark.django_db
CM1 = (51.73, 0.46)  # about where CM1 1AE is, on the public grid


@pytest.fixture
def feed(settings):
    settings.NEIGHBOUR_FEEDS = [
        {
            "name": "Braintree District Council",
            "url": "https://braintree.example/api/oruk",
            "licence": "Open Government Licence v3.0",
            "checks_url": "https://braintree.example/checks/",
        }
    ]
    return NeighbourFeed.objects.create(
        name="Braintree District Council",
        url="https://braintree.example/api/oruk",
        licence="Open Government Licence v3.0",
        checks_url="https://braintree.example/checks/",
        last_harvested_at=timezone.now() - timedelta(days=1),
    )


def copy(feed, name, **fields):
    defaults = {
        "oruk_id": sid(name),
        "name": name,
        "harvested_at": feed.last_harvested_at,
        "accreditations": "DBS check seen on 1 October 2026",
    }
    return NeighbourService.objects.create(feed=feed, **{**defaults, **fields})


def circle(lat, lon, miles):
    pad = miles / 69 * 2
    return {
        "circles": [[lat, lon, miles]],
        "south": lat - pad,
        "north": lat + pad,
        "west": lon - pad * 2,
        "east": lon + pad * 2,
    }


def results(client, postcode="CM1 1AE"):
    response = client.get("/search/", {"postcode": postcode})
    assert response.status_code == 200
    return response.content.decode()


def test_their_services_covering_the_place_are_listed_apart(client, postcodes, feed):
    make_provider(name="Our Own Care")
    copy(feed, "Circle Care", email="hello@circle.example", phone="01632 960555", **circle(*CM1, 3))
    copy(feed, "District Care", districts=" CM1 CM2 ", url="https://braintree.example/district")
    copy(feed, "Far Away Care", **circle(52.5, -1.5, 3))  # Midlands: not here
    copy(
        feed, "Near Point Care", points=[[51.74, 0.47]], south=51.6, north=51.9, west=0.3, east=0.6
    )
    other = NeighbourFeed.objects.create(name="No Longer Read", url="https://old.example/api")
    copy(other, "Old Feed Care", districts=" CM1 ", harvested_at=timezone.now())

    html = results(client)
    ours, theirs = html.split("Also covering this area, listed by Braintree District Council")
    assert "Our Own Care" in ours and "1 provider covers CM1 1AE" in ours
    assert "Circle Care" not in ours and "District Care" not in ours
    for name in ("Circle Care", "District Care", "Near Point Care"):
        assert name in theirs
    assert "Far Away Care" not in html and "Old Feed Care" not in html
    assert "3 services listed by Braintree District Council cover CM1 1AE." in theirs
    assert "We have not checked them, and they are not counted in our results." in theirs
    date = (timezone.localdate() - timedelta(days=1)).strftime("%-d %B %Y")
    assert f"Copied from their open data on {date}." in theirs
    assert "Licence: Open Government Licence v3.0." in theirs
    assert (
        'href="https://braintree.example/checks/">What Braintree District Council checks' in theirs
    )
    assert (
        "Braintree District Council says: <span>DBS check seen on 1 October 2026</span>" in theirs
    )
    assert f"Braintree District Council’s open data, copied on {date}" in theirs
    assert (
        'href="https://braintree.example/district" rel="noopener noreferrer">District Care'
        in theirs
    )
    assert "01632 960555" in theirs and "mailto:hello@circle.example" in theirs


def test_duplicates_of_our_listings_are_shown_once_as_ours(client, postcodes, feed):
    same_id = make_provider(name="Same Id Care")
    make_provider(name="Company Care", companies_house_number="AB123456")
    make_provider(name="Named & Co Care")  # based in CM1 1RW
    reach = circle(*CM1, 5)
    copy(feed, "Their Name For It", oruk_id=str(same_id.open_id).upper(), **reach)
    copy(feed, "Company Care Services", company_number="AB123456", **reach)
    copy(feed, "Named and Co Care Ltd", postcode_district="CM1", **reach)
    copy(feed, "Named and Co Care Ltd", oruk_id=sid("elsewhere"), postcode_district="CO1", **reach)

    html = results(client)
    ours, theirs = html.split("Also covering this area, listed by")
    assert "3 providers cover CM1 1AE" in ours
    assert "Their Name For It" not in theirs and "Company Care Services" not in theirs
    # The same name in another district is another business.
    assert theirs.count("Named and Co Care Ltd") == 1
    assert "1 service listed by Braintree District Council covers CM1 1AE." in theirs


def test_nothing_is_shown_without_feeds_or_services(client, postcodes, settings, feed):
    copy(feed, "Circle Care", **circle(*CM1, 3))
    settings.NEIGHBOUR_FEEDS = []
    assert "Also covering this area" not in results(client)
    settings.NEIGHBOUR_FEEDS = [{"name": "x", "url": feed.url, "licence": "", "checks_url": ""}]
    assert "Also covering this area" in results(client)
    assert "Also covering this area" not in results(client, "TA1 1NR")


def test_a_place_we_do_not_list_still_gets_their_services(client, postcodes, feed):
    """Someone over the border from everything we list: the neighbour's list is what helps."""
    copy(feed, "Taunton Helpers", districts=" TA1 ")
    html = results(client, "TA1 1NR")
    assert "This directory does not list anyone near TA1 1NR" in html
    assert "Also covering this area, listed by Braintree District Council" in html
    assert "Taunton Helpers" in html


def test_welsh_pages_mark_their_english_words(client, postcodes, feed, settings):
    copy(feed, "Circle Care", description="Help at home.", **circle(*CM1, 3))
    html = client.get("/cy/search/", {"postcode": "CM1 1AE"}).content.decode()
    assert '<h3 class="govuk-heading-s govuk-!-margin-bottom-1" lang="en">Circle Care' in html
    assert '<p class="govuk-body" lang="en">Help at home.</p>' in html
