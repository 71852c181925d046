import pytest
from django.urls import reverse

from providers.models import Service

from ..factories import add_basic_checks, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def listings(postcodes):
    personal = Service.objects.filter(category__slug="personal-care")[:1]
    home = Service.objects.filter(category__slug="help-at-home")[:1]
    care = make_provider(name="Careful Hands", services=personal, coverage_radius_miles=10)
    add_basic_checks(care)
    make_provider(
        name="Tidy Homes", base_postcode="CM2 8QB", services=home, coverage_radius_miles=10
    )
    make_provider(
        name="Also Tidy", base_postcode="CM1 6GB", services=home, coverage_radius_miles=10
    )
    return care


def test_search_filter_map_and_profile(live_server, page, listings):
    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Enter a postcode").fill("cm1 1rw")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector(".app-results-map--ready")
    assert page.locator("#results-map").get_attribute("data-markers") == "3"
    assert page.locator("#results-map").is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Personal care (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector(".app-results-map--ready")
    assert (
        "1 provider covers CM1 1RW for personal care"
        in page.locator("#results-summary").inner_text()
    )
    assert page.locator("#results-map").get_attribute("data-markers") == "1"

    page.get_by_role("link", name="Careful Hands").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Careful Hands"


def test_no_results_page_is_accessible(live_server, page, listings):
    page.goto(live_server.url + reverse("search:results") + "?postcode=TA6+3JA")
    assert "0 providers cover TA6 3JA" in page.content()
    assert "This directory does not list anyone near TA6 3JA" in page.content()
    assert axe_violations(page) == []


def test_filtering_without_javascript(live_server, page_without_js, listings):
    page = page_without_js
    page.goto(live_server.url + reverse("home"))
    page.get_by_label("Enter a postcode").fill("CM1 1RW")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#results-map").is_hidden()  # no empty map box without JavaScript
    page.get_by_label("Help at home (2)").check()
    page.get_by_role("button", name="Apply filters").click()
    assert (
        "2 providers cover CM1 1RW for help at home"
        in page.locator("#results-summary").inner_text()
    )
    page.get_by_role("link", name="Name").click()
    cards = page.locator(".app-result h3").all_inner_texts()
    assert cards == ["Also Tidy", "Tidy Homes"]
    page.get_by_role("link", name="Tidy Homes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tidy Homes"
