"""When the database fails: a plain 503 with Retry-After, never a server error page, and a problem
report is never lost (its words come back in the form). The queries really fail, at the database
layer, through Django's execute wrapper."""

import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from reports.models import ProblemReport


@contextmanager
def database_fails(only=None):
    """Every query (or only those starting with `only`) fails as a lost server would."""

    def fail(execute, sql, params, many, context):
        if only is None or sql.lstrip().upper().startswith(only):
            raise OperationalError("server closed the connection unexpectedly")
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
