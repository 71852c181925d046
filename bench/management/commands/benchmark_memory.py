"""Measure the memory of the search snapshot, and of a real gunicorn serving a large synthetic
directory, on a throwaway database.

The snapshot's megabytes come from building it again under tracemalloc. gunicorn runs as
`gunicorn.conf.py` has it (the snapshot built in the master before it forks the workers), and
each worker's memory is read from Linux's /proc/<pid>/smaps_rollup: at start, after searches, and
after a listing is saved and each worker has patched a copy of its own. stdout gets one JSON
document; progress goes to stderr.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from bench.command import BenchCommand
from bench.pages import search_url
from bench.scratch import database_url, free_port
from providers.models import Provider
from search import snapshot


class Command(BenchCommand):
    help = (
        "Measure the memory of the search snapshot and of gunicorn's workers serving --size "
        "synthetic providers on a throwaway copy of the postcode data, and print the figures as "
        "JSON (in MB). The configured database is only read."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=100_000, help="providers to serve")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        super().add_arguments(parser)

    def handle(self, *args, size, workers, sample, seed, **options):
        if size < 1 or workers < 1:
            raise CommandError("Need --size >= 1 and --workers >= 1.")
        if not Path("/proc/self/smaps_rollup").exists():
            raise CommandError(
                "Measuring a process's memory needs Linux's /proc/<pid>/smaps_rollup."
            )
        started = time.perf_counter()
        with self.scratch_directory(sample=sample, seed=seed) as directory:
            build = directory.grow(size)
            places = directory.places()
            megabytes = self.snapshot_megabytes()
            served = self.measure_workers(places, workers)
        self.report(
            started,
            providers=size,
            sampled_postcodes=len(directory.postcodes),
            build_seconds=round(build, 1),
            snapshot_megabytes=megabytes,
            # A real gunicorn (gunicorn.conf.py) serving the directory, in MB.
            memory_per_worker_mb=served,
        )

    def snapshot_megabytes(self):
        """The megabytes the whole search snapshot holds, from a build under tracemalloc."""
        tracemalloc.start()
        copy = snapshot.Snapshot.build()
        held, _ = tracemalloc.get_traced_memory()  # while the copy is alive
        tracemalloc.stop()
        size = copy.size
        del copy
        megabytes = round(held / 2**20, 1)
        self.info(f"The search snapshot of {size:,} providers holds {megabytes} MB")
        return megabytes

    def measure_workers(self, places, workers):
        """Memory of gunicorn serving this directory: rss (all a worker touches), uss (its own
        pages: what each further worker costs) and pss (its fair share of the pages it shares
        with the others), at start, while searching and after an edit."""
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
            "WEB_CONCURRENCY": str(workers),
        }
        base = f"http://127.0.0.1:{port}"
        urls = [base + search_url(postcode, filters) for postcode, filters in places]
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "gunicorn.log"
            with log.open("w") as output:  # a file: a pipe nobody reads would stall
                server = subprocess.Popen(  # noqa: S603 - our own gunicorn
                    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "directory.wsgi"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=output,
                )
            try:
                wait_until_serving(base + "/health/live/", server, log)
                time.sleep(1)  # every worker up
                report = {"workers": workers, "start": workers_memory(server.pid)}
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
        self.info(f"Measured the memory of gunicorn's {workers} workers")
        return report


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


def wait_until_serving(url, server, log):
    for _ in range(300):
        if server.poll() is not None:
            break
        try:
            http_get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise CommandError("gunicorn did not start:\n" + log.read_text()[-2000:])
