"""Named users for providers' pages: two providers who each manage their own listing."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from portal.models import Owner
from portal.tokens import link_url

from ..factories import make_provider

ANSWERS = {
    "business": {
        "name": "Ruth's Helping Hands",
        "summary": "Help at home and company in Chelmsford.",
        "legal_form": "sole_trader",
        "workers": "1",
    },
    "offer": {"services": ["cleaning"], "audiences": ["older-people"]},
    "where": {"base_postcode": "CM1 1RW", "town": "Chelmsford", "coverage_radius_miles": "10"},
    "cost": {
        "is_free": "no",
        "hourly_rate_min": "18.50",
        "hourly_rate_max": "22.00",
        "cost_notes": "",
        "accepts_direct_payments": "yes",
    },
    "when": {"availability": ["weekdays", "evenings"], "languages": "English"},
    "contact": {"contact_name": "Ruth", "phone": "01632 960001", "email": "", "website": ""},
    "registration": {
        "personal_care": "no",
        "alone": "yes",
        "arranged_directly": "yes",
        "their_direction": "yes",
        "introduce_others": "no",
    },
    "account": {"account_email": "ruth@example.org"},
}


def owner_of(provider, email):
    user = get_user_model().objects.create_user(username=email, email=email)
    Owner.objects.create(user=user, provider=provider)
    return user


@pytest.fixture
def provider_a(postcodes):
    return make_provider(name="Alpha Care", email="alpha@example.org")


@pytest.fixture
def provider_b(postcodes):
    return make_provider(name="Bravo Help", base_postcode="CM2 8QB", email="bravo@example.org")


@pytest.fixture
def owner_a(provider_a):
    return owner_of(provider_a, "alpha-owner@example.org")


@pytest.fixture
def owner_b(provider_b):
    return owner_of(provider_b, "bravo-owner@example.org")


@pytest.fixture
def client_a(client, owner_a):
    client.force_login(owner_a)
    return client


def link_path(user, kind="sign-in"):
    return urlsplit(link_url(user, kind)).path
