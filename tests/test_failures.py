"""When the database fails: a plain 503 with Retry-After, never a server error page (under /api/,
the API's JSON), and a problem report is never lost (its words come back in the form). The
queries really fail, at the database layer, through Django's execute wrapper."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, ProgrammingError, connection, transaction
from django.test import Client
from django.urls import reverse

from reports.models import ProblemReport


@contextmanager
def database_fails(only=None, error=None):
    """Every query (or only those starting with `only`) fails as a lost server would (or with
    `error`)."""

    def fail(execute, sql, params, many, context):
        if only is None or sql.lstrip().upper().startswith(only):
            raise error or OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)  # as in production: the error handlers answer


@pytest.mark.parametrize(
    "path", ["/search/?postcode=CM1+1AE", "/providers/someone/", "/report/someone/"]
)
def test_a_database_that_is_down_gives_a_503_page_with_retry_after(visitor, provider, path):
    begun = time.monotonic()
    with database_fails():
        response = visitor.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()
    assert time.monotonic() - begun < 2
    # And the next request, with the database back, works.
    assert visitor.get("/search/?postcode=CM1+1AE").status_code == 200


def test_readiness_says_unavailable(visitor, postcodes):
    with database_fails():
        response = visitor.get(reverse("health-ready"))
    assert response.status_code == 503
    assert visitor.get(reverse("health-live")).status_code == 200


def test_a_report_that_cannot_be_saved_keeps_the_words(visitor, provider):
    url = reverse("reports:report", args=[provider.slug])
    words = "The carer did not come on Tuesday and my father was alone all day."
    with database_fails(only="INSERT"):  # a full disk, a read-only database
        response = visitor.post(url, {"topic": "other", "message": words, "name": "Sam"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "we could not save your report just now" in html
    assert words in html and 'value="Sam"' in html
    assert not ProblemReport.objects.exists()


API_PATHS = ["/api/oruk/services", "/api/oruk/organizations?page=2", "/api/oruk/taxonomy_terms"]


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_answers_a_database_outage_as_json(visitor, provider, path):
    with database_fails():
        response = visitor.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "error": "Service unavailable",
        "message": "The directory is unavailable just now. Try again soon.",
    }
    assert visitor.get(path).status_code == 200


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_answers_its_own_failure_as_json(visitor, provider, path):
    with database_fails(error=ProgrammingError("no such column")):  # as a bug of ours would
        response = visitor.get(path)
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"] == "Server error"
    assert "Retry-After" not in response


def test_pages_still_answer_a_failure_with_html(visitor, provider):
    with database_fails(error=ProgrammingError("no such column")):
        response = visitor.get("/search/?postcode=CM1+1AE")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Sorry, there is a problem with the service" in response.content.decode()


# --- a problem report when the database fails ------------------------------------------------

WORDS = "The carer did not come on Tuesday and my father was alone all day."


@contextmanager
def database_hangs(timeout_ms=200):
    """Every query waits until a timeout gives up on it, as when the database has stopped
    answering: on PostgreSQL the server's own statement_timeout cancels a pg_sleep; SQLite gives
    up waiting for a lock."""
    waiting = threading.local()

    def hang(execute, sql, params, many, context):
        if getattr(waiting, "now", False):  # the wait's own queries
            return execute(sql, params, many, context)
        waiting.now = True
        try:
            if connection.vendor != "postgresql":
                time.sleep(timeout_ms / 1000)
                raise OperationalError("database is locked")
            # In a savepoint, so the cancelled statement leaves the test's transaction usable.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
                cursor.execute("SELECT pg_sleep(5)")
        finally:
            waiting.now = False
        raise AssertionError("the statement timeout did not stop the query")

    with connection.execute_wrapper(hang):
        yield


def assert_words_come_back(response, begun):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "we could not save your report just now" in html
    assert WORDS in html and 'value="Sam"' in html
    assert 'value="other" checked' in html
    assert time.monotonic() - begun < 2
    assert not ProblemReport.objects.exists()


@pytest.mark.parametrize(
    "failing",
    [
        None,  # every query: the database is down
        "SELECT",  # reading the listing
        "INSERT INTO",  # counting for the rate limit, the first write
        'INSERT INTO "REPORTS_PROBLEMREPORT"',  # saving the report itself
    ],
)
def test_a_report_keeps_the_words_whichever_query_fails(visitor, provider, failing):
    url = reverse("reports:report", args=[provider.slug])
    begun = time.monotonic()
    with database_fails(only=failing):
        response = visitor.post(url, {"topic": "other", "message": WORDS, "name": "Sam"})
    assert_words_come_back(response, begun)
    # The form posts back to the same listing, even when the listing could not be read.
    assert f'action="{url}"' in response.content.decode()


def test_a_report_keeps_the_words_when_the_database_hangs(visitor, provider):
    url = reverse("reports:report", args=[provider.slug])
    begun = time.monotonic()
    with database_hangs():
        response = visitor.post(url, {"topic": "other", "message": WORDS, "name": "Sam"})
    assert_words_come_back(response, begun)
    assert visitor.post(url, {"topic": "other", "message": WORDS}).status_code == 302


def test_a_sent_report_needs_no_session_for_its_thanks_page(visitor, provider):
    """Nothing is written after the report: a session that cannot be saved loses nothing."""
    url = reverse("reports:report", args=[provider.slug])
    with database_fails(only='INSERT INTO "DJANGO_SESSION"'):
        response = visitor.post(url, {"topic": "safety", "message": WORDS}, follow=True)
    assert response.redirect_chain == [(reverse("reports:thanks", args=[provider.slug]), 302)]
    assert "This report is not a safeguarding referral" in response.content.decode()
    assert ProblemReport.objects.get().message == WORDS


def test_a_visitor_with_a_session_keeps_the_words_when_the_database_is_down(visitor, provider):
    """A shortlist means a session cookie, and several middlewares read the session before the
    view: a session that cannot be read is empty for the request (core.sessions), never a 503
    page that loses the words, and is not written back over the stored one."""
    visitor.post(reverse("shortlist:add"), {"provider": provider.pk, "next": "/"})
    url = reverse("reports:report", args=[provider.slug])
    begun = time.monotonic()
    with database_fails():
        response = visitor.post(url, {"topic": "other", "message": WORDS, "name": "Sam"})
    assert_words_come_back(response, begun)
    page = visitor.get(reverse("shortlist:index")).content.decode()
    assert provider.name in page  # the shortlist was not overwritten while the database was down
