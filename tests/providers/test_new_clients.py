"""Taking new clients: the provider's own answer, shown dated while confirmed in the last 45 days,
then "Not confirmed recently", never the old answer; one rule for one listing and for columns."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from providers.rules import AVAILABILITY_DAYS, new_clients_state
from providers.services import provider_new_clients_set

from ..factories import make_provider


@pytest.mark.parametrize(
    ("days_ago", "shown"),
    [(0, "taking"), (44, "taking"), (45, "taking"), (46, "unconfirmed"), (400, "unconfirmed")],
)
def test_an_answer_shows_for_45_days_then_not_confirmed_recently(postcodes, days_ago, shown):
    provider = make_provider()
    said = timezone.now() - timedelta(days=days_ago)
    provider_new_clients_set(provider=provider, new_clients="taking", via="link", now=said)
    public = provider.new_clients_public()
    assert public.state == shown
    if shown == "unconfirmed":
        assert public.words == "Not confirmed recently"
        assert public.confirmed_on is None  # the old date is not shown with it either
    else:
        assert public.confirmed_on == timezone.localdate(said)


def test_never_said_is_not_confirmed_recently(postcodes):
    assert make_provider().new_clients_public().state == "unconfirmed"


def test_the_rule_answers_for_columns_as_for_one(today):
    day = today.toordinal()
    codes = np.array([1, 2, 3, 1, 0])
    confirmed = np.array([day, day - AVAILABILITY_DAYS, day - AVAILABILITY_DAYS - 1, -1, day])
    assert new_clients_state(codes, confirmed, today).tolist() == [1, 2, 0, 0, 0]
    assert [
        new_clients_state(int(c), int(d), today) for c, d in zip(codes, confirmed, strict=True)
    ] == [
        1,
        2,
        0,
        0,
        0,
    ]


def test_the_database_keeps_answers_to_the_choices_and_dated(postcodes):
    provider = make_provider()
    with pytest.raises(IntegrityError):
        Provider.objects.filter(pk=provider.pk).update(
            new_clients="maybe", new_clients_confirmed_at=timezone.now()
        )


def test_an_answer_needs_its_date(postcodes):
    provider = make_provider()
    with pytest.raises(IntegrityError):
        Provider.objects.filter(pk=provider.pk).update(new_clients="taking")


def test_a_bad_answer_is_refused_by_the_service(postcodes):
    with pytest.raises(ValueError):
        provider_new_clients_set(provider=make_provider(), new_clients="maybe", via="link")


def test_the_profile_labels_it_as_the_providers_own(client, postcodes, today):
    provider = make_provider()
    provider_new_clients_set(provider=provider, new_clients="waiting_list", via="link")
    html = client.get(reverse("providers:profile", args=[provider.slug])).content.decode()
    assert "Waiting list" in html
    assert f"The provider told us on {today.day} " in html


def test_an_old_answer_is_never_shown_as_current(client, postcodes):
    provider = make_provider()
    long_ago = timezone.now() - timedelta(days=60)
    provider_new_clients_set(provider=provider, new_clients="taking", via="link", now=long_ago)
    html = client.get(reverse("providers:profile", args=[provider.slug])).content.decode()
    assert "Not confirmed recently" in html
    assert "Taking new clients" not in html
