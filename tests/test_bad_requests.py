"""Requests that cannot be read get a plain 400 (or the CSRF 403), never a server error: bodies
in charsets we cannot decode, broken multipart uploads, bad Host headers, and a fuzz of the rest."""

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

URLS = ["/", "/search/", "/shortlist/", "/shortlist/add/", "/report/no-such-listing/", "/nope/"]
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def visitor(db):
    client = Client(enforce_csrf_checks=True)  # as a browser: a form post needs its token
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32  # any 32-character token
    return client


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (f"{FORM}; charset=latin-1", "postcode=caf\u00e9".encode("latin-1")),
        (f"{FORM}; charset=utf-16", "postcode=caf\u00e9".encode("utf-16")),
        (f"{FORM}; charset=utf-32", b"\xff\xfe\x00\x00p\x00\x00"),
        (f"{FORM}; charset=no-such-charset", b"postcode=x"),
        (f"{FORM}; charset=utf-8", b"postcode=\xff\xfe\xfa"),
        ("multipart/form-data", b"--x\r\n"),
        ("multipart/form-data; boundary=", b"--\r\n"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=a" + b"b" * 2000 + b"\r\n\r\nv\r\n--x--"),
        ("multipart/form-data; boundary=x", b"--x\r\nnot a header\r\n\r\n"),
        ("multipart/form-data; boundary=\u00e9", b"--x--"),
    ],
)  # fmt: skip
def test_unreadable_bodies_get_a_400_not_a_500(visitor, url, content_type, body):
    response = visitor.generic("POST", url, data=body, content_type=content_type)
    assert response.status_code in (400, 403, 404, 405), response.status_code


@pytest.mark.parametrize("content_type", ["multipart/form-data", f"{FORM}; charset=utf-16"])
def test_a_bad_host_with_a_bad_body_is_a_400(visitor, content_type):
    response = visitor.generic(
        "POST", "/nope/", data=b"--x\r\n\xff", content_type=content_type, HTTP_HOST="evil.example"
    )
    assert response.status_code == 400


def test_the_400_page_is_plain_and_says_nothing_was_saved(visitor):
    response = visitor.generic("POST", "/", data=b"x", content_type=f"{FORM}; charset=utf-16")
    assert response.status_code == 400
    assert "Nothing has been saved or changed" in response.content.decode()


@hypothesis_settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]),
    url=st.sampled_from(
        URLS
        + ["/search/?postcode=CM1", "/admin/", "/staff/", "/csp-report/"]
        + ["/for-providers/apply/business/", "/for-providers/apply/check-your-answers/"]
        + [
            "/for-providers/sign-in/",
            "/for-providers/sign-in/MQ/x-y/",
            "/for-providers/your-listing/",
        ]
        + ["/api/oruk/services", "/api/oruk/taxonomy_terms", "/open-data/listings.csv"]
    ),
    content_type=st.sampled_from(
        [
            "",
            FORM,
            f"{FORM}; charset=utf-16",
            "multipart/form-data",
            "application/json",
            "text/plain; charset=\u00e9",
        ]  # fmt: skip
    ),
    body=st.binary(max_size=300),
    query=st.text(max_size=60),
)
def test_fuzzed_requests_never_get_a_server_error(visitor, method, url, content_type, body, query):
    joiner = "&" if "?" in url else "?"
    response = visitor.generic(
        method, f"{url}{joiner}q={query}", data=body, content_type=content_type
    )
    assert response.status_code < 500, (method, url, content_type, body[:40])
