"""Time the search page with a small and a large directory, on a throwaway database.

The real database is only read: a sample of its postcodes and every postcode area are copied into
a test database made by Django's own test machinery, synthetic published providers are written
there in bulk, and the results page is timed in-process with the test client (middleware, view,
queries and template). The test database is destroyed at the end, also on Ctrl-C.

stdout gets one JSON document; progress goes to stderr.
"""

import contextlib
import cProfile
import gc
import io
import itertools
import json
import math
import pstats
import random
import re
import statistics
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from providers.demo import LEGAL_FORMS, weighted
from providers.models import (
    Audience,
    Check,
    CoverageDistrict,
    Provider,
    Service,
    ServiceCategory,
    basics_current_until,
)
from search import geo
from search import index as search_index
from search.index import directory_changed
from search.models import Postcode, PostcodeArea
from search.views import PAGE_SIZE

TARGETS = {"large_over_small": 1.5, "large_over_home": 3.0}
KINDS = ("first", "repeat")
SEARCH_PLACES = 10
# Search places are town or city centres at least this far apart. Only the busiest places fill a
# page from 1,000 providers, so most are in London: the worst case for 100,000 (most matches).
PLACE_SPACING_MILES = 5
WARM_UP_REQUESTS = 5
CHUNK = 5000  # providers generated and written per round trip batch
READ_CHUNK = 900  # ids per "id IN (...)" when sampling the real postcode table

