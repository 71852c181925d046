"""A provider answers the monthly question from the text message, in 2 actions (open its one
link, press the answer's Confirm button), with no sign-in; the page of three answers passes axe
and works without JavaScript. The text goes through the real Notify client to a local
server standing in for GOV.UK Notify."""

import json
import re

import pytest

from core.outbox import outbox_send
from portal.services import new_clients_emails_queue
from providers.models import Provider

from ..factories import make_provider
from ..notify import API_KEY, TEXT_TEMPLATE, created
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = re.compile(r"(https?://\S+/for-providers/new-clients/[^\s/]+/)")


def texted_link(httpserver, settings, base):
    """Queue and send the monthly question as the daily run does; the link in the text."""
    settings.SITE_URL = base
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = TEXT_TEMPLATE
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v2/notifications/sms", method="POST").respond_with_json(
        created(httpserver, "sms", body="b", from_number="COUNCIL"), status=201
    )
    make_provider(name="Ruth's Helping Hands", email="ruth@example.org", phone="07700 900123")
    new_clients_emails_queue()
    outbox_send()
    [(request, _response)] = [e for e in httpserver.log if e[0].path.endswith("/sms")]
    [link] = LINK.findall(json.loads(request.get_data())["personalisation"]["body"])
    return link


def test_a_provider_answers_from_the_text_in_two_actions(
    live_server, page, postcodes, settings, httpserver
):
    link = texted_link(httpserver, settings, live_server.url)
    actions = 0
    page.goto(link)  # 1: open the link in the text
    actions += 1
    assert page.get_by_role("heading", level=1).inner_text() == "Are you taking new clients?"
    assert axe_violations(page) == []
    assert Provider.objects.get().new_clients == ""  # opening it changed nothing
    page.get_by_role("button", name="Confirm: Waiting list").click()  # 2: the answer's Confirm
    actions += 1
    assert "now shows: Waiting list" in page.locator(".govuk-panel").inner_text()
    print(f"\nAnswering from the text: {actions} actions")
    assert actions == 2
    assert Provider.objects.get().new_clients == "waiting_list"

    page.goto(link)  # used now
    assert page.get_by_role("heading", level=1).inner_text() == "This link has already been used"


def test_the_page_of_answers_works_without_javascript(
    live_server, page_without_js, postcodes, settings, httpserver
):
    link = texted_link(httpserver, settings, live_server.url)
    page = page_without_js
    page.goto(link)
    page.get_by_role("button", name="Confirm: Not taking new clients").click()
    assert "now shows: Not taking new clients" in page.locator(".govuk-panel").inner_text()
    assert Provider.objects.get().new_clients == "full"
