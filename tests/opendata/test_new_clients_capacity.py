"""Open data: whether a listing is taking new clients, as an Open Referral service capacity
(with its required `updated`), labelled as the provider's own statement, and gone once old."""

from datetime import datetime, timedelta

from django.utils import timezone

from opendata.oruk import NEW_CLIENTS_UNIT
from providers.services import provider_new_clients_set

from ..factories import make_provider
from .test_oruk import get, valid


def capacity_is_well_formed(capacity):
    """The fields Open Referral's service_capacity requires (id, unit, available, updated)."""
    assert {"id", "unit", "available", "updated"} <= set(capacity)
    assert capacity["unit"] == NEW_CLIENTS_UNIT
    assert isinstance(capacity["available"], int)
    assert datetime.fromisoformat(capacity["updated"]).tzinfo is not None


def test_a_current_answer_is_a_capacity(client, postcodes):
    taking = make_provider(name="Taking")
    full = make_provider(name="Full", base_postcode="CM2 8QB")
    provider_new_clients_set(provider=taking, new_clients="taking", via="link")
    provider_new_clients_set(provider=full, new_clients="full", via="account")
    for provider, available, words in [(taking, 1, "Taking new clients"), (full, 0, "Not taking")]:
        data = valid(get(client, f"services/{provider.open_id}"), "service.json")
        (capacity,) = data["capacities"]
        capacity_is_well_formed(capacity)
        assert capacity["available"] == available
        assert capacity["description"].startswith(words)
        assert "the provider's own statement" in capacity["description"]
    listed = valid(get(client, "services", full="true"), "service_list.json")
    assert all(len(service["capacities"]) == 1 for service in listed["contents"])


def test_an_old_or_missing_answer_is_not_published(client, postcodes):
    old = make_provider(name="Old")
    provider_new_clients_set(
        provider=old, new_clients="taking", via="link", now=timezone.now() - timedelta(days=46)
    )
    never = make_provider(name="Never", base_postcode="CM2 8QB")
    for provider in (old, never):
        data = valid(get(client, f"services/{provider.open_id}"), "service.json")
        assert "capacities" not in data
