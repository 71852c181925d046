"""Time the search page with a small and a large directory, on a throwaway database.

The results page at --small and then --large synthetic providers (`bench.command`), the home page
between the large searches, the "Taking new clients" filter, the open data API, the snapshot's
build, and searches while listings are saved. stdout gets one JSON document; progress goes to
stderr. `benchmark_memory` and `benchmark_profile` measure memory and where the time goes.
"""

import random
import statistics
import threading
import time
from dataclasses import replace
from urllib.parse import urlencode

from django.core.cache import caches
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from bench.command import BenchCommand
from bench.pages import check_page, fetch, forget_pages, map_size_kb, search_url
from places.models import Postcode
from providers.models import Provider
from search import snapshot
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
WARM_UP_REQUESTS = 5


class Command(BenchCommand):
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
            "--edit-seconds",
            type=float,
            default=30,
            help="how long each half of 'edits under load' runs (without edits, then with)",
        )
        super().add_arguments(parser)

    def handle(self, *args, small, large, requests, sample, seed, edit_seconds, **options):
        if small < 1 or large < small or requests < 1:
            raise CommandError("Need 1 <= --small <= --large and --requests >= 1.")
        started = time.perf_counter()
        with self.scratch_directory(sample=sample, seed=seed) as directory:
            client = directory.client
            build_small = directory.grow(small)
            snapshot_small = self.time_snapshot()
            places = directory.places()
            small_runs = self.time_searches(client, places, requests)
            taking_small = self.time_new_clients_filter(client, places, requests)
            oruk_small = self.time_oruk(client, requests)
            build_large = directory.grow(large - small)
            snapshot_large = self.time_snapshot()
            large_runs = self.time_searches(client, places, requests)
            taking_large = self.time_new_clients_filter(client, places, requests)
            oruk_large = self.time_oruk(client, requests)
            edits = self.time_edits(client, places, edit_seconds)

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
        self.report(
            started,
            providers={"small": small, "large": large},
            requests=requests,
            search_small_ms={kind: search["small"][kind] for kind in ALL_KINDS},
            search_large_ms={kind: search["large"][kind] for kind in ALL_KINDS},
            home_ms=home,
            ratios=ratios,
            targets=TARGETS,
            met=met,
            results_per_search={
                "small": search["small"]["results"],
                "large": search["large"]["results"],
            },
            # The results page, and the map's data, which has a URL of its own and is fetched
            # only when someone opens the map.
            page_kb={"small": search["small"]["page_kb"], "large": search["large"]["page_kb"]},
            map_kb={"small": search["small"]["map_kb"], "large": search["large"]["map_kb"]},
            search_places=[
                {"postcode": postcode, "filters": urlencode(filters)}
                for postcode, filters in places
            ],
            # The open data API's /services, 100 fully nested services a page, pages spread
            # through the whole directory.
            oruk_services_per_page_100={"small": oruk_small, "large": oruk_large},
            # The "Taking new clients" filter: each place's search with and without it ticked, in
            # the snapshot alone and as a whole page built afresh (cards and panels cached).
            new_clients_filter={"small": taking_small, "large": taking_large},
            sampled_postcodes=len(directory.postcodes),
            build_seconds={"small": round(build_small, 1), "large": round(build_large, 1)},
            snapshot={"small": snapshot_small, "large": snapshot_large},
            # At the large size: searches that each build their page, for --edit-seconds without
            # edits and again while a listing is saved every second in another thread.
            edits_under_load=edits,
        )

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
        after a change too big to list); `benchmark_memory` reports the megabytes it holds."""
        begun = time.perf_counter()
        directory = snapshot.Snapshot.build()
        seconds = round(time.perf_counter() - begun, 2)
        self.info(f"Built the search snapshot of {directory.size:,} providers in {seconds}s")
        return {"seconds": seconds}

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
