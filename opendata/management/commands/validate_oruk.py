"""Check any Open Referral UK 3.0 feed (ours or a neighbour's) the way the ORUK validator's
required checks do, so a council can see whether a directory can really be read by others:

  1. api details: GET BASE_URL/ is 200 JSON matching api_details.json, version "3.0…";
  2. services list: GET BASE_URL/services matches service_list.json, each item service.json;
  3. one service: GET BASE_URL/services/{first id} matches service.json;
  4. pagination: pages 1..N of /services agree on total_items, total_pages, page_number,
     first_page and last_page, and no service id comes twice;
  5. CORS: every response has Access-Control-Allow-Origin (browsers can use the feed);
  6. content type: every response is application/json;
  7. response time: every request answered within --slow-seconds.

With --level 2, also what proximity searches need:
  8. locations: every service at a location (GET BASE_URL/service_at_locations, as many pages
     as --max-pages) has a location with a latitude and a longitude.

Plain HTTP from the standard library and the standard's own schemas (opendata/schema/).
One line per check, PASS or FAIL, then a count; any FAIL ends in a CommandError."""

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from opendata.schemas import validator

USER_AGENT = "care-directory validate_oruk (Open Referral UK 3.0 checks)"


class Problem(Exception):
    """A check failed; the message says why in plain words."""


class Unreachable(Problem):
    """The feed did not answer at all: no point asking it anything else."""


@dataclass
class Response:
    url: str
    status: int
    headers: dict
    body: bytes
    ms: int

    def json(self):
        kind = self.headers.get("content-type", "no content type")
        if self.status != 200:
            raise Problem(f"{self.url} answered HTTP {self.status} ({kind}), expected 200 JSON")
        try:
            return json.loads(self.body)
        except ValueError:
            raise Problem(f"{self.url} did not answer JSON ({kind})") from None


def schema_errors(data, schema_file):
    errors = list(validator(schema_file).iter_errors(data))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "top level"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise Problem(f"not valid against {schema_file} at {where}: {first.message[:200]}{more}")


