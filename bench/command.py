"""What the three benchmark commands share: their common options, progress on stderr, and a
scratch directory to measure.

The real database is only read: a sample of its postcodes and every postcode area are copied into
a throwaway database (`bench.scratch`), synthetic published providers are written there in bulk
(`bench.synthetic`), and pages are asked for in-process with the test client (middleware, view,
queries and template). The throwaway database is destroyed at the end, also on Ctrl-C.
"""

import contextlib
import gc
import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import override_settings

from core.bulk import BulkTable, analyse
from places.importers import POSTCODE_COLUMNS
from places.models import Postcode, PostcodeArea
from search import snapshot

from .pages import choose_places
from .scratch import throwaway_database
from .synthetic import DirectoryBuilder

READ_CHUNK = 900  # ids per "id IN (...)" when sampling the real postcode table
AREA_COLUMNS = ["code", "kind", "latitude", "longitude", "postcode_count"]


class BenchCommand(BaseCommand):
    """A benchmark: its own options, then --sample and --seed; progress on stderr, the report on
    stdout."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--sample", type=int, default=120_000, help="real postcodes copied to the test DB"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="same seed, same synthetic providers"
        )

    def info(self, text, ending="\n"):
        self.stderr.write(text, style_func=str, ending=ending)
        self.stderr.flush()

    @contextlib.contextmanager
    def scratch_directory(self, *, sample, seed):
        """A `ScratchDirectory` in a throwaway database, with production's DEBUG=False."""
        if sample < 1:
            raise CommandError("Need --sample >= 1.")
        postcodes, areas = self.read_real_data(sample)
        with throwaway_database(self.info) as name:
            self.info(f"Throwaway database: {name}")
            load_postcodes(postcodes, areas)
            self.info(f"Copied {len(postcodes):,} postcodes and {len(areas):,} areas")
            with override_settings(
                DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
            ):
                yield ScratchDirectory(postcodes, areas, seed=seed, info=self.info)

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

    def report(self, started, **figures):
        """Print the report as one JSON document, with what was measured on and how long it took."""
        report = {
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            **figures,
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        self.stdout.write(json.dumps(report, indent=2))


class ScratchDirectory:
    """The throwaway database, holding the sampled postcodes and the synthetic providers written so
    far; searched through `client`. Same seed, same providers: `grow` continues the sequence."""

    def __init__(self, postcodes, areas, *, seed, info):
        self.postcodes = postcodes
        self.builder = DirectoryBuilder(postcodes, areas, seed=seed, progress=info)
        self.client = Client()
        self.info = info

    def grow(self, count):
        """Write `count` more providers and bring the search snapshot up to date with them; the
        seconds the writing took."""
        seconds = self.builder.add(count)
        snapshot.current()  # the builder's bulk write: a rebuild, in the background if large
        snapshot.rebuilt()
        if snapshot.current().behind:
            raise CommandError("The search snapshot did not catch up with the directory")
        settle()
        return seconds

    def places(self, count=None):
        """The places to search (`bench.pages.choose_places`), as (postcode, filters) pairs."""
        places = choose_places(self.client, self.postcodes, count)
        self.info("Search places: " + ", ".join(postcode for postcode, _ in places))
        return places


def load_postcodes(postcodes, areas):
    with transaction.atomic():
        BulkTable(Postcode, POSTCODE_COLUMNS).insert(postcodes)
        BulkTable(PostcodeArea, AREA_COLUMNS).insert(areas)
    analyse()


def settle():
    """Collect, then set aside what exists now (chiefly the builder's million rows of generated
    data, which a web process would not hold), so full garbage collections during the measuring
    walk only what the requests themselves make."""
    gc.collect()
    gc.freeze()
