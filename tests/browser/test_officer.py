"""The officer's journey through the workbench in a real browser: sign in, the work queue, add a
listing with its four checks, publish it, find it in public search, let a check run out, see it
in the queue, suspend it with a reason, and read its history. The workbench's own pages pass axe."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider

from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Counted:
    """Counts what the officer does, for the effort of adding and publishing a listing."""

    def __init__(self, page):
        self.page, self.fields, self.clicks = page, 0, 0

    def fill(self, selector, value):
        self.fields += 1
        self.page.fill(selector, value)

    def select(self, selector, value):
        self.fields += 1
        self.page.select_option(selector, value)

    def check(self, label):
        self.fields += 1
        self.page.get_by_label(label, exact=True).check()

    def click(self, locator):
        self.clicks += 1
        locator.click()


def test_the_officers_journey(live_server, page, postcodes, staff_user):
    today = timezone.localdate()
    officer = Counted(page)
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "officer-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "Work queue"
    assert axe_violations(page) == []

    # Add a listing with its four checks, then publish it.
    officer.click(page.get_by_role("link", name="Add a listing"))
    officer.fill("#id_name", "Journey Home Help")
    officer.fill("#id_summary", "Cleaning and shopping in Chelmsford.")
    officer.select("#id_legal_form", "sole_trader")
    officer.fill("#id_workers", "1")
    officer.fill("#id_base_postcode", "CM1 1AE")
    officer.fill("#id_town", "Chelmsford")
    officer.check("Cleaning")
    officer.check("Older people")
    officer.fill("#id_checks-1-expires_on", (today + timedelta(days=200)).isoformat())
    officer.click(page.get_by_role("button", name="Save and continue editing"))
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    officer.click(page.get_by_role("link", name="Publish"))
    officer.fill("#id_reason", "All four checks seen today")
    officer.click(page.get_by_role("button", name="Change status"))
    assert "is now published" in page.locator(".messagelist").inner_text()
    print(
        f"\nAdd and publish a listing with four checks: {officer.fields} fields, {officer.clicks} clicks"
    )
    assert officer.fields <= 10 and officer.clicks <= 5
    listing = Provider.objects.get(name="Journey Home Help")
    assert listing.checks.filter(status="verified", verified_by=staff_user).count() == 4

    # The public finds it.
    page.goto(live_server.url + reverse("search:results") + "?postcode=CM1+1AE")
    assert page.get_by_role("link", name="Journey Home Help").is_visible()

    # Its insurance runs out: the queue shows it in its grace period.
    page.goto(live_server.url + reverse("admin:providers_provider_change", args=[listing.pk]))
    insurance = page.locator(
        "tr.form-row", has=page.locator("select[name$='-kind'] option[value='insurance'][selected]")
    )
    insurance.locator("input[name$='-verified_on']").fill((today - timedelta(days=400)).isoformat())
    insurance.locator("input[name$='-expires_on']").fill((today - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save and continue editing").click()
    page.locator(".messagelist").wait_for()
    page.goto(live_server.url + reverse("workbench:queue"))
    grace = page.locator(
        "section", has=page.get_by_role("heading", name="In their grace period: 1")
    )
    assert "Journey Home Help" in grace.inner_text()
    assert axe_violations(page) == []

    # Its entry says which check ran out and opens its renewal; suspend it instead, with a
    # reason, from the listing's staff page, and read its history there.
    assert "Public liability insurance" in grace.inner_text()
    grace.get_by_role("link", name=re.compile("Journey Home Help")).click()
    page.get_by_role("link", name="Back to the listing").click()
    page.get_by_role("link", name="Suspend with a reason").click()
    page.fill("#id_reason", "Insurance cancelled, the provider told us")
    page.get_by_role("button", name="Suspend").click()
    page.wait_for_url("**/staff/")
    assert "is suspended" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(live_server.url + reverse("workbench:listing", args=[listing.pk]))
    history = page.locator("#audit-timeline ~ ol").inner_text()
    assert "officer changed" in history
    assert "Published → Suspended" in history
    assert "Why: Insurance cancelled, the provider told us" in history
    page.goto(live_server.url + reverse("search:results") + "?postcode=CM1+1AE")
    assert "Journey Home Help" not in page.content()


def test_programme_figures_pass_axe(live_server, page, postcodes, staff_user):
    page.goto(live_server.url + "/admin/login/?next=/staff/figures/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "officer-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/figures/")
    assert page.get_by_role("heading", level=1).inner_text() == "Programme figures"
    assert axe_violations(page) == []
