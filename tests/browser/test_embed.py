"""The search widget embedded in a page on another origin (a second local HTTP server with an
iframe), as a council, GP surgery or library site would: it loads, searches, passes axe and
opens listings in a new tab; a site not in EMBED_ALLOWED_ORIGINS is refused the frame. And the
neighbours' section on the results page passes axe and needs no JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone

from neighbours.models import NeighbourFeed, NeighbourService

from ..factories import make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def host_page(httpserver, live_server):
    """A page on another origin (another port) that embeds the widget; its origin."""
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Library</title></head><body>'
        "<h1>Find care near you</h1>"
        f'<iframe src="{live_server.url}/embed/" title="Find local care and support" '
        'width="360" height="600"></iframe></body></html>'
    )
    httpserver.expect_request("/library.html").respond_with_data(html, content_type="text/html")
    return httpserver.url_for("/library.html"), httpserver.url_for("/").rstrip("/")


def widget(page, live_server):
    page.wait_for_load_state("load")
    return next(frame for frame in page.frames if frame.url.startswith(live_server.url))


def test_an_allowed_site_embeds_the_widget_and_it_works(
    live_server, page, httpserver, settings, postcodes
):
    make_provider(name="Careful Hands", coverage_radius_miles=10)
    url, origin = host_page(httpserver, live_server)
    assert not origin.startswith(live_server.url)  # another origin: another port
    settings.EMBED_ALLOWED_ORIGINS = [origin]

    page.goto(url)
    frame = widget(page, live_server)
    frame.get_by_role("heading", name="Find care and support near you").wait_for()
    assert axe_violations(frame) == []
    frame.get_by_label("Enter a postcode").fill("cm1 1rw")
    frame.get_by_role("button", name="Search").click()
    frame.get_by_role("heading", name="1 provider covers CM1 1RW").wait_for()
    assert page.url == url  # the search stayed inside the frame
    assert axe_violations(frame) == []

    link = frame.get_by_role("link", name="Careful Hands (opens in new tab)")
    with page.context.expect_page() as opened:
        link.click()
    profile = opened.value
    profile.wait_for_load_state()
    assert profile.url.startswith(live_server.url + "/providers/")
    assert page.url == url  # the library's page is still there


def test_a_site_not_allowed_is_refused_the_frame(live_server, page, httpserver, settings, db):
    url, _ = host_page(httpserver, live_server)
    settings.EMBED_ALLOWED_ORIGINS = ["https://someone-else.example"]
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(url)
    page.wait_for_timeout(500)
    [frame] = [frame for frame in page.frames if frame != page.main_frame]
    assert frame.url == "chrome-error://chromewebdata/"  # Chromium's "refused to connect"
    assert "Find care and support" not in frame.content()
    assert any("frame-ancestors" in text for text in refused), refused


def test_the_widget_at_320_pixels_and_without_javascript(live_server, browser, postcodes):
    make_provider(name="Careful Hands", coverage_radius_miles=10)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + "/embed/?postcode=CM1+1RW")
    assert page.get_by_role("heading", name="1 provider covers CM1 1RW").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_neighbours_section_passes_axe_without_javascript(
    live_server, page, page_without_js, settings, postcodes
):
    make_provider(name="Careful Hands", coverage_radius_miles=10)
    settings.NEIGHBOUR_FEEDS = [
        {"name": "Braintree District Council", "url": "https://braintree.example/api/oruk",
         "licence": "OGL v3.0", "checks_url": "https://braintree.example/checks/"},
    ]  # fmt: skip
    feed = NeighbourFeed.objects.create(
        name="Braintree District Council",
        url="https://braintree.example/api/oruk",
        licence="OGL v3.0",
        checks_url="https://braintree.example/checks/",
        last_harvested_at=timezone.now() - timedelta(days=1),
    )
    NeighbourService.objects.create(
        feed=feed, oruk_id="x-1", name="Over The Border Care", districts=" CM1 ",
        description="Help at home.", phone="01632 960555", url="https://braintree.example/s/1",
        accreditations="DBS seen", harvested_at=feed.last_harvested_at,
    )  # fmt: skip
    for each in (page, page_without_js):
        each.goto(live_server.url + "/search/?postcode=CM1+1RW")
        heading = each.get_by_role(
            "heading", name="Also covering this area, listed by Braintree District Council"
        )
        assert heading.is_visible()
        assert each.get_by_role("heading", name="Over The Border Care").is_visible()
    assert axe_violations(page) == []
