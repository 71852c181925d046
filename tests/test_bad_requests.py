"""Requests that cannot be read get a plain 400 (or the CSRF 403), never a server error: bodies
in charsets we cannot decode, broken multipart uploads, bad Host headers, the API's numbers in
any other digits, more query fields than Django allows (also through the real WSGI application,
where a charset used to make Django fail before any of the site's code ran), and a fuzz of the
rest."""

import io
import sys
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from .properties import examples

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
    max_examples=examples(300),
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


# The API's whole numbers ------------------------------------------------------------------------

API_NUMBERS = [
    ("services", "page"),
    ("services", "per_page"),
    ("organizations", "page"),
    ("taxonomies", "per_page"),
    ("taxonomy_terms", "page"),
    ("service_at_locations", "per_page"),
    ("service_at_locations?postcode=CM1+1AE", "proximity"),
]
NOT_WHOLE_NUMBERS = [
    "\u00b2",  # superscript two: str.isdigit() says yes, int() refuses it
    "\u0663",  # Arabic-Indic three: int() would take it as 3
    "\u2460",  # circled one
    "\uff13",  # full-width three
    "\U0001d7d1",  # mathematical bold three
    "1\u00b2",
    "+1",
    "-1",
    " 1",
    "1 ",
    "1\n",
    "1.0",
    "1e3",
    "1e999",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "0x10",
    "1_0",
    "9" * 21,
    "9" * 5000,  # past int()'s own limit on digits
    "1\x00",
]


def api_get(client, endpoint, name, value):
    joiner = "&" if "?" in endpoint else "?"
    return client.get(f"/api/oruk/{endpoint}{joiner}{urlencode({name: value})}")


@pytest.mark.parametrize(("endpoint", "name"), API_NUMBERS)
def test_the_apis_whole_numbers_are_ascii_digits_only(client, postcodes, endpoint, name):
    for value in NOT_WHOLE_NUMBERS:  # in one test: the postcodes take longer to load than all
        response = api_get(client, endpoint, name, value)
        assert response.status_code == 400, (value, response.status_code)
        assert response["Access-Control-Allow-Origin"] == "*"
        data = response.json()
        assert data["error"] == "Bad request"
        assert data["message"].startswith(f"{name} must be a whole number from 1 to "), value


@pytest.mark.parametrize(("endpoint", "name"), API_NUMBERS)
def test_the_apis_whole_numbers_still_take_plain_digits(client, postcodes, endpoint, name):
    assert api_get(client, endpoint, name, "0001").status_code == 200


@hypothesis_settings(
    max_examples=examples(200),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(endpoint_name=st.sampled_from(API_NUMBERS), value=st.text(max_size=12))
def test_fuzzed_api_numbers_get_a_json_answer(client, postcodes, endpoint_name, value):
    response = api_get(client, *endpoint_name, value)
    assert response.status_code in (200, 400), (endpoint_name, value, response.status_code)
    assert ("error" in response.json()) == (response.status_code == 400)


# Through the real WSGI application -------------------------------------------------------------

TOO_MANY_FIELDS = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))


@pytest.fixture
def wsgi(db):
    """Calls directory.wsgi.application, as gunicorn does, and gives (status, headers, body).
    The request signals would close the test's database connection, so, as Django's test client
    does, they leave it alone meanwhile."""
    from directory.wsgi import application

    def call(path, query="", method="GET", content_type=None, body=b"", **headers):
        got = {}

        def start_response(status, response_headers, exc_info=None):
            got["status"], got["headers"] = status, dict(response_headers)

        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            **headers,
        }
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        response = application(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
        return int(got["status"].split()[0]), got["headers"], content

    with signals_left_to_the_test():
        yield call


@contextmanager
def signals_left_to_the_test():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def assert_plain_400(path, status, headers, content):
    assert status == 400, (path, status, content[:200])
    if path.startswith("/api/"):
        assert headers["Content-Type"] == "application/json"
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert b'"error": "Bad request"' in content
    else:
        assert b"Sorry, we could not read that request" in content


@pytest.mark.parametrize(
    "path", ["/", "/search/", "/api/oruk/services", "/api/oruk/nope", "/admin/", "/nope/"]
)
@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain; charset=utf-8", f"{FORM}; charset=latin-1", "text/html; charset=utf-16"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_too_many_query_fields_get_a_400_with_or_without_a_charset(
    wsgi, path, content_type, method
):
    status, headers, content = wsgi(path, TOO_MANY_FIELDS, method, content_type)
    assert_plain_400(path, status, headers, content)
    assert headers["X-Request-ID"]  # answered by the site's middleware, not the server


