"""A second instance of this site, run as production runs it (gunicorn, DEBUG off) on its own
SQLite database with the demo listings, so harvesting reads a real feed over real HTTP."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from bench.scratch import free_port

ROOT = Path(settings.BASE_DIR)
CODEPOINT = ROOT / "tests" / "fixtures" / "codepoint_demo.csv"


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our own server
        return answer.status


@pytest.fixture(scope="session")
def neighbour_site(tmp_path_factory):
    """(base URL, council name) of another council's copy of this site serving its demo feed."""
    folder = tmp_path_factory.mktemp("neighbour")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'neighbour.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "n" * 60,
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "COUNCIL_NAME": "Neighbouring District Council",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "NEIGHBOUR_FEEDS": "",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v", "0"], ["import_postcodes", str(CODEPOINT)], ["load_demo"]):
        done = subprocess.run(  # noqa: S603 - our own manage.py
            manage + command, cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            pytest.fail(
                f"manage.py {command[0]} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}"
            )
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
