"""Emailing a shortlist: queued in the outbox and sent after the response, the listings' public
details and nothing private, limits per client and per address, and plain answers to bad input."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxEmail, RateCount
from providers.models import Provider, Service
from shortlist.services import EMAILS_PER_ADDRESS, EMAILS_PER_CLIENT, email_address_key

from ..factories import add_check, make_provider
from .conftest import INDEX, add, html

EMAIL = reverse("shortlist:email")
EMAILED = reverse("shortlist:emailed")
NOTE = "PRIVATE-VISITOR-NOTE about mum"


@pytest.fixture
def listed(client, providers):
    """Alpha (registered, with Direct Payments) and Bravo (a gardener) on the shortlist, with a
    note on Alpha and a shared link made, so both are there to leak if anything did."""
    alpha, bravo, _ = providers
    add_check(alpha, "registration", reference="1-987654321")
    Provider.objects.filter(pk=alpha.pk).update(
        accepts_direct_payments=True, hourly_rate_min=16, hourly_rate_max=20
    )
    bravo.services.set(Service.objects.filter(slug="gardening"))
    add(client, alpha.pk)
    add(client, bravo.pk)
    client.post(INDEX, {"action": "save", f"note-{alpha.pk}": NOTE})
    client.post(reverse("shortlist:share"))
    return alpha, bravo


def send(client, email="someone@example.org", name="", **extra):
    return client.post(EMAIL, {"email": email, "name": name}, **extra)


def test_the_email_is_queued_then_sent_after_the_response(client, listed, committed):
    with committed():
        response = send(client, "worker@example.org", name="West team")
        assert response.status_code == 302
        assert response.url == EMAILED
        queued = OutboxEmail.objects.get()
        assert queued.to == "worker@example.org"
        assert queued.sent_at is None
        assert mail.outbox == []  # nothing is sent while the visitor waits
    queued.refresh_from_db()
    assert queued.sent_at is not None
    (message,) = mail.outbox
    assert message.to == ["worker@example.org"]
    assert message.subject == "Shortlist of care and support from Find local care and support"
    assert message.body == queued.body
    assert "\n" not in message.subject


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_a_real_transaction_it_is_sent_by_the_end_of_the_request(client, listed):
    assert send(client).status_code == 302
    assert [message.to for message in mail.outbox] == [["someone@example.org"]]
    assert OutboxEmail.objects.get().sent_at is not None


def test_the_email_holds_the_public_details(client, listed, committed):
    alpha, bravo = listed
    alpha.refresh_from_db()
    with committed():
        send(client, name="  Chelmsford adult\nsocial care  ")
    body = mail.outbox[0].body
    assert body.startswith("Sent by Chelmsford adult social care.\n\n")
    assert body.index("1. Alpha Care") < body.index("2. Bravo Home Help")
    assert f"{settings.SITE_URL}/providers/{alpha.slug}/" in body
    assert f"{settings.SITE_URL}/providers/{bravo.slug}/" in body
    assert "Phone: 01632 960001" in body
    assert f"Email: {alpha.email}" in body
    assert "Website: https://alpha.example" in body
    assert "Based in Chelmsford (CM1 1)" in body
    assert "Cost: £16.00 to £20.00 an hour" in body
    assert "Accepts Direct Payments" in body and "Does not accept Direct Payments" in body
    for row in alpha.public_checklist():
        assert f"- {row['sentence']}\n" in body
    registration = alpha.checks.get(kind="registration")
    assert (
        "- Registered with the Care Quality Commission (CQC), location ID 1-987654321. The "
        f"council checked this on {registration.verified_on:%-d %B %Y}\n"
        "  https://www.cqc.org.uk/location/1-987654321\n"
    ) in body
    assert "- Not needed for the services they list: none is personal care" in body
    assert "If you were not expecting it, you can ignore this email." in body
    assert "Before you choose a provider" in body


def test_the_email_and_the_outbox_hold_nothing_private(client, listed, committed):
    token = client.session["shortlist_shared"][-1]
    with committed():
        send(client)
    queued = OutboxEmail.objects.get()
    stored = " ".join([queued.key, queued.to, queued.subject, queued.body, queued.last_error])
    sent = mail.outbox[0].body + mail.outbox[0].subject
    for private in [NOTE, "PRIVATE-VISITOR-NOTE", token, "CM1 1RW", "PRIVATE-STAFF-NOTE"]:
        assert private not in stored, private
        assert private not in sent, private
    assert "/shortlist/s/" not in stored


def test_a_check_that_ran_out_is_worded_as_run_out(client, listed, committed, today):
    alpha, _ = listed
    add_check(alpha, "safeguarding", verified_on=today - timedelta(days=400), expires_on=today)
    add_check(
        alpha,
        "insurance",
        verified_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=2),
    )
    with committed():
        send(client)
    body = mail.outbox[0].body.split("2. Bravo Home Help")[0]
    assert "Public liability insurance: checked by the council" not in body
    assert "Public liability insurance: expired on" in body
    assert "Warning: Their public liability insurance ran out on" in body


def test_the_confirmation_page_names_the_address_once(client, listed):
    response = send(client, "Worker@Example.org")
    page = html(client.get(response.url))
    assert "We are sending your shortlist" in page
    assert "Worker@Example.org" in page
    assert "The email lists 2 providers" in page
    assert "It does not include your notes" in page
    again = client.get(EMAILED)
    assert again.status_code == 302 and again.url == INDEX


def test_the_confirmation_page_without_an_email_goes_to_the_shortlist(client, db):
    response = client.get(EMAILED)
    assert response.status_code == 302 and response.url == INDEX


def test_the_shortlist_page_has_the_form(client, listed):
    page = html(client.get(INDEX))
    assert f'action="{EMAIL}"' in page
    assert (
        '<label class="govuk-label govuk-label--s" for="send-email">Email address</label>' in page
    )
    assert 'autocomplete="email"' in page
    assert 'for="send-name">Your name or team (optional)</label>' in page
    assert "It does not include your notes or a link to this shortlist." in page


def test_unpublished_providers_are_left_out(client, listed, committed):
    alpha, bravo = listed
    Provider.objects.filter(pk=bravo.pk).update(status=Provider.Status.SUSPENDED)
    with committed():
        send(client)
    assert "Bravo Home Help" not in mail.outbox[0].body
    assert "1. Alpha Care" in mail.outbox[0].body


def test_an_empty_shortlist_has_nothing_to_email(client, db):
    response = send(client)
    assert response.status_code == 400
    assert "There is nothing to email yet" in html(response)
    assert not OutboxEmail.objects.exists()


def test_a_shortlist_of_providers_no_longer_listed_has_nothing_to_email(client, listed):
    Provider.objects.update(status=Provider.Status.ARCHIVED)
    response = send(client)
    assert response.status_code == 400
    assert "There is nothing to email yet" in html(response)
    assert not OutboxEmail.objects.exists()


BAD_ADDRESSES = [
    ("", "Enter an email address"),
    ("not-an-email", "Enter an email address in the right format"),
    ("a@b.com\nBcc: victim@example.org", "Enter an email address in the right format"),
    ("a@b.com\r\nBcc: victim@example.org", "Enter an email address in the right format"),
    ("a@b.com%0ABcc:victim@example.org", "Enter an email address in the right format"),
    ("a@b.com, victim@example.org", "Enter an email address in the right format"),
    ("Someone <a@b.com>", "Enter an email address in the right format"),
    ('"a\\"b"@example.org', "Enter an email address in the right format"),
    ("jöe@example.org", "Enter an email address in the right format"),
    ("joe@exämple.org", "Enter an email address in the right format"),
    ("joe@example", "Enter an email address in the right format"),
    ("a@b.com\x00", "Enter an email address in the right format"),
    ("a" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
    ("x" * 100_000, "Email address must be 254 characters or fewer"),
]


@pytest.mark.parametrize(("email", "message"), BAD_ADDRESSES)
def test_bad_addresses_get_a_plain_message(client, listed, email, message):
    response = send(client, email, name="My team")
    assert response.status_code == 400
    page = html(response)
    assert message in page
    assert "govuk-error-summary" in page
    assert '<a href="#send-email">' in page
    assert "<title>Error: Your shortlist" in page
    assert 'value="My team"' in page  # what was typed is kept
    assert not OutboxEmail.objects.exists()
    assert not RateCount.objects.filter(scope__startswith="shortlist-email").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 101, "Your name or team must be 100 characters or fewer"),
        ("Team\x00", "Your name or team contains a character we cannot send"),
        ("Team\u200b", "Your name or team contains a character we cannot send"),
        ("Cheap pills at https://spam.example", "cannot include a web or email address"),
        ("www.spam.example", "cannot include a web or email address"),
        ("Visit cheap-pills.com", "cannot include a web or email address"),
        ("write to me@spam.example", "cannot include a web or email address"),
    ],
)
def test_bad_names_get_a_plain_message(client, listed, name, message):
    response = send(client, name=name)
    assert response.status_code == 400
    assert message in html(response)
    assert '<a href="#send-name">' in html(response)
    assert not OutboxEmail.objects.exists()


@pytest.mark.parametrize("name", ["Tîm gofal Sir Ddinbych", "St. John's & Co. – west", "J.Smith"])
def test_ordinary_names_are_fine(client, listed, name, committed):
    with committed():
        assert send(client, name=name).status_code == 302
    assert mail.outbox[0].body.startswith(f"Sent by {name}.")


def test_only_post_with_csrf(listed):
    assert Client().get(EMAIL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(EMAIL, {"email": "someone@example.org"}).status_code == 403
    assert not OutboxEmail.objects.exists()


@pytest.mark.shared_cache
def test_emails_are_limited_per_client(client, listed):
    for number in range(EMAILS_PER_CLIENT.limit):
        assert send(client, f"person{number}@example.org").status_code == 302
    response = send(client, "one-more@example.org")
    assert response.status_code == 429
    assert "You have emailed a lot of shortlists" in html(response)
    assert OutboxEmail.objects.count() == EMAILS_PER_CLIENT.limit
    # Another client is not held back by the first one's emails.
    assert send(client, "one-more@example.org", REMOTE_ADDR="192.0.2.7").status_code == 302


@pytest.mark.shared_cache
def test_emails_are_limited_per_address_whoever_sends_them(client, listed):
    for number in range(EMAILS_PER_ADDRESS.limit):
        response = send(client, "victim@example.org", REMOTE_ADDR=f"192.0.2.{number + 1}")
        assert response.status_code == 302
    # The same mailbox written another way, from yet another client, is the same address.
    for spelling in ["Victim@Example.org", "victim+shortlist@example.org"]:
        response = send(client, spelling, REMOTE_ADDR="198.51.100.9")
        assert response.status_code == 429
        assert "That address has been sent a lot of shortlists today" in html(response)
    assert OutboxEmail.objects.count() == EMAILS_PER_ADDRESS.limit
    assert send(client, "someone-else@example.org", REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_address_is_counted_as_a_keyed_hash(client, listed):
    send(client, "victim@example.org")
    keys = set(RateCount.objects.values_list("client_key", flat=True))
    assert email_address_key("victim@example.org") in keys
    assert not any("victim" in key for key in keys)
    assert email_address_key("VICTIM+x@example.org") == email_address_key("victim@example.org")
    assert email_address_key("victim@example.org") != email_address_key("victim@example.com")


@pytest.mark.shared_cache
def test_the_limits_start_again_later(client, listed, monkeypatch):
    from core import ratelimit

    for _ in range(EMAILS_PER_ADDRESS.limit):
        send(client, "victim@example.org")
    assert send(client, "victim@example.org").status_code == 429
    tomorrow = ratelimit.clock() + timedelta(days=1).total_seconds()
    monkeypatch.setattr(ratelimit, "clock", lambda: tomorrow)
    assert send(client, "victim@example.org").status_code == 302


def test_the_email_is_in_the_pages_language(client, listed, committed):
    with committed():
        response = client.post("/cy" + EMAIL, {"email": "someone@example.org"})
    assert response.status_code == 302
    assert response.url == "/cy" + EMAILED
    queued = OutboxEmail.objects.get()
    assert queued.language == "cy"
    body = mail.outbox[0].body
    assert settings.SITE_NAME_CY in mail.outbox[0].subject
    assert f"{settings.SITE_URL}/cy/providers/" in body
    assert "Accepts Direct Payments" not in body  # in Welsh instead
    assert "Before you choose a provider" not in body
    page = html(client.get(response.url))
    assert 'lang="cy"' in page


def test_a_welsh_bad_address_is_a_welsh_page(client, listed):
    response = client.post("/cy" + EMAIL, {"email": "not-an-email"})
    assert response.status_code == 400
    assert 'lang="cy"' in html(response)


def test_outbox_keys_never_repeat(client, listed):
    for number in range(3):
        send(client, f"person{number}@example.org")
    keys = list(OutboxEmail.objects.values_list("key", flat=True))
    assert len(set(keys)) == 3
    assert all(key.startswith("shortlist-email:") for key in keys)
    assert (
        OutboxEmail.objects.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).count()
        == 3
    )


def test_a_long_shortlist_is_one_email(client, postcodes, committed):
    made = [make_provider(name=f"Helper {n}") for n in range(12)]
    for provider in made:
        add(client, provider.pk)
    with committed():
        assert send(client).status_code == 302
    (message,) = mail.outbox
    assert "12. Helper 11" in message.body


def test_a_body_too_large_or_undecodable_is_a_400(client, listed):
    assert send(client, "x" * 3_000_000).status_code == 400
    garbled = client.post(
        EMAIL, b"email=\xff\xfe", content_type="application/x-www-form-urlencoded; charset=utf-8"
    )
    assert garbled.status_code == 400
    assert not OutboxEmail.objects.exists()
