"""`manage.py benchmark_search` runs end to end at tiny sizes and prints the figures it promises.

It builds and destroys its own throwaway database, so this test runs in real transactions.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from bench import pages
from providers.models import Provider
from search import selectors

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KEYS = {
    "database",
    "cache",
    "edits_under_load",
    "providers",
    "requests",
    "search_small_ms",
    "search_large_ms",
    "home_ms",
    "ratios",
    "targets",
    "met",
    "results_per_search",
    "page_kb",
    "map_kb",
    "oruk_services_per_page_100",
    "search_places",
    "sampled_postcodes",
    "build_seconds",
    "snapshot",
    "new_clients_filter",
    "total_seconds",
}


def test_benchmark_runs_at_tiny_sizes(postcodes, monkeypatch):
    # Tiny directories cannot fill a 20-result page; two results a page is enough to time one.
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    # Three places, so 12 searches (four at each): 16 requests time each once and some again.
    monkeypatch.setattr(pages, "SEARCH_PLACES", 3)
    out, err = StringIO(), StringIO()
    call_command(
        "benchmark_search",
        small=40,
        large=80,
        requests=16,
        sample=500,
        edit_seconds=2.5,
        stdout=out,
        stderr=err,
    )
    report = json.loads(out.getvalue())
    assert set(report) == KEYS
    assert report["providers"] == {"small": 40, "large": 80}
    assert report["oruk_services_per_page_100"]["large"]["median"] > 0
    for size in ("search_small_ms", "search_large_ms"):
        for kind in ("first", "repeat"):
            assert set(report[size][kind]) >= {"median", "p95", "mean"}
            assert report[size][kind]["median"] > 0
    assert report["snapshot"]["large"]["seconds"] > 0
    assert len(report["search_places"]) == 3
    taking = report["new_clients_filter"]["large"]
    for kind in ("snapshot_search_ms", "page_ms"):
        assert taking[kind]["with"]["median"] > 0 and taking[kind]["without"]["median"] > 0
        assert taking[kind]["with_over_without_median"] > 0
    assert taking["results"]["with"] <= taking["results"]["without"]
    for size in ("small", "large"):
        assert 0 < report["page_kb"][size]["largest"] < 100
        assert report["map_kb"][size]["largest"] > 0
    edits = report["edits_under_load"]
    assert edits["with_edits"]["edits"] >= 1
    assert edits["with_edits"]["snapshot_patches"] >= 1  # caught up by patching, not rebuilding
    assert edits["with_edits"]["snapshot_rebuilds"] == 0
    assert edits["without_edits"]["searches"] > 0 and edits["p95_with_over_without"] > 0
    assert edits["with_edits"]["longest_wait_ms"] > 0
    assert report["search_large_ms"]["first_nothing_cached"]["median"] > 0
    assert "Destroyed the throwaway database" in err.getvalue()
    assert not Provider.objects.exists()  # the configured database was only read
