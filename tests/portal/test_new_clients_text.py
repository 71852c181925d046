"""The monthly "taking new clients" question through GOV.UK Notify: by email through the council's
template, and by text message to a listing's UK mobile with one link to a page of the three
answers. The real notifications-python-client talks to a local server answering as Notify does;
the outbox keeps each message (never its link) and tries again when Notify refuses."""

import json
import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from core.models import OutboxEmail
from core.outbox import outbox_send, shown_body
from portal.services import new_clients_emails_queue
from providers.models import Provider
from providers.services import provider_new_clients_set

from ..factories import make_provider
from ..notify import API_KEY, EMAIL_TEMPLATE, TEXT_TEMPLATE, council_uses_notify, created

LINK = re.compile(r"https?://[^/\s]+(/(?:cy/)?for-providers/new-clients/[^\s/]+/)")


@pytest.fixture
def notify(httpserver, settings):
    """A council that sends email and texts through Notify (here, the local server)."""
    council_uses_notify(settings, httpserver)
    for kind, content in (
        ("email", {"subject": "s", "body": "b", "from_email": "care@council.test"}),
        ("sms", {"body": "b", "from_number": "COUNCIL"}),
    ):
        httpserver.expect_request(f"/v2/notifications/{kind}", method="POST").respond_with_json(
            created(httpserver, kind, **content), status=201
        )
    return httpserver


def received(httpserver, kind):
    """What Notify was sent on /v2/notifications/<kind>, in order."""
    return [
        json.loads(request.get_data())
        for request, _response in httpserver.log
        if request.path == f"/v2/notifications/{kind}"
    ]


@pytest.fixture
def mobile_listing(postcodes):
    return make_provider(name="Mobile Care", phone="07700 900123", email="mobile@example.org")


def test_the_monthly_question_goes_by_notify_email_and_text(
    client, notify, mobile_listing, postcodes, today
):
    landline = make_provider(name="Landline Care", base_postcode="CM2 8QB", email="l@example.org")
    queued = new_clients_emails_queue(today=today)
    assert sorted((message.channel, message.to) for message in queued) == [
        ("email", "l@example.org"),
        ("email", "mobile@example.org"),
        ("text", "07700900123"),  # the landline gets no text
    ]
    assert new_clients_emails_queue(today=today) == []  # once a month, text and email alike
    text = OutboxEmail.objects.get(channel="text")
    assert "new-clients/" not in text.body  # a marker only: the link is made when it is sent
    assert "(a one-time link" in shown_body(text)

    assert outbox_send() == 3
    [email] = [e for e in received(notify, "email") if e["email_address"] == "mobile@example.org"]
    assert email["template_id"] == EMAIL_TEMPLATE
    assert "new clients" in email["personalisation"]["subject"]
    assert len(LINK.findall(email["personalisation"]["body"])) == 3
    [sms] = received(notify, "sms")
    assert sms["phone_number"] == "07700900123" and sms["template_id"] == TEXT_TEMPLATE
    body = sms["personalisation"]["body"]
    assert "is Mobile Care taking new clients?" in body
    assert len(body) < 306  # two text fragments at most
    [path] = LINK.findall(body)
    assert client.get(path).status_code == 200
    landline.refresh_from_db()
    assert landline.new_clients == ""


def test_the_texts_link_shows_three_answers_and_only_a_confirm_records_one(
    client, notify, mobile_listing, today
):
    new_clients_emails_queue(today=today)
    outbox_send()
    [path] = LINK.findall(received(notify, "sms")[0]["personalisation"]["body"])
    version = Provider.objects.get(pk=mobile_listing.pk).version

    page = client.get(path)  # a link checker or preview opening it
    client.head(path)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Taking new clients", "Waiting list", "Not taking new clients"):
        assert f"Confirm: {label}" in html
    assert html.count('name="new_clients"') == 3 and 'method="post"' in html
    assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]
    mobile_listing.refresh_from_db()
    assert mobile_listing.new_clients == "" and mobile_listing.version == version

    for nonsense in ({}, {"new_clients": "maybe"}):  # no answer, or not one of the three
        refused = client.post(path, nonsense)
        assert refused.status_code == 400
        assert "Choose an answer" in refused.content.decode()
    mobile_listing.refresh_from_db()
    assert mobile_listing.new_clients == ""

    done = client.post(path, {"new_clients": "waiting_list"})
    assert done.status_code == 200
    assert "Mobile Care now shows: Waiting list" in done.content.decode()
    mobile_listing.refresh_from_db()
    assert mobile_listing.new_clients == "waiting_list"
    assert mobile_listing.new_clients_via == "link"
    assert mobile_listing.version > version
    assert "_auth_user_id" not in client.session
    assert (
        "new_clients"
        in LogEntry.objects.get_for_object(mobile_listing).latest("timestamp").changes_dict
    )

    again = client.post(path, {"new_clients": "full"})  # it works once
    assert again.status_code == 410
    mobile_listing.refresh_from_db()
    assert mobile_listing.new_clients == "waiting_list"


def test_the_texts_link_runs_out(client, notify, mobile_listing, today, settings):
    new_clients_emails_queue(today=today)
    outbox_send()
    [path] = LINK.findall(received(notify, "sms")[0]["personalisation"]["body"])
    later = timezone.now() + timedelta(days=settings.NEW_CLIENTS_LINK_DAYS, seconds=5)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(path).status_code == 410
        assert client.post(path, {"new_clients": "taking"}).status_code == 410
    mobile_listing.refresh_from_db()
    assert mobile_listing.new_clients == ""


def test_a_text_notify_refuses_waits_in_the_outbox_and_its_link_stays_out_of_the_logs(
    httpserver, settings, mobile_listing, today, caplog
):
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_SMS_TEMPLATE_ID = TEXT_TEMPLATE
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v2/notifications/sms", method="POST").respond_with_json(
        {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal error"}]},
        status=500,
    )
    new_clients_emails_queue(today=today)
    with caplog.at_level(logging.DEBUG):
        outbox_send()
    text = OutboxEmail.objects.get(channel="text")
    assert text.sent_at is None and text.attempts == 1 and "answered 500" in text.last_error
    [(request, _response)] = httpserver.log
    assert LINK.search(json.loads(request.get_data())["personalisation"]["body"])
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Could not send email" in logged
    assert "new-clients/" not in logged and "new-clients/" not in text.last_error
    assert "07700900123" not in logged


def test_no_text_without_notifys_text_template(notify, settings, mobile_listing, today):
    settings.NOTIFY_SMS_TEMPLATE_ID = ""
    assert [m.channel for m in new_clients_emails_queue(today=today)] == ["email"]
    settings.NOTIFY_SMS_TEMPLATE_ID, settings.NOTIFY_API_KEY = TEXT_TEMPLATE, ""
    provider_new_clients_set(
        provider=mobile_listing, new_clients="full", via="link", now=timezone.now() - timedelta(60)
    )
    assert new_clients_emails_queue(today=today + timedelta(days=40)) != []
    assert not OutboxEmail.objects.filter(channel="text").exists()
