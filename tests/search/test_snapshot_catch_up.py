"""No search waits for the snapshot to be rebuilt, and what is served meanwhile stays right where
it matters: a listing unpublished a moment ago is on no page and no map, and a page built from a
snapshot that is behind the directory is never kept for anyone else.
"""

import re

import pytest
from django.urls import reverse

from providers import changes
from providers.models import Provider
from search import snapshot

from ..factories import make_provider

pytestmark = pytest.mark.shared_cache

URL = reverse("search:results")
SEARCH = {"postcode": "CM1 1RW"}
RESULT = re.compile(r'<h3 class="govuk-heading-m[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)<')


def names(client):
    response = client.get(URL, SEARCH)
    assert response.status_code == 200
    return RESULT.findall(response.content.decode())


def map_names(client):
    page = client.get(URL, SEARCH).content.decode()
    url = re.search(r'data-map-url="([^"]+)"', page)[1].replace("&amp;", "&")
    return [row[1] for row in client.get(url).json()["providers"]]


def test_while_another_thread_catches_up_a_search_gets_the_previous_snapshot(
    client, listed, committed
):
    assert names(client) == ["Alpha Care", "Bravo Care"]
    kept = snapshot.current()
    with committed():
        listed.status = Provider.Status.SUSPENDED
        listed.save()
    with snapshot._lock:  # as if another thread were patching it right now
        served = snapshot.current()
        assert served.behind and served.version == kept.version
        assert names(client) == ["Bravo Care"]  # the page reads its listings afresh
        assert map_names(client) == ["Bravo Care"]
        assert names(client) == ["Bravo Care"]  # and was not kept: nothing to serve stale later
    caught_up = snapshot.current()
    assert not caught_up.behind and caught_up.version == changes.current_version()
    assert names(client) == ["Bravo Care"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_too_big_to_list_is_rebuilt_in_the_background(client, postcodes, monkeypatch):
    monkeypatch.setattr(changes, "LIST_AT_MOST", 1)
    monkeypatch.setattr(snapshot, "INLINE_REBUILD_ROWS", 0)  # as with 100,000 listings
    listed = make_provider(name="Alpha Care", coverage_radius_miles=10)
    make_provider(name="Bravo Care", coverage_radius_miles=10)
    assert names(client) == ["Alpha Care", "Bravo Care"]
    before = snapshot.current()

    Provider.objects.update(town="Writtle")  # every listing: the log says "everything"
    listed.status = Provider.Status.SUSPENDED
    listed.save()
    served = snapshot.current()
    assert served.behind and served.version == before.version  # no waiting for the rebuild
    assert names(client) == ["Bravo Care"]
    assert map_names(client) == ["Bravo Care"]

    snapshot.rebuilt(timeout=30)
    fresh = snapshot.current()
    assert fresh.built and not fresh.behind
    assert fresh.version == changes.current_version()
    assert [listing.town for listing in fresh.listings] == ["Writtle"]
    assert names(client) == ["Bravo Care"]


def test_every_search_records_how_long_it_waited(client, listed, committed):
    snapshot.stats_reset()
    names(client)
    with committed():
        listed.save()
    names(client)
    assert snapshot.stats["patches"] == 1
    assert 0 < snapshot.stats["longest_wait_ms"] < 10_000
