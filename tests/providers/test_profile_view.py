from datetime import timedelta

import pytest
from django.urls import reverse

from places.models import Postcode

from ..factories import add_basic_checks, add_check, make_provider


def test_published_profile_shows_the_listing(client, provider):
    add_basic_checks(provider)
    response = client.get(provider.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert provider.name in html
    assert "Chelmsford (CM1 1)" in html
    assert "Travels up to 5 miles from the Chelmsford (CM1 1) area" in html
    assert "DBS check: checked by the council on" in html
    assert 'href="tel:01632960001"' in html


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_never_public_profile_is_404(client, postcodes, status):
    provider = make_provider(status=status)
    assert client.get(provider.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("status", ["suspended", "archived"])
def test_a_listing_taken_down_is_gone(client, postcodes, status):
    provider = make_provider(status=status)
    response = client.get(provider.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "This provider is no longer listed" in html
    assert provider.name not in html and "01632" not in html


def test_a_published_listing_outside_the_rules_is_gone(client, provider):
    add_check(provider, "dbs", status="rejected")
    response = client.get(provider.get_absolute_url())
    assert response.status_code == 410
    assert provider.name not in response.content.decode()


def test_unknown_slug_is_404(client, db):
    assert client.get(reverse("providers:profile", args=["no-such-provider"])).status_code == 404


def test_profile_never_shows_private_or_staff_data(client, provider, today):
    add_check(provider, "terms", status="awaiting")
    provider.checks.update(staff_notes="PRIVATE-CHECK-NOTE")
    html = client.get(provider.get_absolute_url()).content.decode()
    home = Postcode.objects.get(postcode="CM1 1RW")
    for private in [
        "CM1 1RW",
        "PRIVATE-STAFF-NOTE",
        "PRIVATE-CHECK-NOTE",
        f"{home.latitude:.4f}",
        f"{home.longitude:.4f}",
    ]:
        assert private not in html
    # Awaiting verification is never shown as checked.
    assert "Terms of service: checked by the council" not in html
    assert "Terms of service: sent to the council but not checked yet" in html


def test_expired_check_says_so(client, provider, today):
    add_check(
        provider,
        "insurance",
        verified_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=10),
    )
    html = client.get(provider.get_absolute_url()).content.decode()
    assert "Public liability insurance: expired on" in html
    assert "Ask the provider for a current certificate" in html
    assert "Their public liability insurance ran out on" in html  # the grace-period notice


def test_profile_sections(client, provider):
    html = client.get(provider.get_absolute_url()).content.decode()
    for heading in ["What they do", "About the service", "How to contact them", "Checks"]:
        assert heading in html
    assert "Questions to ask before you choose" in html
    assert "risk assessments" in html and "terms and conditions" in html
    assert "Last checked by the council" in html


def test_coverage_map_is_drawn_around_the_area_never_the_base(client, provider):
    from places.models import PostcodeArea

    CoverageDistrict = provider.districts.model
    CoverageDistrict.objects.create(provider=provider, outward="CM2")
    response = client.get(provider.get_absolute_url())
    data = response.context["map_data"]
    assert data["radiusMiles"] == 5
    assert (data["centre"]["lat"], data["centre"]["lon"]) == (
        round(provider.area_latitude, 5),
        round(provider.area_longitude, 5),
    )
    cm2 = PostcodeArea.objects.get(code="CM2")
    assert data["districts"] == [
        {"code": "CM2", "lat": round(cm2.latitude, 5), "lon": round(cm2.longitude, 5)}
    ]
    html = response.content.decode()
    home = Postcode.objects.get(postcode=provider.base_postcode)
    for digits in (3, 4, 5):
        assert f"{home.latitude:.{digits}f}" not in html
    assert "the postcode district CM2" in html
