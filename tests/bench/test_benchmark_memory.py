"""`manage.py benchmark_memory` measures the snapshot and a real gunicorn at a tiny size.

It builds and destroys its own throwaway database, so this test runs in real transactions.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from providers.models import Provider
from search import selectors

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_memory_of_the_snapshot_and_of_gunicorns_workers(postcodes, monkeypatch):
    # A tiny directory cannot fill a 20-result page; two results are enough to choose a place.
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    out, err = StringIO(), StringIO()
    call_command("benchmark_memory", size=60, sample=500, workers=2, stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert report["providers"] == 60
    assert report["snapshot_megabytes"] > 0
    memory = report["memory_per_worker_mb"]  # of a real gunicorn, on the throwaway database
    assert memory["workers"] == 2
    for phase in ("start", "searching", "after_an_edit"):
        worker = memory[phase]["per_worker"]
        assert 0 < worker["uss"] < worker["pss"] < worker["rss"]  # sharing the master's pages
        assert memory[phase]["master"]["rss"] > 0
    assert "Measured the memory of gunicorn's 2 workers" in err.getvalue()
    assert "Destroyed the throwaway database" in err.getvalue()
    assert not Provider.objects.exists()  # the configured database was only read
