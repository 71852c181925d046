"""Every public page, rendered with a listing full of private values, shows none of them; and
where a provider's base is within its postcode sector changes nothing the public can see."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from places.models import Postcode
from providers.models import CoverageDistrict, Provider
from shortlist.models import SharedShortlist

from .factories import add_check, make_provider
from .properties import examples

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
        reverse("open-data"),
        reverse("open-data-csv"),
        "/api/oruk/services?full=true&per_page=100",
        f"/api/oruk/services/{provider.open_id}",
        f"/api/oruk/organizations/{provider.organization_open_id}",
        "/api/oruk/organizations?full=true",
        "/api/oruk/service_at_locations",
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


# Moving a base within its postcode sector changes nothing anyone can see ----------------------

SECTORS = {
    "CM1 1": ["CM1 1AE", "CM1 1AF", "CM1 1RW"],
    "TA6 6": ["TA6 6DS", "TA6 6PN", "TA6 6ZH"],
    "CH6 5": ["CH6 5BG", "CH6 5EQ", "CH6 5GL", "CH6 5JL", "CH6 5NP", "CH6 5QJ", "CH6 5SF"],
    "CH8 7": ["CH8 7AW", "CH8 7DL", "CH8 7FA", "CH8 7HU", "CH8 7LH", "CH8 7PE", "CH8 7QT"],
}
# Places near and far from each sector, full postcodes, sectors and districts, so the travel
# radius's edge, the district lists and the "you could ask these providers" list all come in.
PLACES = [
    "CM1 1AE", "CM1 3AX", "CM1 6GB", "CM2 8QB", "CM1", "CM2 0",
    "TA6 3JA", "TA6 6DS", "TA1 1NR", "TA6", "CH6 5UA", "CH7 1DA", "CH8 7SN", "CH7", "CO1 2FN",
]  # fmt: skip
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
MAP_URL = re.compile(r'data-map-url="([^"]+)"')


MODIFIED = re.compile(r'"last_modified": "[^"]*"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^,]*')


def everything_public(client, provider):
    """Every public response that could depend on where the provider is: each search in three
    orders with and without filters (list and counts in the page, the map's data from its own
    address) and the profile.
    Form tokens differ on every response, so they are taken out."""
    pages = []
    for place in PLACES:
        for extra in [{}, {"sort": "name"}, {"sort": "checked", "feature": "checks"}]:
            response = client.get(reverse("search:results"), {"postcode": place, **extra})
            pages.append(TOKEN.sub("", response.content.decode()))
            # The map's own data: points, distances and each check's state and date.
            if not extra and (found := MAP_URL.search(pages[-1])):
                pages.append(client.get(unescape(found[1])).content.decode())
    pages.append(TOKEN.sub("", client.get(provider.get_absolute_url()).content.decode()))
    # Open data too; its "last modified" times say that something changed, never where.
    for url in [f"/api/oruk/services/{provider.open_id}", reverse("open-data-csv")]:
        pages.append(MODIFIED.sub("", client.get(url).content.decode()))
    return pages


@settings(
    max_examples=examples(12),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    sector=st.sampled_from(sorted(SECTORS)),
    data=st.data(),
    radius=st.sampled_from([0, 1, 3, 5, 10, 20]),
)
def test_moving_the_base_within_its_sector_changes_no_public_byte(
    client, postcodes, sector, data, radius
):
    first, second = data.draw(
        st.lists(st.sampled_from(SECTORS[sector]), min_size=2, max_size=2, unique=True)
    )
    Provider.objects.all().delete()
    make_provider(name="Neighbour", base_postcode="CM1 3AX", coverage_radius_miles=8)
    provider = make_provider(name="Sole Trader", base_postcode=first, coverage_radius_miles=radius)
    if radius == 0:
        CoverageDistrict.objects.create(provider=provider, outward=sector.split()[0])
    before = everything_public(client, provider)
    provider.base_postcode = second
    provider.save()
    after = everything_public(client, provider)
    assert any("Sole Trader" in page for page in before[:-1])  # it really is in some searches
    assert before == after
