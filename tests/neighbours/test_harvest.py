"""`manage.py harvest_neighbours`: another instance of this site read over real HTTP, and crafted
feeds that fail the checks, time out, leak private fields or refuse modified_after."""

import json
import time
import urllib.request
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Response

from neighbours.models import NeighbourFeed, NeighbourService

from .feeds import CORS, page, serve_feed, serve_root, service, sid

pytestmark = pytest.mark.django_db


def harvest(*args):
    out = StringIO()
    call_command("harvest_neighbours", *args, stdout=out)
    return out.getvalue()


def feeds(settings, *entries):
    settings.NEIGHBOUR_FEEDS = [
        {"name": name, "url": url, "licence": "OGL v3.0", "checks_url": ""} for name, url in entries
    ]


def on_grid(value):
    return abs(value * 100 - round(value * 100)) < 1e-6


def test_harvests_another_instance_of_this_site(neighbour_site, settings, client, postcodes):
    base, council = neighbour_site
    feeds(settings, (council, base + "/api/oruk"))
    with urllib.request.urlopen(base + "/api/oruk/services?per_page=1", timeout=5) as answer:  # noqa: S310
        total = json.load(answer)["total_items"]
    assert total > 20  # the demo's published listings

    report = harvest()
    assert f"[1/1] {council}: read in full, stored {total} services, removed 0." in report
    assert "Harvested 1 of 1 neighbouring feeds." in report
    feed = NeighbourFeed.objects.get()
    assert feed.last_error == "" and feed.licence == "OGL v3.0" and feed.last_full_harvest_at
    services = NeighbourService.objects.filter(feed=feed)
    assert services.count() == total
    for copy in services:
        assert copy.harvested_at == feed.last_harvested_at
        assert copy.points, "every listing's public area came with the service"
        assert all(on_grid(lat) and on_grid(lon) for lat, lon in copy.points)
        assert all(on_grid(lat) and on_grid(lon) for lat, lon, _ in copy.circles)
        assert copy.accreditations  # what the neighbour checked, in its words
    assert services.exclude(districts="").exists() or services.exclude(circles=[]).exists()

    # Our search shows them apart, naming the neighbour.
    html = client.get("/search/", {"postcode": "CM1 1AE"}).content.decode()
    assert f"Also covering this area, listed by {council}" in html
    assert "No providers on our list cover CM1 1AE" in html or "0 providers cover" in html

    # The next day: only what changed since (with an hour's overlap), through modified_after.
    report = harvest()
    assert f"[1/1] {council}: read changes only (modified_after)" in report
    assert services.count() == total


def test_a_feed_that_fails_validation_is_skipped_and_yesterdays_copy_kept(httpserver, settings):
    broken = [{key: value for key, value in service("No Status").items() if key != "status"}]
    url = serve_feed(httpserver, broken)
    feeds(settings, ("Broken Council", url))
    yesterday = timezone.now() - timedelta(days=1)
    feed = NeighbourFeed.objects.create(name="Broken Council", url=url, last_harvested_at=yesterday)
    NeighbourService.objects.create(
        feed=feed, oruk_id=sid("Kept"), name="Kept Care", harvested_at=yesterday
    )

    report = harvest()
    assert (
        "[1/1] Broken Council: skipped, it fails the Open Referral UK checks: services list:"
        in report
    )
    assert "'status' is a required property" in report
    assert "Kept the 1 service harvested on" in report
    feed.refresh_from_db()
    assert "services list" in feed.last_error and feed.last_harvested_at == yesterday
    assert list(feed.services.values_list("name", flat=True)) == ["Kept Care"]


def test_a_slow_feed_is_skipped_and_the_next_one_still_harvested(httpserver, settings):
    def slow(request):
        time.sleep(2)
        return Response("{}", content_type="application/json", headers=CORS)

    other = HTTPServer(threaded=True)  # its own server: the slow answers hold up nobody else
    other.expect_request("/slow/").respond_with_handler(slow)
    other.start()
    good = serve_feed(httpserver, [service("Good Help")], prefix="/good")
    feeds(settings, ("Slow Council", other.url_for("/slow")), ("Good Council", good))
    settings.NEIGHBOUR_TIMEOUT = 0.5

    started = time.monotonic()
    try:
        report = harvest()
    finally:
        other.clear()
        other.stop()
    assert time.monotonic() - started < 10
    assert (
        "[1/2] Slow Council: skipped, it fails the Open Referral UK checks: api details: cannot reach"
        in report
    )
    assert "timed out" in report and "Nothing harvested from it yet." in report
    assert "[2/2] Good Council: read in full, stored 1 service, removed 0." in report
    assert NeighbourService.objects.get().name == "Good Help"
    assert "timed out" in NeighbourFeed.objects.get(name="Slow Council").last_error


