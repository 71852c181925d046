"""Each listing's card on a results page is rendered once per version of the listing, language,
day and distance shown, then reused by every page it appears on; any change to what it shows
draws it again.

The cards are kept for committed data only, so these tests run their changes' commit hooks.
"""

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse

from providers.models import Provider, Service

from ..factories import make_provider

pytestmark = pytest.mark.shared_cache

URL = reverse("search:results")
SENTINEL = '<li class="app-result">Drawn earlier</li>'


def page(client, **params):
    response = client.get(URL, {"postcode": "CM1 1RW", **params})
    assert response.status_code == 200
    return response.content.decode()


def replace_card(provider):
    """Overwrite the kept card of `provider`: a page showing this reused it."""
    cards = caches["cards"]
    (key,) = [key for key in cards_kept() if key.startswith(f"{provider.pk}:")]
    card = cards.get(key)
    cards.set(key, card._replace(html=SENTINEL))


def cards_kept():
    cards = caches["cards"]
    if isinstance(cards, LocMemCache):  # in this process's memory
        return [key.split(":", 2)[2] for key in cards._cache]
    client = cards._cache.get_client()  # Redis
    return [key.decode().split(":", 2)[2] for key in client.keys("cards:*")]


def test_a_card_is_drawn_once_and_reused_by_other_pages(client, listed):
    assert "Alpha Care" in page(client)
    replace_card(listed)
    assert "Drawn earlier" in page(client, sort="name")  # another page, the same card


def test_a_change_to_the_listing_draws_its_card_again(client, listed, committed):
    page(client)
    replace_card(listed)
    with committed():
        listed.summary = "Now with evening visits."
        listed.save()
    html = page(client, sort="name")
    assert "Drawn earlier" not in html
    assert "Now with evening visits." in html


def test_a_renamed_service_draws_its_listings_cards_again(client, listed, committed):
    page(client)
    replace_card(listed)
    service = listed.services.first()
    with committed():
        Service.objects.filter(pk=service.pk).first().save()  # as the admin saves a rename
        service.name = "Getting washed"
        service.save()
    assert "Getting washed" in page(client, sort="name")


def test_cards_differ_by_language_and_distance(client, listed):
    page(client)
    replace_card(listed)
    assert "Drawn earlier" not in page(client, postcode="CM2 8QB")  # another distance
    welsh = client.get("/cy" + URL, {"postcode": "CM1 1RW", "sort": "name"}).content.decode()
    assert "Drawn earlier" not in welsh


def test_an_unpublished_listing_has_no_card_even_if_one_was_kept(client, listed, committed):
    page(client)
    with committed():
        Provider.objects.filter(pk=listed.pk).update(status=Provider.Status.SUSPENDED)
    html = page(client, sort="name")
    assert "Alpha Care" not in html
    assert "Bravo Care" in html


def test_nothing_is_kept_from_uncommitted_changes(client, postcodes):
    make_provider(name="Uncommitted Care", coverage_radius_miles=10)  # its commit never comes
    assert "Uncommitted Care" in page(client)
    assert cards_kept() == []


def replace_panel():
    cards = caches["cards"]
    (key,) = [key for key in cards_kept() if key.startswith("panel:")]
    cards.set(key, "<p>Panel drawn earlier</p>")


def test_the_filter_panel_is_drawn_once_per_facet_state(client, listed, committed):
    assert "Apply filters" in page(client)
    replace_panel()
    assert "Panel drawn earlier" in page(client, page=1)  # another page of the same search
    with committed():
        category = listed.services.first().category
        category.name = "Help of every kind"
        category.save()
    html = page(client, page=1)
    assert "Panel drawn earlier" not in html
    assert "Help of every kind" in html
