"""The shortlist in Chromium: axe on every page, keyboard only, without JavaScript, and print."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shortlist.models import SharedShortlist
from shortlist.services import shared_shortlist_create, shared_shortlist_revoke

from ..factories import add_basic_checks, add_check, make_provider
from .conftest import axe_violations, tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INDEX = reverse("shortlist:index")


@pytest.fixture
def listings(postcodes):
    ruth = make_provider(
        name="Ruth's Helping Hands", coverage_radius_miles=10, website="https://ruth.example"
    )
    add_basic_checks(ruth)
    add_check(ruth, "terms", status="awaiting")
    garden = make_provider(name="Green Fingers Garden Help", phone="01632 960002")
    add_check(garden, "terms", status="awaiting")
    return ruth, garden


def csrf_token(live_server, page):
    """A CSRF cookie from a page that renders a form, as any browser would get one."""
    page.goto(live_server.url + reverse("admin:login"))
    name = settings.CSRF_COOKIE_NAME  # __Host-csrftoken: Secure, and localhost counts as secure
    return next(c["value"] for c in page.context.cookies() if c["name"] == name)


def add_by_post(live_server, page, provider):
    """POST to shortlist:add with the page's own cookies (the profile has no button yet)."""
    token = csrf_token(live_server, page)
    response = page.request.post(
        live_server.url + reverse("shortlist:add"),
        form={"csrfmiddlewaretoken": token, "provider": str(provider.pk), "next": INDEX},
        headers={"Referer": live_server.url + provider.get_absolute_url()},
    )
    assert response.ok, response.status


def test_empty_shortlist_has_no_wcag_violations(live_server, page, db):
    page.goto(live_server.url + INDEX)
    assert page.get_by_role("heading", level=1).inner_text() == "Your shortlist"
    assert page.get_by_text("Your shortlist is empty").is_visible()
    assert axe_violations(page) == []


def test_shortlist_with_providers_has_no_wcag_violations(live_server, page, listings):
    for provider in listings:
        add_by_post(live_server, page, provider)
    page.goto(live_server.url + INDEX)
    assert page.locator(".app-shortlist-item h2").all_inner_texts() == [
        "Ruth's Helping Hands",
        "Green Fingers Garden Help",
    ]
    assert axe_violations(page) == []
    # With JavaScript a real print button appears; the character count is running.
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()


def test_shortlist_with_errors_has_no_wcag_violations(live_server, page, listings):
    add_by_post(live_server, page, listings[0])
    page.goto(live_server.url + INDEX)
    page.get_by_label("Your note about Ruth's Helping Hands").fill("x" * 501)
    page.get_by_role("button", name="Save notes").click()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []


def test_keyboard_only_add_note_share_and_open(live_server, page, listings):
    ruth, garden = listings
    add_by_post(live_server, page, ruth)
    add_by_post(live_server, page, garden)
    page.goto(live_server.url + INDEX)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    tab_to(page, f"el.id === 'note-{ruth.pk}'")
    page.keyboard.type("Call on Tuesday mornings")
    tab_to(page, "el.textContent.trim() === 'Share as a link'")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + INDEX)

    banner = page.locator(".govuk-notification-banner--success")
    assert "Your link is ready" in banner.inner_text()
    shared = SharedShortlist.objects.get()
    url = live_server.url + shared.get_absolute_url()
    assert page.locator("#new-link-url").inner_text() == url
    assert page.locator(f"#note-{ruth.pk}").input_value() == "Call on Tuesday mornings"

    tab_to(page, "el.textContent.trim() === 'Open the shared page'")
    page.keyboard.press("Enter")
    page.wait_for_url(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Shortlist of care and support"
    assert page.locator(".app-shortlist-item h2").all_inner_texts() == [
        "Ruth's Helping Hands",
        "Green Fingers Garden Help",
    ]
    assert "Call on Tuesday mornings" in page.locator(".app-shortlist-note").inner_text()
    assert axe_violations(page) == []


def test_without_javascript_reorder_note_remove_and_share(live_server, page_without_js, listings):
    page = page_without_js
    ruth, garden = listings
    for provider in listings:
        add_by_post(live_server, page, provider)
    page.goto(live_server.url + INDEX)
    # No print button without JavaScript, just the instructions.
    assert page.get_by_role("button", name="Print or save as PDF").count() == 0
    assert page.get_by_text("press Ctrl and P").is_visible()

    page.get_by_label("Your note about Green Fingers Garden Help").fill("Ask about hedges")
    button = page.get_by_role("button", name="Move up Green Fingers Garden Help")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".app-shortlist-item h2").all_inner_texts() == [
        "Green Fingers Garden Help",
        "Ruth's Helping Hands",
    ]
    assert (
        "Moved Green Fingers Garden Help up"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert page.locator(f"#note-{garden.pk}").input_value() == "Ask about hedges"

    page.get_by_role("button", name="Remove Ruth's Helping Hands").click()
    assert page.locator(".app-shortlist-item h2").all_inner_texts() == ["Green Fingers Garden Help"]

    page.get_by_role("button", name="Share as a link").click()
    link = page.locator("#new-link-url").inner_text()
    page.goto(link)
    assert "Ask about hedges" in page.locator("main").inner_text()
    assert "Ruth's Helping Hands" not in page.locator("main").inner_text()


def test_print_leaves_out_buttons_and_forms(live_server, page, listings):
    ruth, _ = listings
    add_by_post(live_server, page, ruth)
    page.goto(live_server.url + INDEX)
    page.get_by_label("Your note about Ruth's Helping Hands").fill("Ring after 10")
    page.get_by_role("button", name="Save notes").click()
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="Ruth's Helping Hands").is_visible()
    assert page.get_by_text("01632 960001").is_visible()
    assert page.get_by_text("Your note: Ring after 10").is_visible()  # printed as text
    assert not page.locator(f"#note-{ruth.pk}").is_visible()
    assert not page.get_by_role("button", name="Save notes").is_visible()
    assert not page.get_by_role("button", name="Share as a link").is_visible()
    assert not page.locator(".govuk-footer__inline-list").is_visible()
    assert not page.locator(".govuk-notification-banner").first.is_visible()
    page.emulate_media(media="screen")
    assert not page.get_by_text("Your note: Ring after 10").is_visible()


def test_shared_page_has_no_wcag_violations(live_server, page, listings):
    ruth, garden = listings
    shared = shared_shortlist_create(
        entries=[{"id": ruth.pk, "note": "Call on Tuesday mornings"}, {"id": garden.pk, "note": ""}]
    )
    garden.status = "suspended"
    garden.save()
    response = page.goto(live_server.url + shared.get_absolute_url())
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert page.get_by_role("heading", name="No longer listed").is_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_gone_shared_pages_have_no_wcag_violations(live_server, page, listings, state):
    shared = shared_shortlist_create(entries=[{"id": listings[0].pk, "note": "secret"}])
    if state == "expired":
        SharedShortlist.objects.filter(pk=shared.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
    elif state == "revoked":
        shared_shortlist_revoke(shared=shared)
    else:
        shared.token = "A" * 43
    response = page.goto(live_server.url + shared.get_absolute_url())
    assert response.status == (404 if state == "unknown" else 410)
    assert "Ruth's Helping Hands" not in page.content()
    assert "secret" not in page.content()
    assert axe_violations(page) == []
