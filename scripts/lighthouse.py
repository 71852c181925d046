"""Lighthouse scores (SEO, accessibility, best practices, performance) for the home page, a
results page and a provider's profile, in English and Welsh.

    make lighthouse                                    # the demo data, served as in production
    python scripts/lighthouse.py http://127.0.0.1:8001 # a server you already have running

It installs Google's `lighthouse` npm package (LIGHTHOUSE_VERSION) under var/lighthouse/ the first
time, with npm, and runs it with Debian's Chromium (CHROME_PATH, /usr/bin/chromium): nothing
downloads a browser. Without a URL it collects the static files and starts gunicorn with the
production settings over plain http on a free port, against DATABASE_URL (by default the
var/directory.sqlite3 that `make setup` fills with demo listings), with WELSH on and no map tiles
(there is no network to fetch them from), and stops it afterwards.

Lighthouse's defaults apply: a mobile screen and simulated slow 4G, so performance is a
comparison from run to run rather than a promise. Prints a table and the audits that cost points;
exits 1 if any page scores less than 100 for SEO.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "12.8.2"  # the last for Node.js 20 (13 needs 22)
PREFIX = ROOT / "var" / "lighthouse"
CLI = PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
CATEGORIES = ["seo", "accessibility", "best-practices", "performance"]
PROFILE = re.compile(r'href="(/providers/[a-z0-9-]+/)"')


def lighthouse_installed():
    package = CLI.parent.parent / "package.json"
    return package.exists() and json.loads(package.read_text())["version"] == LIGHTHOUSE_VERSION


def tool(name):
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} is needed (Node.js 18.16 or later with npm: apt-get install nodejs npm)")
    return found


def install_lighthouse():
    if lighthouse_installed():
        return
    print(
        f"Installing lighthouse {LIGHTHOUSE_VERSION} under {PREFIX.relative_to(ROOT)}/", flush=True
    )
    PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603
        [tool("npm"), "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--loglevel=error",
         f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )  # fmt: skip


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
        return response.status, response.read().decode()


class Server:
    """gunicorn with the production settings, as `make serve` runs it, on a free port."""

    def __init__(self):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "WELSH": "true",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "true",
            "ALLOWED_HOSTS": "127.0.0.1",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "MAP_TILES_URL": "",
            "LOG_LEVEL": "WARNING",
        }

    def __enter__(self):
        manage = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
        subprocess.run(manage, cwd=ROOT, env=self.env, check=True)  # noqa: S603
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "directory.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        for _ in range(150):
            try:
                if fetch(self.url + "/health/live/")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        self.log.seek(0)
        sys.exit("gunicorn did not start:\n" + self.log.read().decode()[-3000:])

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def pages(base, postcode, welsh):
    _, results = fetch(f"{base}/search/?postcode={postcode.replace(' ', '+')}")
    profile = PROFILE.search(results)
    if not profile:
        sys.exit(f"No provider listed at {postcode}: load the demo data (make setup) first")
    found = [
        ("home", "/"),
        ("results", f"/search/?postcode={postcode.replace(' ', '+')}"),
        ("profile", profile[1]),
    ]
    if welsh:
        found += [(f"{name} (cy)", "/cy" + path) for name, path in found]
    return found


def run_lighthouse(url, chrome, attempts=3):
    """Lighthouse's report for one page. It now and then fails to record a page load (NO_NAVSTART,
    a runtime error of its own): such a run is tried again."""
    for attempt in range(1, attempts + 1):
        with tempfile.NamedTemporaryFile(suffix=".json") as report:
            done = subprocess.run(  # noqa: S603
                [tool("node"), str(CLI), url, "--quiet", "--output=json",
                 f"--output-path={report.name}", f"--only-categories={','.join(CATEGORIES)}",
                 f"--chrome-flags={CHROME_FLAGS}"],
                env={**os.environ, "CHROME_PATH": chrome},
                check=attempt == attempts,
            )  # fmt: skip
            if done.returncode == 0:
                return json.loads(Path(report.name).read_text())
        print(f"  lighthouse failed on {url}; trying again", file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def lost_points(report):
    """The audits that cost points, for the categories that are not 100."""
    lost = []
    for name in CATEGORIES:
        category = report["categories"][name]
        if category["score"] == 1:
            continue
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                lost.append(f"{name}: {audit['title']} ({audit['score']:.2f})")
    return lost


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="a running server (default: start one)")
    parser.add_argument("--postcode", default=os.environ.get("SEARCH_EXAMPLE_POSTCODE", "CM1 1AE"))
    parser.add_argument("--english-only", action="store_true", help="skip the Welsh pages")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    if not Path(args.chrome).exists():
        sys.exit(f"No Chromium at {args.chrome} (apt-get install chromium, or set CHROME_PATH)")
    install_lighthouse()

    def measure(base):
        rows = []
        for name, path in pages(base, args.postcode, welsh=not args.english_only):
            report = run_lighthouse(base + path, args.chrome)
            scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
            rows.append((name, path, scores, lost_points(report)))
            print(f"  measured {name}: {path}", file=sys.stderr, flush=True)
        return rows

    if args.url:
        rows = measure(args.url.rstrip("/"))
    else:
        with Server() as server:
            print(f"Serving the demo data at {server.url}", file=sys.stderr, flush=True)
            rows = measure(server.url)

    print(f"\nLighthouse {LIGHTHOUSE_VERSION}, mobile, simulated throttling\n")
    print(f"{'page':<14}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, _path, scores, _lost in rows:
        print(f"{name:<14}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES))
    for name, path, _scores, lost in rows:
        if lost:
            print(f"\n{name} ({path}):\n  " + "\n  ".join(lost))
    return 0 if all(scores["seo"] == 100 for _, _, scores, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
