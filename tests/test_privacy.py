"""Every public page, rendered with a listing full of private values, shows none of them."""

from datetime import timedelta

import pytest
from django.urls import reverse

from places.models import Postcode
from providers.models import CoverageDistrict
from shortlist.models import SharedShortlist

from .factories import add_check, make_provider

BASE_POSTCODE = "CM1 1RW"  # its sector, CM1 1, has other postcodes: the centre is elsewhere


@pytest.fixture
def listing(postcodes, today):
    provider = make_provider(
        name="Private Values Test",
        base_postcode=BASE_POSTCODE,
        coverage_radius_miles=10,
        staff_notes="STAFF-ONLY-NOTE",
    )
    CoverageDistrict.objects.create(provider=provider, outward="CM2")
    # Public under the rules (its four basic checks verified, one in its grace period), with
    # other checks awaiting or rejected.
    add_check(provider, "terms", status="awaiting")
    add_check(provider, "policies", status="rejected")
    add_check(
        provider,
        "safeguarding",
        verified_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=1),
    )
    provider.checks.update(staff_notes="CHECK-STAFF-NOTE")
    provider.refresh_from_db()
    return provider


def public_pages(client, provider):
    client.post(reverse("shortlist:add"), {"provider": provider.pk, "next": "/"})
    client.post(reverse("shortlist:share"))
    token = SharedShortlist.objects.get().token
    return [
        reverse("home"),
        reverse("about"),
        reverse("accessibility"),
        reverse("search:results") + "?postcode=CM1+1AE",
        reverse("search:results") + "?postcode=CM1",
        reverse("search:results") + "?postcode=CM1+1AE&sort=name",
        provider.get_absolute_url(),
        reverse("shortlist:index"),
        reverse("shortlist:shared", args=[token]),
        reverse("reports:report", args=[provider.slug]),
        reverse("guidance:index"),
        reverse("guidance:checks"),
    ]


def test_no_public_page_leaks_private_values(client, listing):
    home = Postcode.objects.get(postcode=BASE_POSTCODE)
    private = [
        BASE_POSTCODE,
        "STAFF-ONLY-NOTE",
        "CHECK-STAFF-NOTE",
        *(f"{home.latitude:.{d}f}" for d in (4, 5, 6)),
        *(f"{home.longitude:.{d}f}" for d in (4, 5, 6)),
    ]
    for url in public_pages(client, listing):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if "/search/" in url or "/providers/" in url or "/shortlist/" in url:
            assert "Private Values Test" in html, url  # the listing is really on the page
        for value in private:
            assert value not in html, (url, value)
        # Nothing unverified or out of date is worded as checked.
        for kind in (
            "Terms of service",
            "Complaints and safeguarding policy",
            "Safeguarding training",
        ):
            assert f"{kind}: checked by the council" not in html, (url, kind)