FOCUS = {
    "personal-care": ("Home Care", "Help with washing, dressing and getting ready for the day."),
    "help-at-home": ("Home Help", "Cleaning, shopping, meals and a friendly face at home."),
    "carer-respite": ("Carers' Breaks", "A few hours off for unpaid carers, knowing all is well."),
    "out-and-about": ("Days Out", "Company and transport to get out and meet people nearby."),
}
FIRST_NAMES = "Ann Bev Carys Dilys Eve Fay Gwen Hazel Amir Ben Colin Dev Emyr Frank Huw Kofi Raj"
SURNAMES = "Abbott Baxter Carter Davies Ellis Hughes Iqbal Jones Kaur Lloyd Morgan Nowak Shah"
TOWN_NAMES = "Ashby Brookford Cliffton Dunmere Eastwick Fairholm Greyford Hollin Kingsmead Lowbury"
RADII = [0, 3, 5, 5, 8, 10, 10, 15, 20]
CHECK_LIFETIME_DAYS = {Check.Kind.DBS: 1095, Check.Kind.INSURANCE: 365}


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
            "--profile",
            action="store_true",
            help="at the large size, show on stderr each query of two searches with its time, "
            "the plans of the slowest, and a cProfile of the project's code",
        )

    def info(self, text, ending="\n"):
        self.stderr.write(text, style_func=str, ending=ending)
        self.stderr.flush()

    def handle(self, *args, small, large, requests, sample, seed, profile, **options):
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
                build_large = builder.add(large - small)
                snapshot_large = self.time_snapshot()
                settle()
                large_runs = self.time_searches(client, places, requests)
                home_times = self.time_home(client, requests)
                if profile:
                    self.profile(client, places)

        home = summarise(home_times)
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
                        value <= TARGETS[target]
                    )
        report = {
            "database": connection.vendor,
            "providers": {"small": small, "large": large},
            "requests": requests,
            "search_small_ms": {kind: search["small"][kind] for kind in KINDS},
            "search_large_ms": {kind: search["large"][kind] for kind in KINDS},
            "home_ms": home,
            "ratios": ratios,
            "targets": TARGETS,
            "met": met,
            "results_per_search": {
                "small": search["small"]["results"],
                "large": search["large"]["results"],
            },
            "page_kb": {"small": search["small"]["page_kb"], "large": search["large"]["page_kb"]},
            "search_places": [
                {"postcode": postcode, "filters": urlencode(filters)}
                for postcode, filters in places
            ],
            "sampled_postcodes": len(postcodes),
            "build_seconds": {"small": round(build_small, 1), "large": round(build_large, 1)},
            "snapshot": {"small": snapshot_small, "large": snapshot_large},
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
        columns = ["postcode", "outward", "sector", "latitude", "longitude", "admin_district"]
        postcodes = []
        for start in range(0, len(ids), READ_CHUNK):
            chunk = list(ids[start : start + READ_CHUNK])
            postcodes += Postcode.objects.filter(pk__in=chunk).order_by("pk").values_list(*columns)
        areas = list(
            PostcodeArea.objects.order_by("pk").values_list(
                "code", "kind", "latitude", "longitude", "postcode_count"
            )
        )
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
            if fetch(client, search_url(postcode), allow_empty=True) < PAGE_SIZE:
                continue
            turn = number % len(categories)
            for filters in filter_choices(categories[turn:] + categories[:turn]):
                if fetch(client, search_url(postcode, filters), allow_empty=True) >= PAGE_SIZE:
                    places.append((postcode, filters))
                    break
            if len(places) == SEARCH_PLACES:
                break
        if not places:
            raise CommandError(
                f"No sampled postcode has {PAGE_SIZE} results at the small size; "
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
        cache.clear()  # choosing the places fetched the timed pages
        runs = {kind: ([], []) for kind in KINDS}
        seen, sizes = set(), []
        for postcode, variant in timed:
            url = search_url(postcode, variant)
            begun = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - begun) * 1000
            if url not in seen:
                sizes.append(len(response.content) / 1024)
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
        summary["results"] = result_counts(runs["first"][1])
        summary["page_kb"] = {
            "median": round(statistics.median(sizes)),
            "largest": round(max(sizes)),
        }
        return summary

    def time_snapshot(self):
        """Seconds for a process to rebuild its search snapshot (as after a staff edit), and the
        megabytes it holds, from a second build under tracemalloc (which slows it down)."""
        begun = time.perf_counter()
        directory = search_index.current()
        seconds = round(time.perf_counter() - begun, 2)
        tracemalloc.start()
        copy = search_index.DirectoryIndex.build()
        held, _ = tracemalloc.get_traced_memory()  # while the copy is alive
        tracemalloc.stop()
        del copy
        megabytes = round(held / 2**20, 1)
        self.info(
            f"Built the search snapshot of {directory.size:,} providers in {seconds}s; "
            f"it holds {megabytes} MB"
        )
        return {"seconds": seconds, "megabytes": megabytes}

    def time_home(self, client, requests):
        for _ in range(WARM_UP_REQUESTS):
            client.get("/")
        times = []
        for _ in range(requests):
            begun = time.perf_counter()
            response = client.get("/")
            times.append((time.perf_counter() - begun) * 1000)
            if response.status_code != 200:
                raise CommandError(f"The home page answered {response.status_code}")
        self.info(f"Timed {requests} home pages")
        return times

    def profile(self, client, places):
        """Each query of a filtered and a plain search at the busiest place, slowest first, the
        plans of the three slowest, and where the project's Python spends the rest. The cache is
        emptied first each time, so these are first requests, which build the page."""
        postcode, filters = places[0]
        for url in [search_url(postcode, filters), search_url(postcode)]:
            cache.clear()
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
            cache.clear()
            profiler = cProfile.Profile()
            profiler.runcall(fetch, client, url)
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
            stats.print_stats(
                re.escape(str(settings.BASE_DIR)) + r"/(search|providers|directory)/", 15
            )
            self.info(
                f"\n-- project code under cProfile (slower than unprofiled):{stream.getvalue()}"
            )


# The throwaway database ---------------------------------------------------------------------------


class throwaway_database:  # noqa: N801 - reads like a function at its `with`
    """Create a test database beside the configured one and destroy it on the way out."""

    def __init__(self, info):
        self.info = info

    def __enter__(self):
        settings_dict = connection.settings_dict
        self.real_name = settings_dict["NAME"]
        self.test_settings = settings_dict.setdefault("TEST", {})
        self.old_test_name = self.test_settings.get("NAME")
        if connection.vendor == "sqlite":
            stem = Path(str(self.real_name)).stem
            test_name = str(Path(settings.BASE_DIR) / "var" / f"benchmark_{stem}.sqlite3")
        else:
            test_name = f"benchmark_{self.real_name}"
        if test_name == self.real_name:
            raise CommandError(f"Refusing to use {test_name}: it is the configured database.")
        self.test_settings["NAME"] = self.test_name = test_name
        self.info(f"Creating the throwaway database {test_name} (migrations)...")
        try:
            connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=False
            )
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return test_name

    def __exit__(self, *exc_info):
        try:
            if connection.settings_dict["NAME"] == self.test_name:
                connection.creation.destroy_test_db(self.real_name, verbosity=0)
            else:
                # Interrupted inside create_test_db, before it switched over: the configured
                # database is still selected, so drop only the test database, by its own name.
                connection.close()
                with contextlib.suppress(DatabaseError, OSError):  # if it was ever created
                    connection.creation._destroy_test_db(self.test_name, verbosity=0)
        finally:
            self.test_settings["NAME"] = self.old_test_name
            connection.settings_dict["NAME"] = self.real_name
            settings.DATABASES[connection.alias]["NAME"] = self.real_name
        if connection.vendor == "sqlite":
            for suffix in ("-wal", "-shm", "-journal"):
                Path(self.test_name + suffix).unlink(missing_ok=True)
        self.info(f"Destroyed the throwaway database {self.test_name}")
        return False


