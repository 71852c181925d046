from datetime import timedelta

import pytest
from django.urls import reverse

from ..factories import add_basic_checks, add_check, make_provider


def test_published_profile_shows_the_listing(client, provider):
    add_basic_checks(provider)
    response = client.get(provider.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert provider.name in html
    assert "Chelmsford (CM1)" in html
    assert "Checked by the council on" in html
    assert 'href="tel:01632960001"' in html


@pytest.mark.parametrize("status", ["draft", "pending", "suspended", "archived"])
def test_unpublished_profile_is_404(client, postcodes, status):
    provider = make_provider(status=status)
    assert client.get(provider.get_absolute_url()).status_code == 404


def test_unknown_slug_is_404(client, db):
    assert client.get(reverse("providers:profile", args=["no-such-provider"])).status_code == 404


def test_profile_never_shows_private_or_staff_data(client, provider, today):
    add_check(provider, "dbs", status="awaiting")
    provider.checks.update(staff_notes="PRIVATE-CHECK-NOTE")
    html = client.get(provider.get_absolute_url()).content.decode()
    for private in [
        "CM1 1RW",
        "PRIVATE-STAFF-NOTE",
        "PRIVATE-CHECK-NOTE",
        str(provider.latitude)[:7],
    ]:
        assert private not in html
    # Awaiting verification is never shown as checked.
    assert "Checked by the council" not in html


def test_expired_check_says_so(client, provider, today):
    add_check(
        provider,
        "insurance",
        verified_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=35),
    )
    html = client.get(provider.get_absolute_url()).content.decode()
    assert "Expired on" in html
    assert "Ask the provider for a current one" in html