def test_private_fields_a_feed_leaks_are_never_stored(httpserver, settings):
    leaky = service(
        "Leaky Care",
        url="javascript:alert(1)",
        home_address="12 Acacia Avenue, Chelmsford CM1 1RW",  # not a field of the standard
        date_of_birth="1960-01-01",
        organization={
            "id": sid("org:Leaky Care"),
            "name": "Leaky Care Ltd",
            "description": "A small care business.",
            "organization_identifiers": [
                {"id": sid("coh"), "identifier_scheme": "Companies House",
                 "identifier_type": "company number", "identifier": "ab 123456"},
            ],
        },
        contacts=[
            {"id": sid("contact"), "name": "Jane Private",
             "phones": [{"id": sid("phone"), "number": "01632 960123"}]},
        ],
        service_areas=[
            {"id": sid("area"), "extent_type": "geojson", "extent": json.dumps({
                "type": "Polygon",
                "coordinates": [[[0.4712345 + dx, 51.7365432 + dy] for dx, dy in
                                 [(0.05, 0), (0, 0.03), (-0.05, 0), (0, -0.03), (0.05, 0)]]]})},
        ],
        service_at_locations=[
            {"id": sid("sal"), "location": {
                "id": sid("loc"), "location_type": "physical", "name": "Jane's house",
                "latitude": 51.7365432, "longitude": 0.4712345,
                "addresses": [{"id": sid("addr"), "address_1": "12 Acacia Avenue",
                               "city": "Chelmsford", "state_province": "Essex",
                               "postal_code": "CM1 1RW", "country": "GB",
                               "address_type": "physical"}],
            }},
        ],
    )  # fmt: skip
    feeds(settings, ("Leaky Council", serve_feed(httpserver, [leaky])))

    assert "stored 1 service" in harvest()
    copy = NeighbourService.objects.get()
    # Our own timestamps left out: their microseconds could spell 1960 or 4712 by chance.
    stored = json.dumps(
        {
            f.name: str(getattr(copy, f.name))
            for f in copy._meta.fields
            if not isinstance(f, models.DateTimeField)
        }
    )
    for private in ("Acacia", "Jane", "1RW", "1960", "javascript", "7365", "4712"):
        assert private not in stored, private
    assert copy.points == [[51.74, 0.47]]
    [[lat, lon, miles]] = copy.circles
    assert (lat, lon) == (51.74, 0.47) and 2 < miles < 4
    assert copy.postcode_district == "CM1"  # the district of the address, nothing finer
    assert copy.company_number == "AB123456" and copy.organisation_name == "Leaky Care Ltd"
    assert copy.phone == "01632 960123" and copy.url == ""


def test_incremental_where_the_feed_allows_and_full_where_it_refuses(httpserver, settings):
    asked = []

    def services(request):
        asked.append(request.args.get("modified_after"))
        if request.args.get("modified_after") and request.args.get("full"):
            return Response('{"error": "Bad request"}', status=400, headers=CORS)
        return Response(
            json.dumps(page([service("Steady Help")])),
            content_type="application/json",
            headers=CORS,
        )

    url = serve_feed(httpserver, [], prefix="/picky")
    httpserver.clear()
    serve_root(httpserver, "/picky")
    httpserver.expect_request("/picky/services").respond_with_handler(services)
    httpserver.expect_request(f"/picky/services/{sid('Steady Help')}").respond_with_json(
        service("Steady Help"), headers=CORS
    )
    feeds(settings, ("Picky Council", url))
    assert "read in full" in harvest()
    assert "read in full" in harvest()  # modified_after refused: read in full instead
    assert [a for a in asked if a] != []  # it was asked once
    feed = NeighbourFeed.objects.get()
    assert feed.modified_after_works is False and feed.services.count() == 1
    asked.clear()
    assert "read in full" in harvest() and not any(asked)


def test_a_full_harvest_removes_what_the_feed_no_longer_lists(httpserver, settings):
    url = serve_feed(httpserver, [service("Still Here")])
    feeds(settings, ("Tidy Council", url))
    feed = NeighbourFeed.objects.create(name="Tidy Council", url=url)
    NeighbourService.objects.create(
        feed=feed, oruk_id=sid("Gone"), name="Gone Care", harvested_at=timezone.now()
    )
    assert "stored 1 service, removed 1." in harvest()
    assert list(NeighbourService.objects.values_list("name", flat=True)) == ["Still Here"]


def test_no_feeds_no_work(settings):
    settings.NEIGHBOUR_FEEDS = []
    assert "nothing to do" in harvest()


def test_the_daily_command_harvests_the_neighbours(httpserver, settings):
    feeds(settings, ("Daily Council", serve_feed(httpserver, [service("Daily Help")])))
    out = StringIO()
    call_command("daily", stdout=out)
    assert "[1/1] Daily Council: read in full, stored 1 service, removed 0." in out.getvalue()
    assert NeighbourService.objects.get().name == "Daily Help"
