"""`manage.py validate_oruk`: our own feed, served for real, passes every required check; a URL
that is not a feed fails in plain words, not a traceback."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from providers.models import Service

from ..factories import make_provider

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


def test_a_feed_that_cannot_be_reached_fails_plainly(db):
    report, error = validate("http://127.0.0.1:9/api/oruk", "--timeout", "2")
    assert error is not None and "Traceback" not in report
    assert "FAIL api details: cannot reach http://127.0.0.1:9/api/oruk/" in report
    assert report.splitlines()[-1] == "0 passed, 1 failed"
