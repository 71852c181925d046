"""A bounded load test: N simulated visitors for S seconds against a running server, and what it
measured per kind of page. Standard library only.

    python scripts/loadtest.py http://127.0.0.1:8001 --users 50 --seconds 60
    python scripts/loadtest.py http://127.0.0.1:8001 --officer-every 2   # an officer saving too

Visitors open the home page, search by postcode (half of them with a filter or another order),
open a provider's profile from the results, read a guide and fetch a static file, with a short
pause between pages. With --officer-every, a separate thread saves a listing that often through
Django (the same database as the server: set DATABASE_URL as for the server), as an officer
would, so every web process sees the directory change and catches its search snapshot up.
Prints JSON: requests a second, and p50/p95/p99 in ms and errors for each page kind.
"""

import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

POSTCODES = [
    "CM1 1AE", "CM1 3AX", "CM2 8QB", "CO1 2FN", "CO4 3BP", "SS14 2GL", "TA1 1NR", "TA2 6FB",
    "BA20 1EQ", "BA11 1FB", "TA6 3JA", "CH7 1DA", "CH6 5BG", "CH8 7AW", "CM1", "TA1",
]  # fmt: skip
FILTERS = ["", "&category=help-at-home", "&feature=checks", "&sort=name", "&cost=20"]
PROFILE = re.compile(r'href="(/providers/[a-z0-9-]+/)"')
STATIC = re.compile(r'href="(/static/govuk/app[^"]*\.css)"')


class Visitor(threading.Thread):
    def __init__(self, base, stop_at, results, seed):
        super().__init__(daemon=True)
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.stop_at, self.results, self.rng = stop_at, results, random.Random(seed)  # noqa: S311
        self.connection = None

    def get(self, kind, path):
        begun = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = self.connection.getresponse()
            body = response.read()
            ok = response.status < 400
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
        except (OSError, http.client.HTTPException):
            self.connection, body, ok = None, b"", False
        self.results.append((kind, (time.perf_counter() - begun) * 1000, ok))
        return body.decode("utf-8", "replace") if ok else ""

    def run(self):
        while time.monotonic() < self.stop_at:
            home = self.get("home", "/")
            postcode = self.rng.choice(POSTCODES).replace(" ", "+")
            results = self.get("search", f"/search/?postcode={postcode}{self.rng.choice(FILTERS)}")
            if profiles := PROFILE.findall(results):
                self.get("profile", self.rng.choice(profiles))
            self.get("guide", "/guidance/what-the-checks-mean/")
            if static := STATIC.search(home):
                self.get("static", static[1])
            time.sleep(self.rng.uniform(0.1, 0.5))


def officer(every, stop_at, saves):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    import django

    django.setup()
    from providers.models import Provider

    listings = list(Provider.public_objects.values_list("pk", flat=True)[:50])
    while time.monotonic() < stop_at and listings:
        provider = Provider.objects.get(pk=random.choice(listings))  # noqa: S311
        provider.summary = provider.summary.rstrip(".") + "."
        provider.save()
        saves.append(time.monotonic())
        time.sleep(every)


def percentile(values, share):
    return round(statistics.quantiles(values, n=100)[share - 1], 1) if len(values) > 1 else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the server, like http://127.0.0.1:8001")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--officer-every", type=float, default=0, help="seconds between saves")
    args = parser.parse_args()
    results, saves = [], []
    stop_at = time.monotonic() + args.seconds
    visitors = [Visitor(args.base, stop_at, results, seed) for seed in range(args.users)]
    threads = list(visitors)
    if args.officer_every:
        threads.append(
            threading.Thread(target=officer, args=(args.officer_every, stop_at, saves), daemon=True)
        )
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in visitors):
        done = len(results)
        sys.stderr.write(f"\r{time.monotonic() - begun:5.0f}s {done:7,} requests")
        time.sleep(1)
    elapsed = time.monotonic() - begun
    sys.stderr.write("\n")
    report = {
        "users": args.users,
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "requests_per_second": round(len(results) / elapsed, 1),
        "errors": sum(1 for _, _, ok in results if not ok),
        "officer_saves": len(saves),
        "pages": {},
    }
    for kind in sorted({kind for kind, _, _ in results}):
        times = [ms for k, ms, _ in results if k == kind]
        report["pages"][kind] = {
            "requests": len(times),
            "errors": sum(1 for k, _, ok in results if k == kind and not ok),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
