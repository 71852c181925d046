"""The map shows the checks, in real Chromium: a listing in its grace period looks and reads
differently from a fully checked one on the results map and on its profile; popups fit the map and
pass axe at 320 and 1280 px, and work from the keyboard; the quick filters are a few Tab presses
from the top; and on a phone, searching, reading the checks, shortlisting two and sharing the
shortlist takes ten taps or fewer."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.models import Service

from ..factories import add_check, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RESULTS = reverse("search:results")
MAX_TABS_TO_QUICK_FILTER = 15
MAX_TAPS = 10


@pytest.fixture
def listings(postcodes):
    """Three listings in three sectors (so no cluster joins them): one fully checked, one with
    a check running out, and one whose DBS check ran out three days ago (its grace period)."""
    today = timezone.localdate()
    home = Service.objects.filter(category__slug="help-at-home")[:2]
    checked = make_provider(
        name="Checked Care", services=home, coverage_radius_miles=10, hourly_rate_min=15
    )
    soon = make_provider(
        name="Soon Care", base_postcode="CM1 6GB", services=home, coverage_radius_miles=10
    )
    add_check(soon, "insurance", expires_on=today + timedelta(days=10))
    grace = make_provider(
        name="Grace Care",
        base_postcode="CM2 8QB",
        services=home,
        coverage_radius_miles=10,
        accepts_direct_payments=True,
    )
    add_check(grace, "dbs", verified_on=today - timedelta(400), expires_on=today - timedelta(3))
    return {"checked": checked, "soon": soon, "grace": grace}


def sized(browser, width, **options):
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def open_map(page, width):
    if width < 769:  # a phone or small tablet: the switch swaps the list for the map
        page.get_by_role("button", name="Map").click()
    page.wait_for_selector(".app-results-map--ready")


def inside(inner, outer):
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


@pytest.mark.parametrize("width", [320, 1280])
def test_a_grace_period_marker_and_popup_differ_from_a_fully_checked_one(
    live_server, browser, listings, width
):
    context, page = sized(browser, width)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    open_map(page, width)
    grace = page.locator(".app-results-map__pin--0")
    checked = page.locator(".app-results-map__pin--2")
    assert grace.count() == 1 and checked.count() == 1
    # Shape and words, not colour alone.
    assert grace.locator("use").get_attribute("href") == "#app-mark-0"
    assert checked.locator("use").get_attribute("href") == "#app-mark-2"
    assert grace.inner_text() == "Grace Care: A check has run out"
    assert checked.inner_text() == "Checked Care: Every check current"
    assert (
        page.locator(".app-results-map__pin--1").inner_text() == "Soon Care: A check runs out soon"
    )
    # The key outside the map explains both, in the same words.
    key = page.locator(".app-map-key").inner_text()
    assert "Every check current" in key and "A check has run out" in key
    assert "A check runs out soon" in key

    for marker, expected, absent in [
        (grace, ["DBS check: Expired, ran out on", "Unless it is renewed", "Accepts Direct"], []),
        (checked, ["DBS check: Current, valid until", "£15.00 an hour"], ["Expired", "renewed"]),
    ]:
        marker.click()
        popup = page.locator(".leaflet-popup")
        popup.wait_for()
        text = popup.inner_text()
        for words in expected:
            assert words in text, (words, text)
        for words in absent:
            assert words not in text, (words, text)
        assert re.search(
            r"Based in Chelmsford \(CM\d \d\), (about \d+ miles?|less than a mile)", text
        )
        page.wait_for_timeout(400)  # the map pans the popup into view
        map_box = page.locator("#results-map").bounding_box()
        assert inside(popup.bounding_box(), map_box), "the popup is cut off by the map's edge"
        assert axe_violations(page) == []
        page.keyboard.press("Escape")
        popup.wait_for(state="detached")
    context.close()


def test_a_popup_works_from_the_keyboard(live_server, browser, listings):
    context, page = sized(browser, 1280)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    open_map(page, 1280)
    marker = page.locator(".app-results-map__pin--0")
    marker.focus()
    page.keyboard.press("Enter")
    # Focus goes to the popup's link, and Escape brings it back to the marker.
    assert page.evaluate("document.activeElement.textContent") == "Grace Care"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent") == (
        "Grace Care: A check has run out"
    )
    context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_profile_map_shows_the_same_marker_and_words(live_server, browser, listings, width):
    context, page = sized(browser, width)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    open_map(page, width)
    on_results = {
        name: page.locator(".app-results-map__pin", has_text=name)
        .locator("use")
        .get_attribute("href")
        for name in ["Grace Care", "Checked Care", "Soon Care"]
    }
    for key, provider in listings.items():
        page.goto(live_server.url + provider.get_absolute_url())
        page.wait_for_selector(".app-profile-map--ready")
        mark = page.locator("#profile-map .app-results-map__pin use").get_attribute("href")
        assert mark == on_results[provider.name], key
        words = page.locator(".app-map-key").inner_text()
        expected = {"checked": "Every check current", "soon": "A check runs out soon"}
        assert expected.get(key, "A check has run out") in words
        assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_quick_filters_are_a_few_tabs_from_the_top(live_server, browser, listings, width):
    context, page = sized(browser, width)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    presses = {}
    for press in range(1, 40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused in ("quick-direct_payments", "quick-checks"):
            presses.setdefault(focused, press)
        if len(presses) == 2:
            break
    print(
        f"\n{width}px: Direct Payments filter after {presses.get('quick-direct_payments')} Tab "
        f"presses, all checks current after {presses.get('quick-checks')}"
    )
    assert presses.get("quick-direct_payments", 99) <= MAX_TABS_TO_QUICK_FILTER
    assert presses.get("quick-checks", 99) <= MAX_TABS_TO_QUICK_FILTER
    # Ticking one keeps the rest of the search.
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW&sort=name")
    page.get_by_label(re.compile("Accepts Direct Payments")).first.check()
    page.get_by_role("button", name="Apply quick filters").click()
    assert "sort=name" in page.url and "feature=direct_payments" in page.url
    assert page.locator("ol.app-results > li h3").all_inner_texts() == ["Grace Care"]
    # On a phone all the filters are one tap away.
    page.get_by_role("link", name=re.compile("All filters")).click()
    assert page.locator("#filters").is_visible()
    assert page.locator("#filters").bounding_box()["y"] < 800
    context.close()


def test_without_javascript_the_list_is_the_page(live_server, page_without_js, listings):
    page = page_without_js
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    assert page.locator(".app-view-switch").is_hidden()
    assert page.locator(".app-map-panel").is_hidden()
    assert page.locator("ol.app-results > li").count() == 3
    assert page.locator(".app-quick-filters").is_visible()  # a plain form: it works without


def test_the_phone_journey_takes_ten_taps_or_fewer(live_server, browser, listings):
    """Search, read a listing's checks on the map, shortlist two, share the shortlist."""
    context, page = sized(browser, 320, has_touch=True, is_mobile=True)
    taps = []

    def tap(locator, what):
        locator.tap()
        taps.append(what)

    page.goto(live_server.url + reverse("home"))
    tap(page.get_by_label("Enter a postcode or town"), "the search box")
    page.keyboard.type("CM1 1RW")
    tap(page.get_by_role("button", name="Search"), "Search")
    page.wait_for_url(re.compile(r"/search/\?"))
    # Every card says its checks; the map says them again for each marker.
    assert page.locator(".app-result").first.get_by_text("DBS check").is_visible()
    tap(page.get_by_role("button", name="Map"), "Map")
    page.wait_for_selector(".app-results-map--ready")
    tap(page.locator(".app-results-map__pin--0"), "a marker")
    assert "DBS check: Expired" in page.locator(".leaflet-popup").inner_text()
    tap(page.get_by_role("button", name="List"), "List")
    for number in range(2):
        card = page.locator("ol.app-results > li").nth(number)
        tap(card.get_by_role("button", name=re.compile("Add to shortlist")), "Add to shortlist")
        card.get_by_role("button", name=re.compile("Remove from shortlist")).wait_for()
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        tap(menu, "Menu")
    tap(page.get_by_role("link", name=re.compile("Your shortlist")), "Your shortlist")
    tap(page.get_by_role("button", name="Share as a link"), "Share as a link")
    page.get_by_text("Your link is ready").wait_for()
    print(f"\nThe phone journey took {len(taps)} taps: {', '.join(taps)}")
    assert len(taps) <= MAX_TAPS
    context.close()
