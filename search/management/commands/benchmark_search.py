"""Time the search page with a small and a large directory, on a throwaway database.

The real database is only read: a sample of its postcodes and every postcode area are copied into
a test database made by Django's own test machinery, synthetic published providers are written
there in bulk, and the results page is timed in-process with the test client (middleware, view,
queries and template). The test database is destroyed at the end, also on Ctrl-C.

stdout gets one JSON document; progress goes to stderr.
"""

import cProfile
import gc
import io
import itertools
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.request
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Min
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from core.bulk import BulkTable, analyse
from core.scratch import database_url, free_port, throwaway_database
from places import geo
from places.importers import POSTCODE_COLUMNS
from places.models import Postcode, PostcodeArea
from providers.models import Provider, ServiceCategory
from providers.synthetic import DirectoryBuilder, cell_of
from search import selectors, snapshot
from search.forms import ProviderFilter
from search.snapshot import Filters

# "first": the search's page is built (its cards and filter panel may come from the cache, as
# they would on a live site); "repeat": the page comes from the page cache.
TARGETS = {
    "first": {"large_over_small": 1.2, "large_over_home": 5.0},
    "repeat": {"large_over_small": 1.2, "large_over_home": 1.5},
    "edits": {"p95_with_over_without": 1.5, "longest_wait_ms": 100},
}
KINDS = ("first", "repeat")
ALL_KINDS = (*KINDS, "first_nothing_cached")  # reported, with no target: a cold start
EDIT_SECONDS = 1.0  # a listing saved this often during "edits under load"
WORKERS = 3  # gunicorn workers whose memory is measured
SEARCH_PLACES = 10
# Search places are town or city centres at least this far apart. Only the busiest places fill a
# page from 1,000 providers, so most are in London: the worst case for 100,000 (most matches).
PLACE_SPACING_MILES = 5
WARM_UP_REQUESTS = 5
READ_CHUNK = 900  # ids per "id IN (...)" when sampling the real postcode table
AREA_COLUMNS = ["code", "kind", "latitude", "longitude", "postcode_count"]


