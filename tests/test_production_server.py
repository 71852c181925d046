"""The production configuration really serves: gunicorn with DEBUG off, WhiteNoise's compressed
and hashed static files, and the security headers, over HTTP from a separate process."""

import gzip
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from bench.scratch import database_url, free_port

from .factories import make_provider

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(settings.BASE_DIR)


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "SECURE_SSL_REDIRECT": "false",
    "TRUST_X_FORWARDED_PROTO": "true",  # as behind the TLS proxy
    "STATIC_MANIFEST": "true",
    "ALLOWED_HOSTS": "127.0.0.1",
    "WEB_CONCURRENCY": "2",
    "CONN_MAX_AGE": "0",
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The static files collected as production collects them (hashed names and a manifest), in
    a process with production settings (the tests' own settings keep plain names): once for the
    module, in a folder of its own."""
    env = {**os.environ, **PRODUCTION, "STATIC_ROOT": str(tmp_path_factory.mktemp("collected"))}
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


@pytest.fixture
def server(collected, postcodes, tmp_path):
    provider = make_provider(name="Served Care")
    port = free_port()
    env = {
        **collected,
        "DATABASE_URL": database_url(),
        "BIND": f"127.0.0.1:{port}",
    }
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "directory.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "access.log").open("w"),  # files: a pipe nobody reads would stall
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if get(base + "/health/live/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield base, provider, tmp_path / "gunicorn.log"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_serves_pages_static_files_and_headers(server):
    base, provider, log = server
    # Built once in the master, before the workers were forked (gunicorn.conf.py, when_ready).
    assert "Search snapshot built before forking the workers (listings: 1," in log.read_text()
    status, headers, body = get(base + "/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    html = body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    stylesheet = re.search(r'href="(/static/govuk/app\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "a hashed static file name"
    status, headers, body = get(base + stylesheet[1], {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") in ("gzip", "br")
    assert "max-age=315360000" in headers["Cache-Control"]

    status, _, body = get(base + "/search/?postcode=CM1+1AE")
    assert status == 200 and b"Served Care" in body
    assert get(base + provider.get_absolute_url())[0] == 200
    assert get(base + "/admin/login/")[0] == 200
    assert get(base + "/health/ready/")[0] == 200
    status, _, body = get(base + "/no-such-page/")
    assert status == 404 and b"Page not found" in body
    assert b"Traceback" not in body


def test_pages_are_compressed_and_every_script_has_a_hashed_name(server):
    base, provider, _ = server
    status, headers, body = get(base + "/search/?postcode=CM1+1AE", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    html = gzip.decompress(body).decode()
    assert "Served Care" in html and len(body) < len(html.encode()) / 3

    # init.js, hashed in the page, imports GOV.UK Frontend by its hashed name too: both are
    # cached for a year, never asked for again while they are the same.
    init = re.search(r'src="(/static/js/init\.[0-9a-f]{12}\.js)"', html)
    assert init, "a hashed init.js"
    status, headers, body = get(base + init[1])
    assert status == 200 and "max-age=315360000" in headers["Cache-Control"]
    bundle = re.search(r'from "\.\./(govuk/govuk-frontend\.min\.[0-9a-f]{12}\.js)"', body.decode())
    assert bundle, "init.js imports the hashed bundle"
    status, headers, body = get(f"{base}/static/{bundle[1]}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert (
        "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
    )
    assert headers["Content-Encoding"] == "gzip"
    assert b"initAll" in gzip.decompress(body)

    # Conditional requests still answer 304 through the compression (the ETag turns weak).
    status, headers, _ = get(base + "/api/oruk/services", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["ETag"].startswith('W/"')
    status, _, _ = get(
        base + "/api/oruk/services", {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]}
    )
    assert status == 304


def test_search_engines_get_robots_txt_a_sitemap_and_the_welsh_404(server):
    base, provider, _ = server
    https = {"X-Forwarded-Proto": "https"}
    status, _, body = get(base + "/robots.txt", https)
    assert status == 200 and "Disallow: /admin/" in body.decode()
    assert "Sitemap: https://127.0.0.1" in body.decode()
    status, _, body = get(base + "/sitemap-providers.xml", https)
    assert (
        status == 200
        and f"https://127.0.0.1:{base.rsplit(':', 1)[1]}/cy{provider.get_absolute_url()}".encode()
        in body
    )
    status, _, body = get(base + "/cy/no-such-page/")
    assert status == 404 and '<html lang="cy"' in body.decode()
    assert b"Ni ellir dod o hyd i" in body and b"Page not found" not in body


def test_no_token_reaches_the_logs(server):
    """Sign-in, invitation and share links carry secrets in their paths: the access log and the
    site's own log lines (a 410 for a dead link, a 404) show them cut out."""
    base, _, log = server
    secrets = ["ab1-f00dfeedcafe1234beef", "cd2-0123456789abcdef0123", "S" * 43]
    paths = [
        f"/for-providers/sign-in/MQ/{secrets[0]}/",
        f"/cy/for-providers/invitation/MQ/{secrets[1]}/",
        f"/shortlist/s/{secrets[2]}/",
    ]
    for path in paths:
        assert get(base + path)[0] in (404, 410)
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    logs = log.read_text() + (log.parent / "access.log").read_text()
    assert "/for-providers/sign-in/…/…/" in logs and "/shortlist/s/…/" in logs
    for secret in secrets:
        assert secret not in logs
