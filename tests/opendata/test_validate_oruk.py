"""`manage.py validate_oruk`: our own feed, served for real, passes every required check; a URL
that is not a feed fails in plain words, not a traceback."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from opendata.management.commands import validate_oruk
from providers.models import Provider, Service

from ..factories import make_provider

# Our own feed is served by the live server, which reads what the test committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def validate(url, *args):
    """The printed report, and the CommandError if the command ended with one."""
    out = StringIO()
    try:
        call_command("validate_oruk", url, *args, stdout=out, skip_checks=False)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_our_feed_passes_every_check(live_server, postcodes):
    make_provider(name="Alpha Care", services=Service.objects.filter(slug="washing-and-bathing"))
    make_provider(name="Bravo Help", services=Service.objects.filter(slug="cleaning"))
    report, error = validate(live_server.url + "/api/oruk", "--per-page", "1")
    assert error is None, report
    checks = [line for line in report.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert [line.split(":")[0] for line in checks] == [
        "PASS api details", "PASS services list", "PASS one service", "PASS pagination",
        "PASS CORS", "PASS content type", "PASS response time",
    ]  # fmt: skip
    assert "2 page(s) of 1, 2 distinct ids" in report
    assert report.splitlines()[-1] == "7 passed, 0 failed"


def test_a_url_that_is_not_a_feed_fails_plainly(live_server, db):
    report, error = validate(live_server.url + "/nope")
    assert "failed" in str(error)
    assert (
        f"FAIL api details: {live_server.url}/nope/ answered HTTP 404 (text/html; charset=utf-8), expected 200 JSON"
        in report
    )
    assert "Traceback" not in report and " 0 failed" not in report


@pytest.mark.django_db  # no live server: nothing to commit
def test_a_feed_that_cannot_be_reached_fails_plainly(db):
    report, error = validate("http://127.0.0.1:9/api/oruk", "--timeout", "2")
    assert error is not None and "Traceback" not in report
    assert "FAIL api details: cannot reach http://127.0.0.1:9/api/oruk/" in report
    assert report.splitlines()[-1] == "0 passed, 1 failed"


def test_level_2_every_location_has_coordinates(live_server, postcodes):
    """Proximity searches by neighbours need every location placed: each listing's public area
    (its sector's centre), or its district's when the sector's centre is not known."""
    make_provider(name="Alpha Care")
    bravo = make_provider(name="Bravo Help", base_postcode="CM2 8QB")
    Provider.objects.filter(pk=bravo.pk).update(area_latitude=None, area_longitude=None)
    report, error = validate(live_server.url + "/api/oruk", "--level", "2", "--per-page", "1")
    assert error is None, report
    assert "PASS locations: 2 service(s) at locations, every one with coordinates" in report
    assert report.splitlines()[-1] == "8 passed, 0 failed"


@pytest.mark.django_db
def test_level_2_fails_a_feed_with_a_location_without_coordinates(httpserver, db):
    page = {
        "total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": True,
        "last_page": True, "empty": False,
        "contents": [{"id": "4a5b3c1d-0000-4000-8000-000000000001", "location": {
            "id": "4a5b3c1d-0000-4000-8000-000000000002", "location_type": "virtual"}}],
    }  # fmt: skip
    httpserver.expect_request("/api/service_at_locations").respond_with_json(page)
    out = StringIO()
    command = validate_oruk.Command(stdout=out)
    command.base, command.options, command.responses = (
        httpserver.url_for("/api"),
        {"per_page": 50, "max_pages": 2, "timeout": 5},
        [],
    )
    command.passed = command.failed = 0
    command.run_check("locations", command.locations)
    assert command.failed == 1
    assert "has no latitude and longitude" in out.getvalue()
