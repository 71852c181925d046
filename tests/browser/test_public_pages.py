import pytest
from django.urls import reverse

from ..factories import add_basic_checks, add_check, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def listing(postcodes):
    provider = make_provider(name="Ruth's Helping Hands", coverage_radius_miles=10)
    add_basic_checks(provider)
    add_check(provider, "terms", status="awaiting")
    return provider


@pytest.mark.parametrize(
    "path",
    [
        reverse("home"),
        reverse("about"),
        reverse("accessibility"),
        reverse("open-data"),
        reverse("search:results") + "?postcode=CM1+1RW",
        reverse("search:results") + "?postcode=ZZ99+9ZZ",
        "/no-such-page/",
    ],
)
def test_public_pages_have_no_wcag_violations(live_server, page, listing, path):
    page.goto(live_server.url + path)
    assert axe_violations(page) == []


def test_profile_has_no_wcag_violations(live_server, page, listing):
    page.goto(live_server.url + listing.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Ruth's Helping Hands"
    assert axe_violations(page) == []


def test_keyboard_only_search_to_profile(live_server, page, listing):
    page.goto(live_server.url + reverse("home"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    # From the main content the first form field is reached by Tab alone.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "postcode":
            break
    page.keyboard.type("cm1 1rw")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?postcode=*")
    assert "CM1 1RW" in page.get_by_role("heading", level=1).inner_text()
    link = page.get_by_role("link", name="Ruth's Helping Hands")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**" + listing.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Ruth's Helping Hands"


def test_error_summary_takes_focus_with_javascript(live_server, page, listing):
    page.goto(live_server.url + reverse("search:results") + "?postcode=12345")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert "Enter a postcode, like CM1 1AE, or a town or village" in summary.inner_text()


def test_search_journey_without_javascript(live_server, page_without_js, listing):
    page = page_without_js
    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Enter a postcode").fill("CM1-1RW")
    page.get_by_role("button", name="Search").click()
    assert "CM1 1RW" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Ruth's Helping Hands").click()
    assert "DBS check: checked by the council on" in page.content()
