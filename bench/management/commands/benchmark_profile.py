"""Where a search's time goes, on a throwaway database with synthetic providers.

At the busiest search place, a filtered and a plain search: each query with its time, slowest
first, the plans of the three slowest, and a cProfile of the project's code. The page cache is
forgotten before each, so these are first requests, which build the page (from the cards and
filter panel kept by an earlier request, as on a live site). The profile goes to stdout; progress
to stderr.
"""

import cProfile
import io
import pstats
import re
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from bench.command import BenchCommand
from bench.pages import fetch, forget_pages, search_url

PROJECT_CODE = re.escape(str(settings.BASE_DIR)) + r"/(search|providers|directory)/"


class Command(BenchCommand):
    help = (
        "Profile a filtered and a plain search with --size synthetic providers on a throwaway copy "
        "of the postcode data: each query's time, the slowest queries' plans and a cProfile of "
        "the project's code. The configured database is only read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            type=int,
            nargs="+",
            default=[100_000],
            help="providers to search among; several sizes (--size 1000 100000) profile at each "
            "in turn, growing one directory",
        )
        super().add_arguments(parser)

    def handle(self, *args, size, sample, seed, **options):
        if size[0] < 1 or sorted(size) != size:
            raise CommandError("Need --size >= 1, several in increasing order.")
        with self.scratch_directory(sample=sample, seed=seed) as directory:
            places, written = None, 0
            for providers in size:
                directory.grow(providers - written)
                written = providers
                places = places or directory.places(count=1)  # the busiest
                self.profile(directory.client, places, providers)

    def profile(self, client, places, providers):
        [(postcode, filters)] = places
        for url in [search_url(postcode, filters), search_url(postcode)]:
            fetch(client, url)  # its cards and filter panel kept
            forget_pages()
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                fetch(client, url)
                total = (time.perf_counter() - begun) * 1000
            queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
            sql_ms = sum(float(q["time"]) for q in queries) * 1000
            self.stdout.write(
                f"\n== {providers:,} providers, {url}: {total:.0f} ms, {len(queries)} queries, "
                f"{sql_ms:.0f} ms SQL"
            )
            for query in queries:
                self.stdout.write(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")
            for query in queries[:3]:
                self.stdout.write(f"\n-- plan for the {float(query['time']) * 1000:.1f} ms query:")
                self.stdout.write(explain(query["sql"]))
            forget_pages()
            profiler = cProfile.Profile()
            profiler.runcall(fetch, client, url)
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
            stats.print_stats(PROJECT_CODE, 25)
            self.stdout.write(
                f"\n-- project code under cProfile (slower than unprofiled):{stream.getvalue()}"
            )


def explain(sql):
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE) "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return "\n".join(" | ".join(str(value) for value in row) for row in cursor.fetchall())
    except DatabaseError as error:
        return f"(could not explain: {error})"
