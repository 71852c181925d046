"""The registers in a real browser: the profile's 'Checked against the CQC register' line and the
officer's register panel and CIW form pass axe, and the panel works by keyboard without
JavaScript."""

import pytest
from django.utils import timezone

from providers.models import Service
from registers.models import RegisterRecord

from ..factories import make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def registered(name="Alpha Care", base="CM1 1RW", reference="1-101"):
    return make_provider(
        name=name,
        base_postcode=base,
        legal_form="partnership",
        workers=3,
        services=Service.objects.filter(slug="washing-and-bathing"),
        registered=reference,
    )


def record(provider, **fields):
    now = timezone.now()
    defaults = {
        "kind": "cqc",
        "register_id": "1-101",
        "status": "Registered",
        "postcode": "CM1 1AF",
        "service_types": ["Homecare agencies"],
        "regulated_activities": ["Personal care"],
        "outcome": "confirmed",
        "checked_at": now,
        "answered_at": now,
        "last_confirmed_at": now,
        "outcome_changed_at": now,
    }
    return RegisterRecord.objects.create(provider=provider, **(defaults | fields))


def sign_in(page, live_server, next_):
    page.goto(f"{live_server.url}/admin/login/?next={next_}")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "officer-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_}")


def test_the_profile_says_when_the_register_confirmed_it(live_server, page, postcodes):
    listing = registered()
    record(listing)
    page.goto(live_server.url + listing.get_absolute_url())
    checks = page.locator("#checks").inner_text()
    assert f"Checked against the CQC register on {timezone.localdate():%-d %B %Y}." in checks
    assert "Contains CQC information licensed under the Open Government Licence v3.0." in checks
    assert axe_violations(page) == []


def test_the_panel_by_keyboard_without_javascript(
    live_server, page, page_without_js, postcodes, staff_user
):
    listing = registered()
    record(
        listing,
        postcode="CO1 1AA",
        outcome="differs",
        last_confirmed_at=None,
        differences=[
            "The register's postcode, CO1 1AA, is in CO1, not the listing's district CM1."
        ],
    )
    url = f"/staff/listings/{listing.pk}/"
    sign_in(page, live_server, url)
    panel = page.locator("#register-panel")
    assert "is in CO1, not the listing's district CM1." in panel.inner_text()
    assert axe_violations(page) == []  # axe needs JavaScript; the rest does without
    page = page_without_js
    sign_in(page, live_server, url)
    page.get_by_label("What you decided (optional)").focus()
    page.keyboard.type("Their office is in Colchester.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("I have looked at this")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    text = page.locator("#register-panel").inner_text()
    assert "Looked at by officer" in text and "Their office is in Colchester." in text
    assert "I have looked at this" not in text


def test_recording_what_ciw_shows(live_server, page, postcodes, staff_user):
    listing = registered(name="Gofal Da", base="CH7 1DA", reference="SIN-00012345")
    url = f"/staff/listings/{listing.pk}/"
    sign_in(page, live_server, url)
    page.locator("#register-panel").get_by_role("link", name="record what you saw").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record it").click()
    assert "Choose what the register says" in page.locator(".govuk-error-summary").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Registered", exact=True).check()
    page.get_by_role("button", name="Record it").click()
    page.wait_for_url(f"**{url}**")
    assert (
        "Last recorded: Registered (SIN-00012345)" in page.locator("#register-panel").inner_text()
    )
