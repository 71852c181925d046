import json
import re
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


def _summary(html):
    """The one-line summary of the checks near the top of a profile."""
    return re.search(r'<p class="govuk-body app-checks-summary"><strong>(.*?)</strong>', html)[1]


def test_the_checks_summary_says_all_current_and_when_the_council_last_checked(
    client, postcodes, today
):
    provider = make_provider(reviewed_on=today - timedelta(days=2))
    html = client.get(provider.get_absolute_url()).content.decode()
    provider.refresh_from_db()
    # The review, two days ago, is later than the checks' verification (30 days ago).
    assert provider.last_checked_on == today - timedelta(days=2)
    assert _summary(html) == f"All 4 checks current, last checked {_day(today - timedelta(days=2))}"
    # Above the full checklist, which says the same day further down.
    assert html.index("app-checks-summary") < html.index('id="checks-heading"')
    assert f"Last checked by the council: <strong>{_day(provider.last_checked_on)}" in html
    assert 'href="#checks"' in html and 'id="checks"' in html


def test_the_checks_summary_counts_what_the_checklist_shows(client, provider, today):
    add_check(provider, "terms", status="awaiting")  # shown, and not current
    add_check(provider, "policies")  # shown, and current
    html = client.get(provider.get_absolute_url()).content.decode()
    rows = re.findall(r'class="app-checklist__item">.*?app-check-tag">(.*?)</strong>', html, re.S)
    assert len(rows) == 6 and rows.count("Current") == 5
    assert _summary(html).startswith("5 of 6 checks current, last checked ")


def test_the_checks_summary_in_the_grace_period_keeps_the_warning(client, provider, today):
    ran_out = today - timedelta(days=3)
    add_check(provider, "insurance", verified_on=today - timedelta(days=300), expires_on=ran_out)
    html = client.get(provider.get_absolute_url()).content.decode()
    assert _summary(html) == f"1 of 4 checks ran out on {_day(ran_out)}"
    assert "Their public liability insurance ran out on" in html  # the grace notice, as before
    assert html.index("app-checks-summary") < html.index("app-grace-notice")
    assert "Public liability insurance: expired on" in html  # and the checklist agrees

    add_check(provider, "dbs", verified_on=today - timedelta(days=300), expires_on=ran_out)
    add_check(provider, "terms", status="expired")  # no date: said without one
    html = client.get(provider.get_absolute_url()).content.decode()
    assert _summary(html) == "3 of 5 checks have run out"


def test_the_checks_summary_with_several_dates_names_the_first(client, provider, today):
    first, second = today - timedelta(days=5), today - timedelta(days=2)
    add_check(provider, "dbs", verified_on=today - timedelta(days=300), expires_on=second)
    add_check(provider, "insurance", verified_on=today - timedelta(days=300), expires_on=first)
    html = client.get(provider.get_absolute_url()).content.decode()
    assert _summary(html) == f"2 of 4 checks ran out, the first on {_day(first)}"


def test_the_checks_summary_in_welsh(client, provider):
    html = client.get("/cy" + provider.get_absolute_url()).content.decode()
    assert '<html lang="cy"' in html
    summary = _summary(html)
    assert "4" in summary and re.search(r"\d+ \w+ 20\d\d", summary)


def _structured_data(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return found[0]


def test_structured_data_says_only_what_the_page_shows(client, provider):
    from providers.models import CoverageDistrict

    CoverageDistrict.objects.create(provider=provider, outward="CM2")
    html = client.get(provider.get_absolute_url()).content.decode()
    data = json.loads(_structured_data(html))
    assert data["@context"] == "https://schema.org" and data["@type"] == "LocalBusiness"
    assert data["name"] == provider.name and data["description"] == provider.summary
    assert data["telephone"] == "01632 960001" and data["email"] == provider.email
    page = "http://testserver" + provider.get_absolute_url()
    assert data["mainEntityOfPage"] == page and data["url"] == page  # no website of its own
    assert data["areaServed"][0] == {"@type": "Place", "name": "Chelmsford (CM1 1)"}
    circle = data["areaServed"][1]
    assert circle["geoRadius"] == 8047  # 5 miles in metres
    assert (circle["geoMidpoint"]["latitude"], circle["geoMidpoint"]["longitude"]) == (
        round(provider.area_latitude, 5),
        round(provider.area_longitude, 5),
    )
    assert data["areaServed"][2] == {"@type": "Place", "name": "CM2"}
    text = json.dumps(data)
    home = Postcode.objects.get(postcode=provider.base_postcode)
    assert "CM1 1RW" not in text and "PRIVATE" not in text
    for digits in (3, 4):
        assert f"{home.latitude:.{digits}f}" not in text


def test_structured_data_leaves_out_contact_details_the_page_does_not_show(client, postcodes):
    provider = make_provider(phone="", email="", website="https://care.example.org/")
    data = json.loads(_structured_data(client.get(provider.get_absolute_url()).content.decode()))
    assert "telephone" not in data and "email" not in data
    assert data["url"] == "https://care.example.org/"


def test_structured_data_cannot_close_its_script_element(client, postcodes):
    name = "Care </script><script>alert(1)</script> & <!-- Co"
    provider = make_provider(name=name)
    html = client.get(provider.get_absolute_url()).content.decode()
    text = _structured_data(html)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == name


def test_structured_data_in_welsh_uses_the_welsh_words(client, provider):
    provider.name_cy, provider.summary_cy = "Dwylo Help", "Help yn y cartref."
    provider.save()
    path = provider.get_absolute_url()
    data = json.loads(_structured_data(client.get("/cy" + path).content.decode()))
    assert (data["name"], data["description"]) == ("Dwylo Help", "Help yn y cartref.")
    assert data["mainEntityOfPage"] == "http://testserver/cy" + path


def test_a_profile_has_a_description_a_canonical_address_and_hreflang(client, provider):
    html = client.get(provider.get_absolute_url()).content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)">', html)[1]
    assert description.startswith("Help at home in Chelmsford. Based in Chelmsford (CM1 1). All 4")
    page = "http://testserver" + provider.get_absolute_url()
    assert f'<link rel="canonical" href="{page}">' in html
    assert (
        f'<link rel="alternate" hreflang="cy" href="http://testserver/cy{provider.get_absolute_url()}">'
        in html
    )
    assert 'name="robots"' not in html


def test_a_listing_taken_down_offers_no_canonical_address(client, postcodes):
    provider = make_provider(status="suspended")
    html = client.get(provider.get_absolute_url()).content.decode()
    assert 'rel="canonical"' not in html and 'rel="alternate"' not in html
    assert html.count('<meta name="robots" content="noindex">') == 1
    assert "application/ld+json" not in html


def _day(day):
    return f"{day.day} {day:%B %Y}"
