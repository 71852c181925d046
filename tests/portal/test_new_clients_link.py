"""The "taking new clients" links: one answer for one listing, once, for a while; opening one
changes nothing (mail scanners), only its Confirm button does; bad links get a plain page."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxEmail
from portal.services import new_clients_emails_queue
from portal.tokens import NEW_CLIENTS_SALT, new_clients_token
from providers.models import Provider
from providers.services import provider_new_clients_set

from ..factories import make_provider

ASK = reverse("portal:new-clients-ask")
LINK = re.compile(r"https?://[^/\s]+(/(?:cy/)?for-providers/new-clients/[^\s/]+/)")


def link_for(provider, answer):
    return reverse("portal:new-clients-link", args=[new_clients_token(provider, answer)])


def emailed_links(address):
    """The three links in the last email to this address, as the mail server got them."""
    body = [message for message in mail.outbox if message.to == [address]][-1].body
    return LINK.findall(body)


def test_opening_a_link_changes_nothing_and_confirm_records_it(client, provider_a):
    path = link_for(provider_a, "taking")
    provider_a.refresh_from_db()
    version = provider_a.version
    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm: Taking new clients" in html and 'method="post"' in html
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    client.head(path)
    provider_a.refresh_from_db()
    assert provider_a.new_clients == "" and provider_a.version == version

    done = client.post(path)
    assert done.status_code == 200
    assert "Alpha Care now shows: Taking new clients" in done.content.decode()
    provider_a.refresh_from_db()
    assert provider_a.new_clients == "taking"
    assert provider_a.new_clients_via == "link"
    assert provider_a.version > version  # searches and cards see it at once
    assert "_auth_user_id" not in client.session  # it signs nobody in
    entry = LogEntry.objects.get_for_object(provider_a).latest("timestamp")
    assert "new_clients" in entry.changes_dict  # audited


def test_a_link_works_once(client, provider_a):
    taking, full = link_for(provider_a, "taking"), link_for(provider_a, "full")
    assert client.post(taking).status_code == 200
    again = client.post(taking)
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()
    assert "Alpha Care now shows: Taking new clients" in again.content.decode()
    assert client.get(full).status_code == 410  # made before the answer changed: used up too
    assert client.post(full).status_code == 410
    provider_a.refresh_from_db()
    assert provider_a.new_clients == "taking"


def test_a_link_runs_out(client, provider_a, settings):
    path = link_for(provider_a, "waiting_list")
    later = timezone.now() + timedelta(days=settings.NEW_CLIENTS_LINK_DAYS, seconds=5)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 410
            assert "This link has run out" in response.content.decode()
    provider_a.refresh_from_db()
    assert provider_a.new_clients == ""


def test_a_link_does_only_its_one_thing(client, provider_a, provider_b):
    """It names one listing and one answer; nothing in the request can change either."""
    path = link_for(provider_a, "full")
    client.post(path, {"new_clients": "taking", "provider": provider_b.pk, "pk": provider_b.pk})
    provider_a.refresh_from_db()
    provider_b.refresh_from_db()
    assert provider_a.new_clients == "full"
    assert provider_b.new_clients == ""
    # Nor does it open the provider's own page.
    assert client.get(reverse("portal:listing")).status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("a" if token[-1] != "a" else "b"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),
        lambda token: "x" * 500,
        lambda token: "<script>alert(1)</script>",
        lambda token: "%00",
        # Well signed, but with another purpose's key, or an answer that does not exist.
        lambda token: signing.dumps({"p": 1, "s": 1, "c": 0}, salt="portal.tokens.other"),
        lambda token: signing.dumps({"p": 1, "s": 7, "c": 0}, salt=NEW_CLIENTS_SALT),
        lambda token: signing.dumps({"p": "x", "s": 1, "c": 0}, salt=NEW_CLIENTS_SALT),
        lambda token: signing.dumps([1, 2], salt=NEW_CLIENTS_SALT),
        lambda token: signing.dumps({"p": 99999999, "s": 1, "c": 0}, salt=NEW_CLIENTS_SALT),
    ],
)
def test_tampered_links_get_a_plain_page(client, provider_a, tamper):
    token = tamper(new_clients_token(provider_a, "taking"))
    path = f"/for-providers/new-clients/{token}/"
    for response in (client.get(path), client.post(path)):
        assert response.status_code in (400, 404)
        if response.status_code == 400:
            assert "This link does not work" in response.content.decode()
    provider_a.refresh_from_db()
    assert provider_a.new_clients == ""


def test_the_monthly_email_carries_three_links_made_when_sent(
    client, provider_a, provider_b, today
):
    provider_new_clients_set(provider=provider_b, new_clients="taking", via="account")
    queued = new_clients_emails_queue(today=today)
    assert [email.to for email in queued] == ["alpha@example.org"]  # bravo confirmed just now
    assert new_clients_emails_queue(today=today) == []  # once a month
    stored = OutboxEmail.objects.get(to="alpha@example.org")
    assert "new-clients/" not in stored.body  # only markers are kept, never a link
    from core.outbox import outbox_send

    assert outbox_send() == 1
    links = emailed_links("alpha@example.org")
    assert len(links) == 3
    assert client.post(links[1]).status_code == 200  # waiting list
    provider_a.refresh_from_db()
    assert provider_a.new_clients == "waiting_list"


def test_the_monthly_email_asks_again_after_a_month(provider_a, today):
    long_ago = timezone.now() - timedelta(days=31)
    provider_new_clients_set(provider=provider_a, new_clients="full", via="link", now=long_ago)
    assert len(new_clients_emails_queue(today=today)) == 1


def test_links_on_request_by_email_address(client, provider_a):
    response = client.post(ASK, {"email": "ALPHA@example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert len(emailed_links("alpha@example.org")) == 3
    unknown = client.post(ASK, {"email": "nobody@example.org"}).content.decode()
    assert unknown.replace("nobody@example.org", "X") == response.content.decode().replace(
        "ALPHA@example.org", "X"
    ).replace("alpha@example.org", "X")
    assert not OutboxEmail.objects.filter(to="nobody@example.org").exists()


@pytest.mark.parametrize("email", ["", "not an email", "a" * 300 + "@example.org"])
def test_asking_with_a_bad_address_gets_a_plain_message(client, db, email):
    response = client.post(ASK, {"email": email})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_a_deleted_listing_link_is_refused(client, postcodes):
    provider = make_provider(name="Gone Soon")
    path = link_for(provider, "taking")
    Provider.objects.filter(pk=provider.pk).delete()
    assert client.post(path).status_code == 400


def test_the_daily_run_asks_each_month(postcodes, provider_a, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("daily", stdout=StringIO())
    call_command("daily", stdout=StringIO())  # the same month again: nothing new
    asked = [m for m in mail.outbox if m.to == ["alpha@example.org"] and "new clients" in m.subject]
    assert len(asked) == 1
    assert len(LINK.findall(asked[0].body)) == 3


def test_a_link_never_reaches_the_logs(provider_a):
    from core.logging import redact

    path = link_for(provider_a, "taking")
    assert redact(f"Gone: {path}") == "Gone: /for-providers/new-clients/…/"
    assert redact("GET /for-providers/new-clients/ 200") == "GET /for-providers/new-clients/ 200"
