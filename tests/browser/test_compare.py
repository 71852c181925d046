"""The compare page in Chromium: axe at a phone's and a desktop's width, no sideways page scroll
at 320 px, the table read by its headers, keyboard only from the shortlist, without JavaScript,
and on paper."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider, Service

from ..factories import add_check, make_provider
from .conftest import axe_violations, tab_to
from .test_shortlist import add_by_post

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INDEX = reverse("shortlist:index")
COMPARE = reverse("shortlist:compare")
NAMES = ["Ruth's Helping Hands", "Registered Home Care Partnership Ltd", "Green Fingers"]


@pytest.fixture
def listings(postcodes):
    today = timezone.localdate()
    ruth = make_provider(
        name=NAMES[0],
        website="https://ruths-helping-hands-with-a-long-address.example.org/about-us",
        email="ruth.helping.hands.bookings@a-long-domain-name.example.org",
        accepts_direct_payments=True,
        hourly_rate_min=17,
    )
    add_check(ruth, "terms", status="awaiting")
    registered = make_provider(
        name=NAMES[1],
        legal_form=Provider.LegalForm.LIMITED_COMPANY,
        workers=5,
        registered="1-123456789",
        available_weekends=True,
        languages="English, Polish, Welsh",
        welsh_spoken=True,
    )
    garden = make_provider(
        name=NAMES[2], services=Service.objects.filter(slug="gardening"), is_free=True
    )
    add_check(
        garden,
        "insurance",
        verified_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    return ruth, registered, garden


def shortlisted(live_server, page, listings):
    for provider in listings:
        add_by_post(live_server, page, provider)


def page_scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("width", [320, 1280])
def test_compare_has_no_wcag_violations_and_no_sideways_page_scroll(
    live_server, page, listings, width
):
    page.set_viewport_size({"width": width, "height": 900})
    shortlisted(live_server, page, listings)
    page.goto(live_server.url + COMPARE)
    assert page.get_by_role("heading", level=1).inner_text() == "Compare your shortlist"
    table = page.get_by_role("table", name="3 providers side by side")
    assert table.is_visible()
    assert not page_scrolls_sideways(page)
    assert axe_violations(page) == []
    # Screen readers still find the providers' names as column headers on either layout.
    headers = page.get_by_role("columnheader").all_inner_texts()
    assert [name.strip() for name in headers] == NAMES
    assert page.get_by_role("rowheader", name="Direct Payments").count() == 1
    cell = page.get_by_role("row", name="Cost").get_by_role("cell").first
    assert cell.is_visible()
    if width == 320:
        # Each row is a box with each provider's name over its answer, one under another.
        names = page.locator(".app-compare__name:visible")
        assert names.count() > 3
        first, second = (
            page.get_by_role("row", name="Cost").get_by_role("cell").nth(i) for i in (0, 1)
        )
        assert first.bounding_box()["y"] < second.bounding_box()["y"]
    else:
        assert page.locator(".app-compare__name:visible").count() == 0


def test_many_providers_scroll_inside_the_table_not_the_page(live_server, page, postcodes):
    page.set_viewport_size({"width": 1280, "height": 900})
    for number in range(8):
        add_by_post(live_server, page, make_provider(name=f"Helper number {number}"))
    page.goto(live_server.url + COMPARE)
    region = page.get_by_role("region", name="8 providers side by side")
    assert page.evaluate("el => el.scrollWidth > el.clientWidth", region.element_handle())
    assert not page_scrolls_sideways(page)
    assert axe_violations(page) == []
    # The region scrolls from the keyboard: focus it, then the arrow keys move it.
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)


def test_keyboard_only_from_the_shortlist_to_compare_and_back(live_server, page, listings):
    shortlisted(live_server, page, listings)
    page.goto(live_server.url + INDEX)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    tab_to(page, "el.textContent.trim() === 'Compare them side by side'")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + COMPARE)
    # The table's region is a tab stop, with a visible focus style; then the providers' links.
    tab_to(page, "el.classList.contains('app-compare')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == NAMES[0]
    tab_to(
        page,
        "el.textContent.trim() === 'Back to your shortlist' && !el.classList.contains('govuk-back-link')",
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**" + INDEX)


def test_without_javascript_it_reads_the_same(live_server, page_without_js, listings):
    page = page_without_js
    page.set_viewport_size({"width": 320, "height": 800})
    shortlisted(live_server, page, listings)
    page.goto(live_server.url + COMPARE)
    assert page.get_by_role("table", name="3 providers side by side").is_visible()
    assert page.get_by_role("button", name="Print or save as PDF").count() == 0
    assert page.get_by_text("press Ctrl and P").is_visible()
    assert not page_scrolls_sideways(page)
    assert (
        page.get_by_role("row", name="Direct Payments")
        .get_by_role("cell")
        .first.inner_text()
        .endswith("Accepts Direct Payments")
    )


def test_print_shows_the_whole_table_without_the_page_furniture(live_server, page, listings):
    shortlisted(live_server, page, listings)
    page.goto(live_server.url + COMPARE)
    page.emulate_media(media="print")
    assert page.get_by_role("columnheader", name=NAMES[0]).is_visible()
    assert page.get_by_text("Printed on").is_visible()
    assert not page.locator(".govuk-back-link").is_visible()
    assert not page.get_by_text("press Ctrl and P").is_visible()
    assert not page.locator(".app-compare__name").first.is_visible()
    overflow = page.evaluate("getComputedStyle(document.querySelector('.app-compare')).overflowX")
    assert overflow == "visible"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_the_shared_compare_page_has_no_wcag_violations(live_server, page, listings):
    from shortlist.services import shared_shortlist_create

    shared = shared_shortlist_create(
        entries=[{"id": p.pk, "note": "Ask about weekends"} for p in listings]
    )
    page.set_viewport_size({"width": 320, "height": 900})
    response = page.goto(live_server.url + reverse("shortlist:shared-compare", args=[shared.token]))
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert page.get_by_role("rowheader", name="Note").is_visible()
    assert not page_scrolls_sideways(page)
    assert axe_violations(page) == []


# Emailing the shortlist, from the same page ------------------------------------------------------


def test_keyboard_only_email_the_shortlist(live_server, page, listings):
    from django.core import mail

    shortlisted(live_server, page, listings)
    page.goto(live_server.url + INDEX)
    tab_to(page, "el.textContent.trim() === 'Email your shortlist'")
    page.keyboard.press("Enter")
    tab_to(page, "el.id === 'send-email'")
    page.keyboard.type("not an address")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # sends this small form, not the notes form above it
    assert page.title().startswith("Error: ")
    assert (
        "Enter an email address in the right format"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert axe_violations(page) == []

    page.get_by_label("Email address").fill("worker@example.org")
    page.get_by_label("Your name or team (optional)").focus()
    page.keyboard.type("West team")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Email shortlist"
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("shortlist:emailed"))
    assert page.get_by_role("heading", level=1).inner_text() == "We are sending your shortlist"
    assert "worker@example.org" in page.locator(".govuk-panel").inner_text()
    assert axe_violations(page) == []
    (message,) = mail.outbox
    assert message.to == ["worker@example.org"]
    assert message.body.startswith("Sent by West team.")
    for name in NAMES:
        assert name in message.body


def test_email_form_at_320_has_no_wcag_violations(live_server, page, listings):
    page.set_viewport_size({"width": 320, "height": 900})
    shortlisted(live_server, page, listings)
    page.goto(live_server.url + INDEX + "#email-heading")
    assert page.get_by_label("Email address").is_visible()
    assert not page_scrolls_sideways(page)
    assert axe_violations(page) == []