def test_the_welsh_400_is_in_welsh(wsgi):
    status, _, content = wsgi("/cy/", TOO_MANY_FIELDS, content_type="text/plain; charset=utf-8")
    assert status == 400 and 'lang="cy"' in content.decode()


@pytest.mark.parametrize("path", ["/", "/api/oruk/services", "/admin/"])
@pytest.mark.parametrize(
    ("query", "content_type"),
    [
        ("a=1", "text/plain; charset=rot13"),  # a codec, but not of text
        ("a=1", "text/plain; charset=base64"),
        ("a=%FF%FE", "text/plain; charset=utf-16"),
        ("a=\xff\xfe", "text/plain; charset=utf-8"),
        ("a=1", "text/plain; charset=no-such-charset"),
        ("a=1", "text/plain; charset=\xe9"),
        ("a=1", 'text/plain; charset="utf-8'),
        ("a=1", "text/plain; charset=; charset=utf-8"),
        ("&" * 5000, "text/plain; charset=utf-8"),
        ("a=1;b=2" * 300, "text/plain; charset=utf-8"),
        ("%" * 2000, "text/plain; charset=utf-8"),
        (";" * 2000, "text/plain; charset=utf-8"),
    ],
)
def test_odd_queries_with_a_charset_never_get_a_server_error(wsgi, path, query, content_type):
    status, _, _ = wsgi(path, query, content_type=content_type)
    assert status in (200, 302, 400), (path, query[:20], content_type, status)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": "sessionid=\xff\xfe; csrftoken=" + "x" * 5000},
        {"HTTP_COOKIE": '=; ;;; a="b; \\'},
        {"HTTP_COOKIE": "a=" + "b;" * 3000},
        {"HTTP_ACCEPT_LANGUAGE": "cy;q=nan, en;q=1e999, *;q=-1"},
        {"HTTP_X_REQUEST_ID": "\xff" * 100},
        {"CONTENT_LENGTH": "-1"},
        {"CONTENT_LENGTH": "\u00b2"},
        {"CONTENT_LENGTH": "9" * 5000},
        {"PATH_INFO": "/%FF%FE/\xff\xfe"},
    ],
)
def test_odd_headers_never_get_a_server_error(wsgi, headers):
    for path in ["/", "/api/oruk/services"]:
        status, _, _ = wsgi(path, "a=1", content_type="text/plain; charset=utf-8", **headers)
        assert status in (200, 400, 404), (path, headers, status)


@hypothesis_settings(
    max_examples=examples(150),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(["/", "/search/", "/api/oruk/services", "/admin/", "/csp-report/"]),
    method=st.sampled_from(["GET", "POST", "HEAD"]),
    charset=st.sampled_from(["", "utf-8", "utf-16", "latin-1", "rot13", "idna", "zlib", "x"]),
    # As a WSGI server gives them: the bytes of the request line, one character a byte.
    query=st.binary(max_size=80).map(lambda raw: raw.decode("latin-1")),
    cookie=st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
)
def test_fuzzed_requests_through_wsgi_never_get_a_server_error(
    wsgi, path, method, charset, query, cookie
):
    content_type = f"{FORM}; charset={charset}" if charset else FORM
    status, _, _ = wsgi(path, query, method, content_type, b"a=1", HTTP_COOKIE=cookie)
    assert status < 500, (path, method, charset, query, cookie, status)
