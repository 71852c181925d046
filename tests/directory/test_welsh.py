"""Welsh pages: /cy/ URLs with the language link and hreflang alternates, the listing's own Welsh
words where it has them (English marked lang="en" where it has not), the Welsh spoken filter and
badge, and the right regulator for each nation, the CH4 border district included."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from providers.models import Service

from ..factories import make_provider

SEARCH = reverse("search:results")


@pytest.fixture
def listing(postcodes):
    return make_provider(name="Ruth's Helping Hands", summary="Help at home in Chelmsford.")


def test_welsh_pages_live_under_cy_with_links_both_ways(client, listing):
    english = client.get(SEARCH, {"postcode": "CM1 1RW", "sort": "name"}).content.decode()
    assert '<html lang="en-GB"' in english
    assert (
        'href="/cy/search/?postcode=CM1+1RW&amp;sort=name" hreflang="cy" lang="cy">Cymraeg'
        in english
    )
    assert (
        'rel="alternate" hreflang="cy" href="http://testserver/cy/search/?postcode=CM1+1RW&amp;sort=name"'
        in english
    )
    welsh = client.get("/cy" + SEARCH, {"postcode": "CM1 1RW", "sort": "name"}).content.decode()
    assert '<html lang="cy"' in welsh
    assert (
        'href="/search/?postcode=CM1+1RW&amp;sort=name" hreflang="en-GB" lang="en-GB">English'
        in welsh
    )
    assert "Dod o hyd i ofal a chymorth lleol" in welsh
    assert "Ruth&#x27;s Helping Hands" in welsh


def test_english_pages_never_follow_a_browser_or_cookie_into_welsh(client, listing):
    client.cookies["django_language"] = "cy"
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="en-GB"' in page


def test_without_welsh_there_is_no_language_link(client, listing, settings):
    settings.WELSH = False
    page = client.get(reverse("home")).content.decode()
    assert "Cymraeg" not in page and "hreflang" not in page


def test_dates_and_months_are_welsh(client, listing):
    page = client.get("/cy" + listing.get_absolute_url()).content.decode()
    months = (
        "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
    )
    assert re.search(rf"\d+ ({months}) 20\d\d", page)


def test_a_listing_in_welsh_and_english(client, listing):
    listing.summary_cy = "Help yn y cartref yn Chelmsford."
    listing.welsh_spoken = True
    listing.save()
    path = listing.get_absolute_url()
    welsh = client.get("/cy" + path).content.decode()
    assert "Help yn y cartref yn Chelmsford." in welsh
    assert "Help at home in Chelmsford." not in welsh
    assert '<h1 class="govuk-heading-xl" lang="en">Ruth&#x27;s Helping Hands</h1>' in welsh
    assert "Siaredir Cymraeg" in welsh
    english = client.get(path).content.decode()
    assert "Help at home in Chelmsford." in english and 'lang="en"' not in english
    assert "Welsh spoken" in english


def test_the_welsh_spoken_filter(client, listing, postcodes):
    make_provider(name="Siaradwyr", base_postcode="CM1 1AE", welsh_spoken=True)
    page = client.get("/cy" + SEARCH, {"postcode": "CM1 1RW", "feature": "welsh"}).content.decode()
    assert "Siaradwyr" in page and "Ruth&#x27;s Helping Hands" not in page
    assert "Siaredir Cymraeg" in page


def test_taxonomy_names_are_welsh_on_welsh_pages(client, listing):
    service = Service.objects.get(slug="washing-and-bathing")
    with override("cy"):
        assert str(service) == "Ymolchi a chael bath"
        assert str(service.category) == "Gofal personol"
    assert str(service) == "Washing and bathing"


@pytest.mark.parametrize(
    ("postcode", "english", "welsh", "link"),
    [
        ("CM1 1RW", "Care Quality Commission (CQC)", "Comisiwn Ansawdd Gofal (CQC)", "cqc.org.uk/location/1-101"),
        ("CH7 1DA", "Care Inspectorate Wales (CIW)", "Arolygiaeth Gofal Cymru (AGC)", "careinspectorate.wales"),
        ("CH4 0AA", "Care Inspectorate Wales (CIW)", "Arolygiaeth Gofal Cymru (AGC)", "careinspectorate.wales"),
        ("CH4 7AB", "Care Quality Commission (CQC)", "Comisiwn Ansawdd Gofal (CQC)", "cqc.org.uk/location/1-101"),
    ],
)  # fmt: skip
def test_the_regulator_for_each_nation(client, postcodes, postcode, english, welsh, link):
    """England, Wales, and both sides of CH4 (Broughton is in Wales, Chester's edge in England)."""
    provider = make_provider(
        name="Registered Carers",
        legal_form="partnership",
        workers=3,
        base_postcode=postcode,
        services=Service.objects.filter(slug="washing-and-bathing"),
        registered="1-101",
    )
    path = provider.get_absolute_url()
    page = client.get(path).content.decode()
    assert english in page and link in page
    assert welsh in client.get("/cy" + path).content.decode()
