"""Break the database under a running server and time what people get. Run as root on a machine
whose local PostgreSQL cluster the server uses (it stops, freezes and restarts that cluster):

    python scripts/faulttest.py http://127.0.0.1:8001 --database directory_load

Three faults, each followed by recovery without restarting the server:
1. stopped: the cluster is shut down;
2. hung: every PostgreSQL process is frozen (SIGSTOP), so connections are accepted and never
   answered;
3. read-only: the database refuses writes (default_transaction_read_only), as with a full disk.
For each, prints how long a search took and what it answered, what a problem report got (the 503
page, or the form back with the words in it), and how long the site took to answer normally
again. Standard library only; prints JSON.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

WORDS = "The carer did not come today and my mother was on her own."


def cluster():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    return version, "main"


def pg(*args):
    version, name = cluster()
    subprocess.run(  # noqa: S603 - fixed arguments, the local cluster
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, *args],  # noqa: S607
        check=True,
        capture_output=True,
    )


def postgres_pids():
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)  # noqa: S607
    return [int(pid) for pid in found.stdout.split()]


def psql(database, sql):
    subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql],  # noqa: S607
        check=True,
        capture_output=True,
    )


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None, timeout=30):
        begun = time.monotonic()
        try:
            body = urllib.parse.urlencode(data).encode() if data else None
            headers = {"Referer": self.base + path}
            request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
            with self.opener.open(request, timeout=timeout) as response:
                status, html = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, html = error.code, error.read().decode("utf-8", "replace")
        except OSError as error:
            status, html = f"no answer ({type(error).__name__})", ""
        for cookie in self.jar:  # __Host- cookies are Secure; this test speaks plain http locally
            cookie.secure = False
        return status, round(time.monotonic() - begun, 2), html


def report_form(browser, slug):
    _, _, html = browser.request(f"/report/{slug}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return {"csrfmiddlewaretoken": token, "topic": "other", "message": WORDS}


def outcome(browser, slug, form):
    status, seconds, _ = browser.request("/search/?postcode=CM1+1AE")
    report_status, report_seconds, html = browser.request(f"/report/{slug}/", form)
    kept = WORDS in html
    return {
        "search": {"status": status, "seconds": seconds},
        "report": {
            "status": report_status,
            "seconds": report_seconds,
            "answer": "form back with the words kept"
            if kept
            else ("the 503 page" if report_status == 503 else "other"),
        },
    }


def recovery(browser):
    begun = time.monotonic()
    while time.monotonic() - begun < 60:
        status, _, _ = browser.request("/search/?postcode=CM1+1AE", timeout=5)
        if status == 200:
            return round(time.monotonic() - begun, 2)
        time.sleep(0.2)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("--database", required=True, help="the server's PostgreSQL database")
    parser.add_argument("--slug", help="a published listing (default: the first in a search)")
    args = parser.parse_args()
    browser = Browser(args.base)
    status, _, html = browser.request("/search/?postcode=CM1+1AE")
    assert status == 200, f"the server does not answer normally first ({status})"
    slug = args.slug or re.search(r'href="/providers/([a-z0-9-]+)/"', html)[1]
    results = {}

    form = report_form(browser, slug)
    pg("stop", "-m", "fast")
    try:
        results["stopped"] = outcome(browser, slug, form)
    finally:
        pg("start")
    results["stopped"]["recovered_after_seconds"] = recovery(browser)

    form = report_form(browser, slug)
    frozen = postgres_pids()
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        results["hung"] = outcome(browser, slug, form)
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    results["hung"]["recovered_after_seconds"] = recovery(browser)

    form = report_form(browser, slug)
    psql(args.database, f"ALTER DATABASE {args.database} SET default_transaction_read_only = on")
    try:
        results["read_only"] = outcome(browser, slug, form)
    finally:
        psql("postgres", f"ALTER DATABASE {args.database} RESET default_transaction_read_only")
    results["read_only"]["recovered_after_seconds"] = recovery(browser)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
