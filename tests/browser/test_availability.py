"""A provider says they are taking new clients from the monthly email, in 2 actions (open the link,
press Confirm), with no sign-in, and the public card changes at once; the confirm page passes axe
and works without JavaScript."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.outbox import outbox_send
from portal.services import new_clients_emails_queue
from providers.models import Provider

from ..factories import make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = re.compile(r"(https?://\S+/for-providers/new-clients/[^\s/]+/)")


def emailed_links(settings, base):
    """Queue and send the monthly email as the daily run does; the three links in it."""
    settings.SITE_URL = base
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    new_clients_emails_queue()
    outbox_send()
    (email,) = [m for m in mail.outbox if m.to == ["ruth@example.org"]]
    return LINK.findall(email.body)


def card_words(page, base):
    page.goto(base + reverse("search:results") + "?postcode=CM1+1AE")
    return (
        page.locator(".app-result", has_text="Ruth's Helping Hands")
        .locator(".app-new-clients-tag")
        .inner_text()
    )


def test_a_provider_confirms_from_the_email_in_two_actions(live_server, page, postcodes, settings):
    base = live_server.url
    make_provider(name="Ruth's Helping Hands", email="ruth@example.org")
    assert card_words(page, base) == "Not confirmed recently"
    taking, _waiting, _full = emailed_links(settings, base)

    actions = 0
    page.goto(taking)  # 1: open the link from the email
    actions += 1
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm: Taking new clients"
    assert axe_violations(page) == []
    assert Provider.objects.get().new_clients == ""  # opening it changed nothing
    page.get_by_role("button", name="Confirm").click()  # 2: confirm
    actions += 1
    assert "now shows: Taking new clients" in page.locator(".govuk-panel").inner_text()
    assert axe_violations(page) == []
    print(f"\nConfirming from the email: {actions} actions")
    assert actions == 2

    assert card_words(page, base) == "Taking new clients"
    said = page.locator(".app-result", has_text="Ruth's Helping Hands").locator(
        ".app-new-clients-said"
    )
    assert said.inner_text().startswith("The provider told us on")

    page.goto(taking)  # used now: a plain page, and the answer stays
    assert page.get_by_role("heading", level=1).inner_text() == "This link has already been used"
    assert axe_violations(page) == []


def test_the_confirm_page_works_without_javascript(
    live_server, page_without_js, postcodes, settings
):
    base = live_server.url
    make_provider(name="Ruth's Helping Hands", email="ruth@example.org")
    _taking, waiting, _full = emailed_links(settings, base)
    page_without_js.goto(waiting)
    page_without_js.get_by_role("button", name="Confirm").click()
    assert "now shows: Waiting list" in page_without_js.locator(".govuk-panel").inner_text()
    assert Provider.objects.get().new_clients == "waiting_list"