# Bulk writing ---------------------------------------------------------------------------------------


class Table:
    """Bulk writes of plain tuples (COPY on PostgreSQL, executemany elsewhere), filling the
    columns not given with the model's defaults."""

    def __init__(self, model, given):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.table = model._meta.db_table
        fields = {field.attname: field for field in model._meta.concrete_fields}
        self.columns = [fields[name].column for name in given]
        self.constants = ()
        for name, field in fields.items():
            if name in given or field.primary_key:
                continue
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                value = now
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
            self.columns.append(field.column)
            self.constants += (value,)

    def insert(self, rows):
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        rows = [row + self.constants for row in rows] if self.constants else rows
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the driver's own: no debug logging, COPY available
            if connection.vendor == "postgresql":
                copy = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                if hasattr(cursor, "copy_expert"):  # psycopg2
                    cursor.copy_expert(copy, io.StringIO("".join(map(copy_line, rows))))
                else:  # psycopg 3
                    with cursor.copy(copy) as writer:
                        for row in rows:
                            writer.write_row(row)
                return
            placeholders = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})"
            cursor.executemany(sql, rows)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, date):  # and datetime: ISO 8601, with its offset when aware
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def copy_line(row):
    return "\t".join(map(copy_value, row)) + "\n"


def load_postcodes(postcodes, areas):
    with transaction.atomic():
        Table(
            Postcode, ["postcode", "outward", "sector", "latitude", "longitude", "admin_district"]
        ).insert(postcodes)
        Table(PostcodeArea, ["code", "kind", "latitude", "longitude", "postcode_count"]).insert(
            areas
        )
    analyse()


