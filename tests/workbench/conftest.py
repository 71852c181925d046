"""Named people for the workbench's authorisation tests: someone anonymous, a provider managing
their own listing, a council officer and an administrator, each with their own client."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from portal.models import Owner


@pytest.fixture
def provider_account(provider):
    user = get_user_model().objects.create_user(
        username="owner@example.org", email="owner@example.org"
    )
    Owner.objects.create(user=user, provider=provider)
    return user


@pytest.fixture
def people(provider_account, staff_user, administrator):
    """{name: client}: anonymous, provider, officer, administrator."""
    clients = {"anonymous": Client()}
    for name, user in [
        ("provider", provider_account),
        ("officer", staff_user),
        ("administrator", administrator),
    ]:
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


def refused(response):
    """What a refusal looks like: the sign-in page (302) or 403, never the page."""
    return response.status_code in (302, 403) and (
        response.status_code == 403 or "/admin/login/" in response["Location"]
    )
