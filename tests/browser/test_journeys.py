"""The whole journey a social worker makes, by keyboard alone."""

import re

import pytest
from django.urls import reverse

from ..factories import add_basic_checks, make_provider
from .conftest import axe_violations, tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_search_profile_shortlist_share_by_keyboard(live_server, page, postcodes):
    provider = make_provider(name="Ruth's Helping Hands", coverage_radius_miles=10)
    add_basic_checks(provider)

    page.goto(live_server.url + reverse("home"))
    tab_to(page, "el.name === 'postcode'")
    page.keyboard.type("CM1 1RW")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?postcode=*")

    tab_to(page, "el.tagName === 'A' && el.textContent.trim() === \"Ruth's Helping Hands\"")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + provider.get_absolute_url())
    assert axe_violations(page) == []

    tab_to(page, "el.textContent.startsWith('Add to shortlist')")
    page.keyboard.press("Enter")  # sent in the background: the button changes in place
    page.get_by_role("button", name=re.compile("Remove from shortlist")).wait_for()
    assert page.url.endswith(provider.get_absolute_url())
    assert page.evaluate("document.activeElement.textContent").startswith("Remove from shortlist")

    tab_to(page, "el.textContent.startsWith('Your shortlist')")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("shortlist:index"))
    tab_to(page, "el.tagName === 'TEXTAREA'")
    page.keyboard.type("Call on Tuesday mornings")
    tab_to(page, "el.textContent.trim() === 'Share as a link'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    shared_url = page.locator("#new-link-url").inner_text().strip()
    assert "/shortlist/s/" in shared_url

    page.goto(shared_url)
    html = page.content()
    assert "Ruth's Helping Hands" in html
    assert "Call on Tuesday mornings" in html
    assert "DBS check: checked by the council on" in html
    assert axe_violations(page) == []


def test_print_stylesheet_is_served(live_server, page, postcodes):
    provider = make_provider()
    response = page.goto(live_server.url + "/static/css/print.css")
    assert response.status == 200
    page.goto(live_server.url + provider.get_absolute_url())
    assert page.locator('link[rel="stylesheet"][media="print"]').count() == 1