class Command(BaseCommand):
    help = (
        "Time the search results page with --small and then --large synthetic providers on a "
        "throwaway copy of the postcode data, and print the timings as JSON. The configured "
        "database is only read."
    )

    def add_arguments(self, parser):
        parser.add_argument("--small", type=int, default=1000, help="providers in the first run")
        parser.add_argument("--large", type=int, default=100_000, help="providers in the second")
        parser.add_argument(
            "--requests", type=int, default=120, help="timed requests per size, and home pages"
        )
        parser.add_argument(
            "--sample", type=int, default=120_000, help="real postcodes copied to the test DB"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--edit-seconds",
            type=float,
            default=30,
            help="how long each half of 'edits under load' runs (without edits, then with)",
        )
        parser.add_argument(
            "--profile",
            action="store_true",
            help="at each size, show on stderr each query of two searches with its time, "
            "the plans of the slowest, and a cProfile of the project's code",
        )

    def info(self, text, ending="\n"):
        self.stderr.write(text, style_func=str, ending=ending)
        self.stderr.flush()

    def handle(self, *args, small, large, requests, sample, seed, profile, edit_seconds, **options):
        if small < 1 or large < small or requests < 1 or sample < 1:
            raise CommandError("Need 1 <= --small <= --large, --requests >= 1 and --sample >= 1.")
        started = time.perf_counter()
        postcodes, areas = self.read_real_data(sample)

        with throwaway_database(self.info) as name:
            self.info(f"Throwaway database: {name}")
            load_postcodes(postcodes, areas)
            self.info(f"Copied {len(postcodes):,} postcodes and {len(areas):,} areas")
            builder = DirectoryBuilder(postcodes, areas, seed=seed, progress=self.info)
            client = Client()
            with override_settings(
                DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
            ):
                build_small = builder.add(small)
                snapshot_small = self.time_snapshot()
                settle()
                places = self.choose_places(client, postcodes)
                self.info("Search places: " + ", ".join(pc for pc, _ in places))
                small_runs = self.time_searches(client, places, requests)
                taking_small = self.time_new_clients_filter(client, places, requests)
                oruk_small = self.time_oruk(client, requests)
                if profile:
                    self.profile(client, places)
                build_large = builder.add(large - small)
                snapshot_large = self.time_snapshot()
                settle()
                large_runs = self.time_searches(client, places, requests)
                taking_large = self.time_new_clients_filter(client, places, requests)
                oruk_large = self.time_oruk(client, requests)
                edits = self.time_edits(client, places, edit_seconds)
                memory = self.measure_workers(client, places)
                if profile:
                    self.profile(client, places)

        # Timed between the large searches, so both see the same process (its memory, its
        # caches, the collector): the ratios are of like with like.
        small_runs.pop("home_times")
        home = summarise(large_runs.pop("home_times"))
        search = {"small": small_runs, "large": large_runs}
        # A search's first request builds its page; repeats of the same search reuse the cached
        # page. Each is compared with the home page and across sizes on its own.
        ratios, met = {}, {}
        for kind in KINDS:
            small_ms, large_ms = search["small"][kind], search["large"][kind]
            for target, bottom in [("large_over_small", small_ms), ("large_over_home", home)]:
                for statistic in ("median", "p95"):
                    value = ratio(large_ms[statistic], bottom[statistic])
                    ratios[f"{kind}_{target}_{statistic}"] = value
                    met.setdefault(kind, {}).setdefault(target, {})[statistic] = (
                        value <= TARGETS[kind][target]
                    )
        ratios["edits_p95_with_over_without"] = edits["p95_with_over_without"]
        met["edits"] = {
            "p95_with_over_without": edits["p95_with_over_without"]
            <= TARGETS["edits"]["p95_with_over_without"],
            "longest_wait_ms": edits["with_edits"]["longest_wait_ms"]
            <= TARGETS["edits"]["longest_wait_ms"],
        }
        report = {
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "providers": {"small": small, "large": large},
            "requests": requests,
            "search_small_ms": {kind: search["small"][kind] for kind in ALL_KINDS},
            "search_large_ms": {kind: search["large"][kind] for kind in ALL_KINDS},
            "home_ms": home,
            "ratios": ratios,
            "targets": TARGETS,
            "met": met,
            "results_per_search": {
                "small": search["small"]["results"],
                "large": search["large"]["results"],
            },
            # The results page, and the map's data, which has a URL of its own and is fetched
            # only when someone opens the map.
            "page_kb": {"small": search["small"]["page_kb"], "large": search["large"]["page_kb"]},
            "map_kb": {"small": search["small"]["map_kb"], "large": search["large"]["map_kb"]},
            "search_places": [
                {"postcode": postcode, "filters": urlencode(filters)}
                for postcode, filters in places
            ],
            # The open data API's /services, 100 fully nested services a page, pages spread
            # through the whole directory.
            "oruk_services_per_page_100": {"small": oruk_small, "large": oruk_large},
            # The "Taking new clients" filter: each place's search with and without it ticked, in
            # the snapshot alone and as a whole page built afresh (cards and panels cached).
            "new_clients_filter": {"small": taking_small, "large": taking_large},
            "sampled_postcodes": len(postcodes),
            "build_seconds": {"small": round(build_small, 1), "large": round(build_large, 1)},
            "snapshot": {"small": snapshot_small, "large": snapshot_large},
            # At the large size: searches that each build their page, for --edit-seconds without
            # edits and again while a listing is saved every second in another thread.
            "edits_under_load": edits,
            # A real gunicorn (gunicorn.conf.py) serving the large directory, in MB.
            "memory_per_worker_mb": memory,
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        self.stdout.write(json.dumps(report, indent=2))

    # Reading the real database ------------------------------------------------------------------

    def read_real_data(self, sample):
        """~`sample` postcodes spread over the whole table (every n-th id) and every area."""
        try:
            bounds = Postcode.objects.aggregate(low=Min("id"), high=Max("id"))
        except DatabaseError as error:
            raise CommandError(
                f"Could not read the postcode table ({error}). Run `python manage.py migrate` "
                "and `python manage.py import_postcodes` first."
            ) from error
        if bounds["low"] is None:
            raise CommandError(
                "There are no postcodes in the database. Run `python manage.py import_postcodes` "
                "first: the benchmark searches real postcodes."
            )
        stride = max(1, (bounds["high"] - bounds["low"] + 1) // sample)
        ids = range(bounds["low"], bounds["high"] + 1, stride)
        self.info(f"Reading every {stride}th postcode of {connection.settings_dict['NAME']}")
        postcodes = []
        for start in range(0, len(ids), READ_CHUNK):
            chunk = list(ids[start : start + READ_CHUNK])
            postcodes += (
                Postcode.objects.filter(pk__in=chunk).order_by("pk").values_list(*POSTCODE_COLUMNS)
            )
        areas = list(PostcodeArea.objects.order_by("pk").values_list(*AREA_COLUMNS))
        connection.close()
        return postcodes, areas

    # Choosing where to search -------------------------------------------------------------------

    def choose_places(self, client, postcodes):
        """Postcodes in the most built-up grid cells, far apart, busiest first, where the small
        directory already fills a page both unfiltered and filtered: the two sizes are then timed
        on the same page (20 results, map data, filters), not on a shorter one at the small size."""
        cells = {}
        for row in postcodes:
            cells.setdefault(cell_of(row[3], row[4]), []).append(row)
        chosen_cells = []
        for rows in sorted(cells.values(), key=len, reverse=True):
            lat, lon = statistics.fmean(r[3] for r in rows), statistics.fmean(r[4] for r in rows)
            if all(
                geo.distance_miles(lat, lon, other_lat, other_lon) >= PLACE_SPACING_MILES
                for other_lat, other_lon, _ in chosen_cells
            ):
                chosen_cells.append((lat, lon, rows))
            if len(chosen_cells) >= SEARCH_PLACES * 10:
                break

        categories = list(ServiceCategory.objects.values_list("slug", flat=True))
        places = []
        for number, (lat, lon, rows) in enumerate(chosen_cells):
            # The postcode nearest the middle of the cell's postcodes: a town centre.
            nearest = min(rows, key=lambda r: (r[3] - lat) ** 2 + (r[4] - lon) ** 2)
            postcode = nearest[0]
            if fetch(client, search_url(postcode), allow_empty=True) < selectors.PAGE_SIZE:
                continue
            turn = number % len(categories)
            for filters in filter_choices(categories[turn:] + categories[:turn]):
                if (
                    fetch(client, search_url(postcode, filters), allow_empty=True)
                    >= selectors.PAGE_SIZE
                ):
                    places.append((postcode, filters))
                    break
            if len(places) == SEARCH_PLACES:
                break
        if not places:
            raise CommandError(
                f"No sampled postcode has {selectors.PAGE_SIZE} results at the small size; "
                "try a larger --small."
            )
        return places

    # Timing -------------------------------------------------------------------------------------

    def time_searches(self, client, places, requests):
        """Four searches at each place in turn (filtered or not, in two sort orders), round and
        round: the first round is every search's first request (its page is built), later rounds
        repeat them (the page is cached)."""
        searches = [
            (postcode, variant)
            for postcode, filters in places
            for variant in [filters, [], [*filters, ("sort", "checked")], [("sort", "name")]]
        ]
        timed = [searches[number % len(searches)] for number in range(requests)]
        warm_up = search_url(places[0][0], [("sort", "distance")])  # not one of the timed pages
        for _ in range(WARM_UP_REQUESTS):
            fetch(client, warm_up)
        # Each search once with nothing cached: no page, no card, no filter panel.
        forget_pages()
        caches["cards"].clear()
        cold = []
        for postcode, variant in searches:
            begun = time.perf_counter()
            fetch(client, search_url(postcode, variant))
            cold.append((time.perf_counter() - begun) * 1000)
        # Then as on a live site: the cards and panels are kept, the pages forgotten.
        forget_pages()
        runs = {kind: ([], []) for kind in KINDS}
        for _ in range(WARM_UP_REQUESTS):
            client.get("/")
        home = []
        seen, sizes, map_sizes = set(), [], []
        for postcode, variant in timed:
            url = search_url(postcode, variant)
            begun = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - begun) * 1000
            begun = time.perf_counter()
            if client.get("/").status_code != 200:
                raise CommandError("The home page did not answer 200")
            home.append((time.perf_counter() - begun) * 1000)
            if url not in seen:
                sizes.append(len(response.content) / 1024)
                map_sizes.append(map_size_kb(client, response, url))
            times, counts = runs["repeat" if url in seen else "first"]
            times.append(elapsed)
            counts.append((any(name != "sort" for name, _ in variant), check_page(response, url)))
            seen.add(url)
        count = Provider.objects.count()
        self.info(
            f"Timed {requests} searches with {count:,} providers "
            f"({len(runs['first'][0])} first requests, {len(runs['repeat'][0])} repeats)"
        )
        summary = {kind: summarise(*runs[kind]) for kind in KINDS if runs[kind][0]}
        if "repeat" not in summary:
            raise CommandError(f"Use --requests above {len(searches)} to time repeats too.")
        summary["first_nothing_cached"] = summarise(cold)
        summary["home_times"] = home
        summary["results"] = result_counts(runs["first"][1])
        summary["page_kb"] = {
            "median": round(statistics.median(sizes)),
            "largest": round(max(sizes)),
        }
        summary["map_kb"] = {
            "median": round(statistics.median(map_sizes)),
            "largest": round(max(map_sizes)),
        }
        return summary

    def time_new_clients_filter(self, client, places, requests):
        """Each place's search with and without "Taking new clients", alternately (so both see
        the same process): ms for the snapshot's search alone, and for the results page built
        afresh (its page cache forgotten before each request, cards and panels kept)."""
        today = timezone.localdate()
        current = snapshot.current()
        searches = []
        for postcode, filters in places:
            location = Postcode.objects.locate(postcode)
            query = QueryDict(urlencode(filters))
            plain = Filters.from_data(ProviderFilter(query).valid_data)
            taking = replace(plain, feature=plain.feature | {"taking"})
            searches.append((postcode, filters, location, plain, taking))
        timed = {"without": [], "with": []}
        pages = {"without": [], "with": []}
        found = {"without": [], "with": []}
        for number in range(requests):
            postcode, filters, location, plain, taking = searches[number % len(searches)]
            order = [
                ("without", plain, filters),
                ("with", taking, [*filters, ("feature", "taking")]),
            ]
            for name, chosen, variant in order if number % 2 else order[::-1]:
                begun = time.perf_counter()
                results = current.search(location, chosen, sort="distance", today=today)
                results.order[:20]  # the page's 20, as the page sorts them
                timed[name].append((time.perf_counter() - begun) * 1000)
                found[name].append(len(results))
                forget_pages()
                begun = time.perf_counter()
                fetch(client, search_url(postcode, variant), allow_empty=True)
                pages[name].append((time.perf_counter() - begun) * 1000)
        summary = {
            "snapshot_search_ms": {name: summarise(values) for name, values in timed.items()},
            "page_ms": {name: summarise(values) for name, values in pages.items()},
            "results": {name: round(statistics.fmean(values), 1) for name, values in found.items()},
        }
        for kind in ("snapshot_search_ms", "page_ms"):
            summary[kind]["with_over_without_median"] = ratio(
                summary[kind]["with"]["median"], summary[kind]["without"]["median"]
            )
        self.info(
            "Taking new clients filter: snapshot search median "
            f"{summary['snapshot_search_ms']['without']['median']} ms without, "
            f"{summary['snapshot_search_ms']['with']['median']} ms with; page median "
            f"{summary['page_ms']['without']['median']} ms without, "
            f"{summary['page_ms']['with']['median']} ms with"
        )
        return summary

    def time_snapshot(self):
        """Seconds to build the whole search snapshot (at a process's start, or in the background
        after a change too big to list), and the megabytes it holds, from a second build under
        tracemalloc (which slows it down)."""
        snapshot.current()  # the builder's bulk write: a rebuild, in the background if large
        snapshot.rebuilt()
        begun = time.perf_counter()
        directory = snapshot.Snapshot.build()
        seconds = round(time.perf_counter() - begun, 2)
        if snapshot.current().behind:
            raise CommandError("The search snapshot did not catch up with the directory")
        tracemalloc.start()
        copy = snapshot.Snapshot.build()
        held, _ = tracemalloc.get_traced_memory()  # while the copy is alive
        tracemalloc.stop()
        del copy
        megabytes = round(held / 2**20, 1)
        self.info(
            f"Built the search snapshot of {directory.size:,} providers in {seconds}s; "
            f"it holds {megabytes} MB"
        )
        return {"seconds": seconds, "megabytes": megabytes}

    def time_oruk(self, client, requests):
        url = "/api/oruk/services?per_page=100&full=true&page="
        pages = client.get(url + "1").json()["total_pages"]
        times, sizes = [], []
        for n in range(requests):
            page = 1 + (n * 7919) % pages  # spread over the whole directory
            begun = time.perf_counter()
            response = client.get(url + str(page))
            times.append((time.perf_counter() - begun) * 1000)
            sizes.append(len(response.content) / 1024)
            if response.status_code != 200:
                raise CommandError(f"/api/oruk/services answered {response.status_code}")
        self.info(f"Timed {requests} pages of /api/oruk/services")
        return {**summarise(times), "page_kb": round(statistics.median(sizes), 1)}

    def time_edits(self, client, places, seconds):
        """Searches for `seconds` without edits, then for `seconds` while another thread saves a
        listing every second (as staff or a provider would, through the ORM). Every request
        builds its page (the page cache is forgotten each time), so both halves time the same
        work and the difference is what the edits cost searches: catching the snapshot up,
        drawing the edited listings' cards again, and sharing the process with the writer."""
        urls = [
            search_url(postcode, [*variant, ("page", page)])
            for postcode, filters in places
            for variant in [filters, [], [("sort", "name")]]
            for page in (1, 2)
        ]
        current = snapshot.current()
        covering = set()
        for postcode, _ in places:
            rows, _ = current.covering(Postcode.objects.locate(postcode))
            covering.update(current.pks(rows))
        editable = sorted(covering)
        for url in urls:  # cards and panels kept, as on a live site
            fetch(client, url, allow_empty=True)

        def run(editing):
            stop, edits = threading.Event(), []
            editor = threading.Thread(target=edit_listings, args=(stop, editable, edits))
            snapshot.stats_reset()
            if editing:
                editor.start()
            times, number, deadline = [], 0, time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                forget_pages()
                url = urls[number % len(urls)]
                begun = time.perf_counter()
                fetch(client, url, allow_empty=True)
                times.append((time.perf_counter() - begun) * 1000)
                number += 1
            stop.set()
            if editing:
                editor.join()
            return {
                **summarise(times),
                "searches": len(times),
                "edits": len(edits),
                "longest_wait_ms": round(snapshot.stats["longest_wait_ms"], 1),
                "snapshot_patches": snapshot.stats["patches"],
                "served_previous_snapshot": snapshot.stats["served_behind"],
                "snapshot_rebuilds": snapshot.stats["rebuilds"],
            }

        without = run(editing=False)
        self.info(f"Timed {without['searches']} searches without edits")
        with_edits = run(editing=True)
        self.info(
            f"Timed {with_edits['searches']} searches while {with_edits['edits']} listings "
            f"were saved; the longest wait for the snapshot was {with_edits['longest_wait_ms']} ms"
        )
        if not with_edits["edits"]:
            raise CommandError("No listing was saved during the edits run")
        return {
            "edit_every_seconds": EDIT_SECONDS,
            "without_edits": without,
            "with_edits": with_edits,
            "p95_with_over_without": ratio(with_edits["p95"], without["p95"]),
            "median_with_over_without": ratio(with_edits["median"], without["median"]),
        }

    def measure_workers(self, client, places):
        """Memory of a real gunicorn (`gunicorn.conf.py`: the snapshot built in the master before
        it forks the workers) serving this directory: at start, after searches, and after a
        listing is saved and each worker has patched a copy of its own. From Linux's
        /proc/<pid>/smaps_rollup: rss (all a worker touches), uss (its own pages: what each
        further worker costs) and pss (its fair share of the pages it shares with the others)."""
        if not Path("/proc/self/smaps_rollup").exists():
            return None
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "benchmark-" + "x" * 50,
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(WORKERS),
        }
        base = f"http://127.0.0.1:{port}"
        urls = [base + search_url(postcode, filters) for postcode, filters in places]
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "directory.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(base + "/health/live/")
            time.sleep(1)  # every worker up
            report = {"workers": WORKERS, "start": workers_memory(server.pid)}
            for _ in range(5):
                for url in urls:
                    http_get(url)
            report["searching"] = workers_memory(server.pid)
            with transaction.atomic():
                Provider.public_objects.order_by("pk").first().save()
            for _ in range(5):
                for url in urls:
                    http_get(url)
            report["after_an_edit"] = workers_memory(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        self.info(f"Measured the memory of gunicorn's {WORKERS} workers")
        return report

    def profile(self, client, places):
        """Each query of a filtered and a plain search at the busiest place, slowest first, the
        plans of the three slowest, and where the project's Python spends the rest. The page cache
        is forgotten first each time, so these are first requests, which build the page (from
        the cards and filter panel kept by the timed searches)."""
        postcode, filters = places[0]
        for url in [search_url(postcode, filters), search_url(postcode)]:
            forget_pages()
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                fetch(client, url)
                total = (time.perf_counter() - begun) * 1000
            queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
            sql_ms = sum(float(q["time"]) for q in queries) * 1000
            self.info(f"\n== {url}: {total:.0f} ms, {len(queries)} queries, {sql_ms:.0f} ms SQL")
            for query in queries:
                self.info(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")
            for query in queries[:3]:
                self.info(f"\n-- plan for the {float(query['time']) * 1000:.1f} ms query:")
                self.info(explain(query["sql"]))
            forget_pages()
            profiler = cProfile.Profile()
            profiler.runcall(fetch, client, url)
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
            stats.print_stats(
                re.escape(str(settings.BASE_DIR)) + r"/(search|providers|directory)/", 25
            )
            self.info(
                f"\n-- project code under cProfile (slower than unprofiled):{stream.getvalue()}"
            )


def forget_pages():
    """Make every cached results page and map unreachable (the cards and panels stay): the page
    cache's key version moves, which works the same in memory and in Redis."""
    cache.version += 1


def edit_listings(stop, ids, edits):
    """Save a listing every EDIT_SECONDS until `stop`, as an officer or provider would."""
    rng = random.Random(len(ids))  # noqa: S311 - which listing, not security
    try:
        while not stop.wait(EDIT_SECONDS):
            with transaction.atomic():
                provider = Provider.objects.get(pk=rng.choice(ids))
                provider.summary = f"Updated by the benchmark ({len(edits) + 1})"
                provider.accepts_direct_payments = not provider.accepts_direct_payments
                provider.save()
            edits.append(provider.pk)
    finally:
        connection.close()


def memory_of(pid):
    """(rss, pss, uss) of a process in MB, from Linux's smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {
        "rss": fields["Rss"],
        "pss": fields["Pss"],
        "uss": fields["Private_Clean"] + fields["Private_Dirty"],
    }


def workers_memory(master):
    """The gunicorn master's memory, and its workers' (the mean of each figure), in MB."""
    children = [
        int(path.name)
        for path in Path("/proc").iterdir()
        if path.name.isdigit() and _parent(path) == master
    ]
    if not children:
        raise CommandError("gunicorn has no workers")
    workers = [memory_of(pid) for pid in children]
    return {
        "master": {key: round(value, 1) for key, value in memory_of(master).items()},
        "per_worker": {
            key: round(statistics.fmean(worker[key] for worker in workers), 1)
            for key in ("rss", "pss", "uss")
        },
    }


def _parent(path):
    try:
        return int((path / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def http_get(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server
        if response.status != 200:
            raise CommandError(f"{url} answered {response.status}")
        return response.read()


def wait_until_serving(url):
    for _ in range(300):
        try:
            http_get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise CommandError("gunicorn did not start")


def load_postcodes(postcodes, areas):
    with transaction.atomic():
        BulkTable(Postcode, POSTCODE_COLUMNS).insert(postcodes)
        BulkTable(PostcodeArea, AREA_COLUMNS).insert(areas)
    analyse()


def settle():
    """Collect, then set aside what exists now (chiefly the builder's million rows of generated
    data, which a web process would not hold), so full garbage collections during the timing
    walk only what the requests themselves make."""
    gc.collect()
    gc.freeze()


def search_url(postcode, filters=None):
    return "/search/?" + urlencode([("postcode", postcode), *(filters or [])])


def filter_choices(categories):
    """Filters to try for the filtered search, narrowest first: one category with all basic
    checks current, one category, then any of two categories."""
    for category in categories:
        yield [("category", category), ("feature", "checks")]
    for category in categories:
        yield [("category", category)]
    for pair in itertools.combinations(categories, 2):
        yield [("category", slug) for slug in pair]


SUMMARY = re.compile(r'id="results-summary">\s*(\d+) provider')
MAP_URL = re.compile(r'data-map-url="([^"]+)"')


def fetch(client, url, allow_empty=False):
    return check_page(client.get(url), url, allow_empty)


def check_page(response, url, allow_empty=False):
    """The number of results on a search page, after checking it is a whole results page."""
    if response.status_code != 200:
        raise CommandError(f"{url} answered {response.status_code}")
    html = response.content.decode()
    summary = SUMMARY.search(html)
    if summary is None:
        raise CommandError(f"No results summary in {url}")
    count = int(summary.group(1))
    if count and MAP_URL.search(html) is None:
        raise CommandError(f"No map data URL in {url}")
    if count and 'class="govuk-list app-results"' not in html:
        raise CommandError(f"No results list in {url}")
    if not count and not allow_empty:
        raise CommandError(f"No results for {url}")
    return count


def map_size_kb(client, response, url):
    """KB of the map data a results page points to (0 for a page with no results)."""
    found = MAP_URL.search(response.content.decode())
    if found is None:
        return 0
    data = client.get(unescape(found.group(1)))
    if data.status_code != 200:
        raise CommandError(f"The map data for {url} answered {data.status_code}")
    json.loads(data.content)
    return len(data.content) / 1024


def summarise(times, counts=None):
    """Median, 95th percentile and mean in ms; for searches, also the median of each kind."""
    summary = {
        "median": round(statistics.median(times), 2),
        "p95": round(statistics.quantiles(times, n=20)[-1], 2)
        if len(times) > 1
        else round(times[0], 2),
        "mean": round(statistics.fmean(times), 2),
    }
    if counts:
        for kind, wanted in [("filtered", True), ("plain", False)]:
            kept = [
                ms for ms, (filtered, _) in zip(times, counts, strict=True) if filtered == wanted
            ]
            summary[f"{kind}_median"] = round(statistics.median(kept), 2) if kept else None
    return summary


def ratio(top, bottom):
    return round(top / bottom, 2) if bottom else None


def result_counts(counts):
    def mean(values):
        return round(statistics.fmean(values), 1) if values else None

    return {
        "all": mean([n for _, n in counts]),
        "filtered": mean([n for filtered, n in counts if filtered]),
        "plain": mean([n for filtered, n in counts if not filtered]),
    }


def explain(sql):
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE) "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return "\n".join(" | ".join(str(value) for value in row) for row in cursor.fetchall())
    except DatabaseError as error:
        return f"(could not explain: {error})"