class Command(BaseCommand):
    help = "Run the Open Referral UK 3.0 validator's required checks against a feed's base URL."

    def add_arguments(self, parser):
        parser.add_argument("base_url", help="e.g. https://example.org/api/oruk")
        parser.add_argument("--timeout", type=float, default=10, help="seconds per request")
        parser.add_argument("--per-page", type=int, default=50)
        parser.add_argument("--max-pages", type=int, default=20)
        parser.add_argument("--slow-seconds", type=float, default=3)
        parser.add_argument(
            "--level",
            type=int,
            choices=(1, 2),
            default=1,
            help="2: also every location's coordinates",
        )

    def handle(self, base_url, **options):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise CommandError("BASE_URL must start with http:// or https://")
        self.base, self.options = base_url.rstrip("/"), options
        self.responses, self.passed, self.failed = [], 0, 0
        try:
            self.run_check("api details", self.api_details)
            first_id = self.run_check("services list", self.services_list)
            self.run_check("one service", lambda: self.one_service(first_id))
            self.run_check("pagination", self.pagination)
            self.run_check("CORS", self.cors)
            self.run_check("content type", self.content_type)
            self.run_check("response time", self.response_time)
            if options["level"] >= 2:
                self.run_check("locations", self.locations)
        except Unreachable:
            pass  # reported as a FAIL already; nothing else can be checked
        self.stdout.write(f"{self.passed} passed, {self.failed} failed")
        if self.failed:
            raise CommandError(f"{self.failed} check(s) failed for {self.base}")

    def run_check(self, name, run):
        try:
            result, detail = run()
        except Unreachable as problem:
            self.report(False, name, str(problem))
            raise
        except Problem as problem:
            self.report(False, name, str(problem))
            return None
        except KeyError as error:
            self.report(False, name, f"the answer has no {error.args[0]!r}")
            return None
        except (IndexError, TypeError, AttributeError) as error:
            self.report(False, name, f"the answer is not shaped as the standard says ({error})")
            return None
        self.report(True, name, detail)
        return result

    def report(self, ok, name, detail):
        self.passed, self.failed = self.passed + ok, self.failed + (not ok)
        self.stdout.write(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")

    def get(self, path, **params):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Origin": "null"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http/https checked)
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.options["timeout"]) as answer:  # noqa: S310
                status, headers, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as answer:
            status, headers, body = answer.code, answer.headers, answer.read()
        except (OSError, ValueError) as error:  # URLError, timeouts, refused connections
            reason = getattr(error, "reason", error)
            raise Unreachable(f"cannot reach {url}: {reason}") from None
        ms = round((time.perf_counter() - start) * 1000)
        self.stdout.write(f"  GET {url} -> {status} in {ms} ms")
        response = Response(url, status, {k.lower(): v for k, v in headers.items()}, body, ms)
        self.responses.append(response)
        return response

    # The checks: each returns (a result for later checks, a detail for the report) -----------

    def api_details(self):
        response = self.get("/")
        data = response.json()
        schema_errors(data, "api_details.json")
        if not str(data.get("version", "")).startswith("3.0"):
            raise Problem(f"version is {data.get('version')!r}, expected 3.0")
        return None, f"version {data['version']}, {response.ms} ms"

    def services_list(self):
        response = self.get("/services")
        data = response.json()
        schema_errors(data, "service_list.json")
        for number, item in enumerate(data["contents"]):
            try:
                schema_errors(item, "service.json")
            except Problem as problem:
                raise Problem(f"service {number} of the page is {problem}") from None
        first_id = data["contents"][0]["id"] if data["contents"] else None
        return first_id, f"{data.get('total_items', '?')} services, {response.ms} ms"

    def one_service(self, service_id):
        if service_id is None:
            raise Problem("no service id to fetch (the services list gave none)")
        response = self.get(f"/services/{urllib.parse.quote(str(service_id))}")
        data = response.json()
        schema_errors(data, "service.json")
        if data.get("id") != service_id:
            raise Problem(f"asked for {service_id}, got {data.get('id')}")
        return None, f"{service_id}, {response.ms} ms"

    def pagination(self):
        per_page, max_pages = self.options["per_page"], self.options["max_pages"]
        seen, first, page, size = set(), None, 0, per_page
        while page < max_pages:
            page += 1
            data = self.get("/services", page=page, per_page=per_page).json()
            schema_errors(data, "service_list.json")
            if first is None:  # page 1 sets the totals (and the page size a feed really uses)
                first = data
                size = per_page if data["last_page"] else len(data["contents"]) or per_page
                pages = max(math.ceil(data["total_items"] / size), 1)
            expected = {
                "total_items": first["total_items"],
                "total_pages": pages,
                "page_number": page,
                "first_page": page == 1,
                "last_page": page >= pages,
            }
            for field, value in expected.items():
                if data[field] != value and not (
                    field == "total_pages" and data[field] == 0 == data["total_items"]
                ):
                    raise Problem(f"page {page}: {field} is {data[field]!r}, expected {value!r}")
            for item in data["contents"]:
                if item["id"] in seen:
                    raise Problem(f"page {page}: service {item['id']} was on an earlier page")
                seen.add(item["id"])
            if data["last_page"]:
                if len(seen) != data["total_items"]:
                    raise Problem(
                        f"{len(seen)} services on {page} pages, total_items says {data['total_items']}"
                    )
                return None, f"{page} page(s) of {size}, {len(seen)} distinct ids"
        return (
            None,
            f"first {page} pages of {size} consistent ({len(seen)} ids), stopped at --max-pages",
        )

    def cors(self):
        missing = [r.url for r in self.responses if "access-control-allow-origin" not in r.headers]
        if missing:
            raise Problem(
                f"no Access-Control-Allow-Origin on {len(missing)} of {len(self.responses)} responses, e.g. {missing[0]}"
            )
        origins = sorted({r.headers["access-control-allow-origin"] for r in self.responses})
        return (
            None,
            f"Access-Control-Allow-Origin {', '.join(origins)} on {len(self.responses)} responses",
        )

    def content_type(self):
        wrong = [
            r
            for r in self.responses
            if not r.headers.get("content-type", "").startswith("application/json")
        ]
        if wrong:
            raise Problem(
                f"{wrong[0].url} is {wrong[0].headers.get('content-type', 'untyped')!r} ({len(wrong)} of {len(self.responses)} responses not application/json)"
            )
        return None, f"application/json on {len(self.responses)} responses"

    def response_time(self):
        slowest = max(self.responses, key=lambda r: r.ms)
        limit = round(self.options["slow_seconds"] * 1000)
        slow = [r for r in self.responses if r.ms > limit]
        if slow:
            raise Problem(
                f"{len(slow)} request(s) over {limit} ms, slowest {slowest.ms} ms ({slowest.url})"
            )
        return None, f"slowest {slowest.ms} ms of {len(self.responses)} requests (limit {limit} ms)"

    def locations(self):
        per_page, max_pages = self.options["per_page"], self.options["max_pages"]
        seen = 0
        for page in range(1, max_pages + 1):
            data = self.get("/service_at_locations", page=page, per_page=per_page).json()
            schema_errors(data, "service_at_location_list.json")
            for item in data["contents"]:
                location = item.get("location") or {}
                where = [location.get("latitude"), location.get("longitude")]
                if not all(isinstance(value, int | float) for value in where):
                    raise Problem(
                        f"service at location {item['id']} has no latitude and longitude: "
                        "proximity searches cannot find it"
                    )
                seen += 1
            if data["last_page"]:
                break
        return None, f"{seen} service(s) at locations, every one with coordinates"