@contextlib.contextmanager
def bulk_load_mode(tables):
    """Write fast into `tables`, then leave them exactly as the migrations made them.

    Indexes that back no constraint are dropped and built again after (one sorted build beats
    millions of scattered index inserts), foreign keys are checked once at the end rather than
    row by row, and SQLite gets a 256 MB page cache while writing only: timings run with the
    default cache, as a deployment does.
    """
    quote = connection.ops.quote_name
    vendor = connection.vendor
    indexes, foreign_keys, cache_size = [], [], None
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
            indexes = cursor.fetchall()
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA cache_size = -262144")
        elif vendor == "postgresql":
            cursor.execute(
                "SELECT index_class.relname, pg_get_indexdef(index_class.oid) FROM pg_index "
                "JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid "
                "JOIN pg_class table_class ON table_class.oid = pg_index.indrelid "
                "WHERE table_class.relname = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT table_class.relname, pg_constraint.conname, "
                "pg_get_constraintdef(pg_constraint.oid) FROM pg_constraint "
                "JOIN pg_class table_class ON table_class.oid = pg_constraint.conrelid "
                "WHERE pg_constraint.contype = 'f' AND table_class.relname = ANY(%s)",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    with connection.constraint_checks_disabled():  # SQLite's foreign keys; no-op elsewhere
        yield  # on an error or Ctrl-C, nothing to put back: the whole database is dropped
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:  # validates every row, in one pass
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        if cache_size is not None:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
    if vendor == "sqlite":
        connection.check_constraints(table_names=tables)


def analyse():
    """Planner statistics, as autovacuum would gather them on a live PostgreSQL database.

    SQLite is left as a deployment leaves it: Django never runs ANALYZE there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


class DirectoryBuilder:
    """Synthetic published providers on sampled real postcodes, written in bulk.

    Every provider is placed on a uniformly chosen sampled postcode, so their density follows
    where people live. Same seed, same providers; `add` continues the same sequence.
    """

    def __init__(self, postcodes, areas, *, seed, progress):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.progress = progress
        self.postcodes = postcodes
        self.outwards = {code: (lat, lon) for code, kind, lat, lon, _ in areas if kind == "outward"}
        self.outward_cells = {}
        for code, (lat, lon) in self.outwards.items():
            self.outward_cells.setdefault(cell_of(lat, lon), []).append(code)
        self.neighbours = {}
        self.towns = {}
        self.today = timezone.localdate()
        self.categories = {
            category.slug: list(category.services.order_by("pk").values_list("pk", flat=True))
            for category in ServiceCategory.objects.all()
        }
        self.all_services = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        self.audiences = list(Audience.objects.order_by("pk").values_list("pk", flat=True))
        self.first_names, self.surnames = FIRST_NAMES.split(), SURNAMES.split()
        self.town_names = TOWN_NAMES.split()
        self.next_id = (Provider.objects.aggregate(high=Max("pk"))["high"] or 0) + 1
        self.provider_columns = [
            "id",
            "name",
            "slug",
            "summary",
            "description",
            "legal_form",
            "workers",
            "contact_name",
            "base_postcode",
            "latitude",
            "longitude",
            "area_outward",
            "area_latitude",
            "area_longitude",
            "town",
            "coverage_radius_miles",
            "is_free",
            "hourly_rate_min",
            "hourly_rate_max",
            "accepts_direct_payments",
            "available_weekdays",
            "available_evenings",
            "available_weekends",
            "available_overnight",
            "cqc_registered",
            "cqc_location_id",
            "status",
            "last_checked_by_council",
            "basic_checks_current_until",
        ]
        self.tables = {
            "providers": Table(Provider, self.provider_columns),
            "services": Table(Provider.services.through, ["provider_id", "service_id"]),
            "audiences": Table(Provider.audiences.through, ["provider_id", "audience_id"]),
            "checks": Table(Check, ["provider_id", "kind", "status", "verified_on", "expires_on"]),
            "districts": Table(CoverageDistrict, ["provider_id", "outward"]),
        }

    def add(self, count):
        """Write `count` more providers; returns the seconds it took."""
        begun = time.perf_counter()
        written, writing = 0, 0.0
        tables = [table.table for table in self.tables.values()]
        with bulk_load_mode(tables):
            while written < count:
                batch = min(CHUNK, count - written)
                rows = {name: [] for name in self.tables}
                for _ in range(batch):
                    self.provider(rows)
                write_begun = time.perf_counter()
                with transaction.atomic():
                    for name, table in self.tables.items():
                        table.insert(rows[name])
                writing += time.perf_counter() - write_begun
                written += batch
                self.progress(f"\rProviders: {written:,}/{count:,}", ending="")
        self.progress("")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Provider]):
                cursor.execute(sql)
        analyse()
        seconds = time.perf_counter() - begun
        self.progress(f"Wrote {count:,} providers in {seconds:.1f}s ({writing:.1f}s in INSERTs)")
        directory_changed()  # bulk inserts send no signals
        return seconds

    def provider(self, rows):
        rng = self.rng
        pk = self.next_id
        self.next_id += 1
        postcode, outward, _, latitude, longitude, _ = rng.choice(self.postcodes)
        area_latitude, area_longitude = self.outwards.get(outward, (None, None))
        focus = rng.choice(list(FOCUS))
        trade, summary = FOCUS[focus]
        first, surname = rng.choice(self.first_names), rng.choice(self.surnames)
        legal_form = weighted(rng, LEGAL_FORMS)
        free = legal_form == Provider.LegalForm.CHARITY or rng.random() < 0.05
        low = None if free else Decimal(rng.randrange(1400, 2600, 50)) / 100
        high = None if free else low + rng.choice([0, 2, 3, 5])
        radius = rng.choice(RADII)
        registered = focus == "personal-care" and legal_form == Provider.LegalForm.LIMITED_COMPANY
        town = self.town(outward)
        checks = self.checks(pk)
        rows["providers"].append(
            (
                pk,
                f"{first} {surname} {trade}",
                f"bench-{pk}",
                summary,
                f"Synthetic benchmark listing in {town}. {summary}",
                legal_form,
                1 if legal_form == Provider.LegalForm.SOLE_TRADER else rng.randint(2, 8),
                f"{first} {surname}",
                postcode,
                latitude,
                longitude,
                outward,
                area_latitude,
                area_longitude,
                town,
                radius,
                free,
                low,
                high,
                rng.random() < 0.7,
                rng.random() < 0.9,
                rng.random() < 0.4,
                rng.random() < 0.45,
                focus == "personal-care" and rng.random() < 0.3,
                registered,
                f"1-{rng.randint(100000000, 999999999)}" if registered else "",
                Provider.Status.PUBLISHED,
                self.today - timedelta(days=rng.randint(5, 300)),
                basics_current_until(
                    (kind, status, expires) for _, kind, status, _, expires in checks
                ),
            )
        )

        services = set(rng.sample(self.categories[focus], k=min(3, len(self.categories[focus]))))
        services.update(rng.sample(self.all_services, k=rng.randint(0, 2)))
        rows["services"] += [(pk, service) for service in sorted(services)]
        audiences = rng.sample(self.audiences, k=min(len(self.audiences), rng.randint(1, 3)))
        rows["audiences"] += [(pk, audience) for audience in sorted(audiences)]
        rows["checks"] += checks

        districts = []
        if radius == 0 or rng.random() < 0.25:
            districts = [outward, *self.nearby_outwards(outward)[: rng.randint(0, 3)]]
        rows["districts"] += [(pk, district) for district in districts]

    def checks(self, pk):
        """The four basic checks: mostly verified and current, some expired or awaiting."""
        rng, today = self.rng, self.today
        all_current = rng.random() < 0.7
        rows = []
        for kind in Check.BASIC_KINDS:
            lifetime = CHECK_LIFETIME_DAYS.get(kind, 730)
            roll = 0.0 if all_current else rng.random()
            if roll < 0.6:
                verified = today - timedelta(days=rng.randint(20, 300))
                rows.append(
                    (pk, kind, Check.Status.VERIFIED, verified, verified + timedelta(lifetime))
                )
            elif roll < 0.8:
                old = today - timedelta(days=lifetime + rng.randint(10, 120))
                status = rng.choice([Check.Status.VERIFIED, Check.Status.EXPIRED])
                rows.append((pk, kind, status, old, old + timedelta(lifetime)))
            elif roll < 0.93:
                rows.append((pk, kind, Check.Status.AWAITING, None, None))
            else:
                rows.append((pk, kind, Check.Status.NOT_PROVIDED, None, None))
        return rows

    def nearby_outwards(self, outward):
        """Other postcode districts whose centres are nearest this one's, nearest first."""
        if outward not in self.neighbours:
            found = []
            if outward in self.outwards:
                lat, lon = self.outwards[outward]
                row, column = cell_of(lat, lon)
                for dr in (-1, 0, 1):
                    for dc in (-1, 0, 1):
                        found += self.outward_cells.get((row + dr, column + dc), [])
                stretch = math.cos(math.radians(lat))
                found = sorted(
                    (code for code in found if code != outward),
                    key=lambda code: (
                        (self.outwards[code][0] - lat) ** 2
                        + ((self.outwards[code][1] - lon) * stretch) ** 2
                    ),
                )
            self.neighbours[outward] = found[:3]
        return self.neighbours[outward]

    def town(self, outward):
        if outward not in self.towns:
            self.towns[outward] = self.rng.choice(self.town_names)
        return self.towns[outward]


# Helpers --------------------------------------------------------------------------------------------


def cell_of(latitude, longitude):
    """A grid cell of about 7 by 6.5 miles: where the busiest places are, and nearby districts."""
    return math.floor(latitude / 0.1), math.floor(longitude / 0.15)


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
MAP_DATA = re.compile(r'<script id="map-data" type="application/json">(.*?)</script>', re.S)


def fetch(client, url, allow_empty=False):
    return check_page(client.get(url), url, allow_empty)


def check_page(response, url, allow_empty=False):
    """The number of results on a search page, after checking it is a whole results page."""
    if response.status_code != 200:
        raise CommandError(f"{url} answered {response.status_code}")
    html = response.content.decode()
    summary, map_data = SUMMARY.search(html), MAP_DATA.search(html)
    if summary is None or map_data is None:
        raise CommandError(f"No results summary or map-data JSON in {url}")
    json.loads(map_data.group(1))
    count = int(summary.group(1))
    if count and 'class="govuk-list app-results"' not in html:
        raise CommandError(f"No results list in {url}")
    if not count and not allow_empty:
        raise CommandError(f"No results for {url}")
    return count


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
