"""Search at the edges, in real Chromium at 320px and 1280px: results first, the keyboard reaches
the first result quickly, no page scrolls sideways, place names and "Use my location" work,
shortlisting keeps your place, and a map that cannot load says so."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from providers.models import Service
from shortlist.models import SharedShortlist

from ..factories import make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = [320, 1280]
RESULTS = reverse("search:results")
# The quick filters (two boxes and their button) and the "List / Map" switch come first: 13.
MAX_TABS_TO_FIRST_RESULT = 13


@pytest.fixture
def listings(places):
    """Six Chelmsford providers: three share a base sector, so the map clusters them."""
    personal = Service.objects.filter(category__slug="personal-care")[:1]
    home = Service.objects.filter(category__slug="help-at-home")[:2]
    made = [
        make_provider(name=f"Chelmsford Helper {n}", services=home, coverage_radius_miles=10)
        for n in range(1, 4)
    ]
    made.append(
        make_provider(
            name="Careful Hands",
            base_postcode="CM2 8QB",
            services=personal,
            coverage_radius_miles=10,
        )
    )
    for n, postcode in enumerate(["CM1 6GB", "CM1 4GJ"], start=1):
        made.append(
            make_provider(
                name=f"Also Tidy {n}",
                base_postcode=postcode,
                services=home,
                coverage_radius_miles=10,
            )
        )
    return made


def sized(browser, width, **options):
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px window"


def tabs_to(page, href):
    """Tab presses from the top of the page until the link to `href` has focus."""
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    for presses in range(1, 60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            return presses
    return None


@pytest.mark.parametrize("width", WIDTHS)
def test_results_first_within_a_few_tabs(live_server, browser, listings, width):
    context, page = sized(browser, width)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    first = page.locator("ol.app-results > li h3 a").first
    href = first.get_attribute("href")
    presses = tabs_to(page, href)
    top = first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    print(f"\n{width}px: first result after {presses} Tab presses, {top:.0f}px from the top")
    assert presses is not None and presses <= MAX_TABS_TO_FIRST_RESULT
    if width == 320:
        assert top < 800  # on the first screen of a phone, before the filters and the map
    # The count, the quick filters, the results; on a phone the filters after them, and the map
    # only when asked for (beside the list on a wide screen).
    order = page.evaluate(
        """() => ['#results-summary', '.app-quick-filters', 'ol.app-results', '#filters']
            .map(s => document.querySelector(s).getBoundingClientRect().top + window.scrollY)"""
    )
    assert order[0] < order[1] < order[2]
    if width == 320:
        assert order[2] < order[3]
        assert page.locator(".app-map-panel").is_hidden()
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_skip_to_results(live_server, browser, listings, width):
    context, page = sized(browser, width)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to results"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused in {"Name", "Most recently checked by the council"}  # the sort links
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_in_any_state(live_server, browser, listings, width):
    context, page = sized(browser, width)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    base = live_server.url
    pages = [
        reverse("home"),
        f"{RESULTS}?postcode=Nowhere-on-the-Wold",  # an error
        f"{RESULTS}?postcode=Newport",  # which Newport?
        f"{RESULTS}?postcode=CM1+1RW",
        f"{RESULTS}?postcode=Chelmsford&category=personal-care",
        f"{RESULTS}?postcode=CM1+1RW&when=weekends&when=overnight",  # filters leave nobody
        f"{RESULTS}?postcode=SW1A+1AA",  # outside the area
        listings[0].get_absolute_url(),
        reverse("guidance:index"),
        reverse("about"),
        reverse("accessibility"),
    ]
    for path in pages:
        page.goto(base + path)
        no_sideways_scroll(page)
        switch = page.get_by_role("button", name="Map")
        if switch.count() and switch.is_visible():  # a phone: the map instead of the list
            switch.click()
            page.wait_for_selector(".app-results-map--ready")
        for summary in page.locator("summary").all():  # every fold opened
            if summary.is_visible():
                summary.click()
        page.wait_for_timeout(100)
        no_sideways_scroll(page)
        assert axe_violations(page) == [], path

    # The shortlist with a new shared link (a long address), and the shared page.
    page.goto(f"{base}{RESULTS}?postcode=CM1+1RW")
    page.get_by_role("button", name=re.compile("Add to shortlist")).first.click()
    page.get_by_role("button", name=re.compile("Remove from shortlist")).first.wait_for()
    page.goto(base + reverse("shortlist:index"))
    page.get_by_label("Made by (optional)").fill("Chelmsford adult social care, west team")
    page.get_by_role("button", name="Share as a link").click()
    assert page.get_by_text("Your link is ready").is_visible()
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Copy link").click()
    link = page.locator("#new-link-url").inner_text().strip()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "Link copied" in page.locator(".app-copy-status").inner_text()
    page.goto(link)
    assert "Made by Chelmsford adult social care, west team on" in page.content()
    no_sideways_scroll(page)
    assert axe_violations(page) == []
    context.close()


def test_place_name_search(live_server, page, listings):
    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Enter a postcode or town").fill("newport")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="Which Newport do you mean?").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Newport, Isle of Wight").click()
    assert "Care and support near Newport, Isle of Wight" in page.title()

    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Enter a postcode or town").fill("Chelmsford")
    page.keyboard.press("Enter")
    assert "providers cover Chelmsford, Essex" in page.locator("#results-summary").inner_text()
    assert page.get_by_role("link", name="Careful Hands").is_visible()


def test_use_my_location(live_server, browser, listings):
    context = browser.new_context(
        geolocation={"latitude": 51.7368, "longitude": 0.4654}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url(re.compile(r"postcode=CM1\+1"))
    assert "providers cover CM1 1" in page.locator("#results-summary").inner_text()
    context.close()


def test_use_my_location_refused(live_server, browser, listings):
    context = browser.new_context()  # no permission: the browser says no
    page = context.new_page()
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("button", name="Use my location").click()
    message = page.locator(".app-locate__message")
    # "Finding your location…" shows first; the refusal replaces it when the browser answers.
    expect(message).to_contain_text("Enter a postcode or town instead", timeout=10_000)
    assert axe_violations(page) == []
    context.close()


def test_use_my_location_is_hidden_without_javascript(live_server, page_without_js, listings):
    page_without_js.goto(live_server.url + reverse("home"))
    assert page_without_js.get_by_role("button", name="Use my location").count() == 0


def test_shortlisting_keeps_the_place_without_javascript(live_server, page_without_js, listings):
    page = page_without_js
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    card = page.locator("ol.app-results > li").nth(4)
    card.get_by_role("button", name=re.compile("Add to shortlist")).click()
    assert re.search(r"#provider-\d+$", page.url)
    card = page.locator("ol.app-results > li").nth(4)
    assert card.get_by_role("button", name=re.compile("Remove from shortlist")).is_visible()
    box = card.bounding_box()
    assert 0 <= box["y"] < 700  # the page came back at that provider, not at the top


def test_shortlisting_in_place_with_javascript(live_server, browser, listings):
    context, page = sized(browser, 320)
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    url = page.url
    card = page.locator("ol.app-results > li").nth(4)
    card.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    card.get_by_role("button", name=re.compile("Add to shortlist")).click()
    button = card.get_by_role("button", name=re.compile("Remove from shortlist"))
    button.wait_for()
    assert page.url == url  # no reload
    assert page.evaluate("window.scrollY") == before
    announced = "[...document.querySelectorAll('body > [role=status]')].map(e => e.textContent)"
    for _ in range(50):  # polled from here: the page's CSP forbids wait_for_function's eval
        if any(re.search(r"Added .+ to your shortlist", t) for t in page.evaluate(announced)):
            break
        page.wait_for_timeout(20)
    else:
        pytest.fail("the change was not announced")
    assert page.locator(".app-shortlist-count").first.inner_text() == "1"
    assert axe_violations(page) == []
    button.click()
    card.get_by_role("button", name=re.compile("Add to shortlist")).wait_for()
    assert page.locator(".app-shortlist-count").first.inner_text() == "0"
    assert not SharedShortlist.objects.exists()
    context.close()


def test_map_opens_with_named_clusters_and_says_when_tiles_fail(
    live_server, browser, listings, settings
):
    tiles = [("Map", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", {"attribution": "OSM"})]
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": tiles}
    context, page = sized(browser, 1280)
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # offline
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    page.wait_for_selector(".app-results-map--ready")  # opens by itself on a wide screen
    assert page.locator("#results-map").get_attribute("data-markers") == "6"
    # Cluster buttons are named in words, not "3": how many, and where.
    names = page.locator(".app-results-map__cluster .govuk-visually-hidden").all_inner_texts()
    assert names
    for name in names:
        assert re.fullmatch(
            r"\d+ providers (in|around) Chelmsford \(CM\d \d\), \d+ with every check current", name
        ), name
    status = page.locator(".app-results-map__status")
    status.wait_for(state="visible")
    assert "The map background could not load" in status.inner_text()
    assert "list of results" in status.inner_text()
    assert axe_violations(page) == []
    context.close()


def test_map_waits_on_a_phone_until_the_switch_asks_for_it(live_server, browser, listings):
    context, page = sized(browser, 320)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}{RESULTS}?postcode=CM1+1RW")
    page.wait_for_load_state("networkidle")
    assert not any("/search/map/" in url or "leaflet" in url for url in requested)
    page.get_by_role("button", name="Map").click()
    page.wait_for_selector(".app-results-map--ready")
    assert page.locator("ol.app-results").is_hidden()  # the map instead of the list
    page.get_by_role("button", name="List").click()
    assert page.locator("ol.app-results").is_visible()
    assert page.locator(".app-map-panel").is_hidden()
    assert any("/search/map/" in url for url in requested)
    context.close()
