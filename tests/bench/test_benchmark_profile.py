"""`manage.py benchmark_profile` shows each query, the slowest plans and a cProfile, at each size.

It builds and destroys its own throwaway database, so this test runs in real transactions.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from providers.models import Provider
from search import selectors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_profile_at_two_sizes(postcodes, monkeypatch):
    # A tiny directory cannot fill a 20-result page; two results are enough to choose a place.
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    out, err = StringIO(), StringIO()
    call_command("benchmark_profile", size=[30, 60], sample=500, stdout=out, stderr=err)
    profile = out.getvalue()
    for size in (30, 60):
        # A filtered search and a plain one at each size, each with its queries timed.
        assert profile.count(f"== {size} providers, /search/?postcode=") == 2
    assert profile.count("-- plan for the ") >= 4
    assert profile.count("-- project code under cProfile") == 4
    assert "search/views.py" in profile
    assert "Destroyed the throwaway database" in err.getvalue()
    assert not Provider.objects.exists()  # the configured database was only read


def test_sizes_go_up():
    with pytest.raises(CommandError, match="increasing"):
        call_command("benchmark_profile", size=[100, 10], stderr=StringIO())
