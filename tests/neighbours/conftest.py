"""A second instance of this site, run as production runs it (gunicorn, DEBUG off) on its own
SQLite database with the demo listings, so harvesting reads a real feed over real HTTP.

Its database takes some 20 s to make (migrate, postcodes, the demo), so when a collected test
needs it, it is made in the background from the end of collection while other tests run."""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from bench.scratch import free_port

ROOT = Path(settings.BASE_DIR)
CODEPOINT = ROOT / "tests" / "fixtures" / "codepoint_demo.csv"


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our own server
        return answer.status


_folder = tempfile.TemporaryDirectory(prefix="neighbour-")
_making = ThreadPoolExecutor(max_workers=1)
_made = []  # the future of the neighbour's database, once asked for


def _environment(port=None):
    """The neighbour's settings; with the port it serves on, once it serves."""
    folder = Path(_folder.name)
    served = {"BIND": f"127.0.0.1:{port}", "SITE_URL": f"http://127.0.0.1:{port}"} if port else {}
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'neighbour.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "n" * 60,
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "COUNCIL_NAME": "Neighbouring District Council",
        "NEIGHBOUR_FEEDS": "",
        **served,
    }


def _make_database():
    """The neighbour's own SQLite database with the demo listings; the error if a step failed."""
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v", "0"], ["import_postcodes", str(CODEPOINT)], ["load_demo"]):
        done = subprocess.run(  # noqa: S603 - our own manage.py
            manage + command, cwd=ROOT, env=_environment(), capture_output=True, text=True
        )
        if done.returncode:
            return f"manage.py {command[0]} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    return None


def _database():
    if not _made:
        _made.append(_making.submit(_make_database))
    return _made[0]


def pytest_collection_finish(session):
    if any("neighbour_site" in getattr(item, "fixturenames", ()) for item in session.items):
        _database()


@pytest.fixture(scope="session")
def neighbour_site():
    """(base URL, council name) of another council's copy of this site serving its demo feed."""
    if error := _database().result():
        pytest.fail(error)
    folder = Path(_folder.name)
    port = free_port()
    env = _environment(port)
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "directory.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=(folder / "access.log").open("w"),
        stderr=(folder / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(base + "/health/live/") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the neighbour's gunicorn did not start")
        yield base, "Neighbouring District Council"
    finally:
        process.terminate()
        process.wait(timeout=30)
