"""Signing in with a one-time emailed link: the same reply for every address, links that work
once and for a short time, limits per address and per client, and staff invitations."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import OutboxEmail
from portal.models import Owner
from portal.services import owner_invite
from portal.tokens import GENERATORS

from .conftest import link_path

SIGN_IN = reverse("portal:sign-in")


def emailed_link(email):
    """The link in the last email sent to this address (as the mail server got it: the outbox
    table never holds it)."""
    body = [message for message in mail.outbox if message.to == [email]][-1].body
    return re.search(r"https?://[^/]+(/(?:cy/)?for-providers/[^\s]+)", body)[1]


def test_a_known_address_gets_a_link_that_signs_in_once(client, owner_a):
    response = client.post(SIGN_IN, {"email": "ALPHA-OWNER@example.org "})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    path = emailed_link(owner_a.email)
    page = client.get(path)  # a mail scanner opening it does not use it up
    assert page.status_code == 200
    assert "Continue" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    signed_in = client.post(path)
    assert signed_in["Location"] == reverse("portal:listing")
    assert "Alpha Care" in client.get(reverse("portal:listing")).content.decode()
    client.logout()
    again = client.post(path)  # used: last sign-in changed
    assert again.status_code == 410
    assert "This link has expired or been used" in again.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_email(client, owner_a):
    known = client.post(SIGN_IN, {"email": owner_a.email}).content.decode()
    unknown = client.post(SIGN_IN, {"email": "nobody@example.org"}).content.decode()
    assert unknown.replace("nobody@example.org", "X") == known.replace(owner_a.email, "X")
    assert not OutboxEmail.objects.filter(to="nobody@example.org").exists()


def test_a_link_runs_out(client, owner_a, settings):
    path = link_path(owner_a)
    generator = GENERATORS["sign-in"]
    later = generator._now() + timedelta(minutes=settings.SIGN_IN_LINK_MINUTES + 1)
    with mock.patch.object(type(generator), "_now", return_value=later):
        response = client.post(path)
    assert response.status_code == 410


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),
        lambda uid, token: ("MTIzNDU2", token),  # another account's id
        lambda uid, token: (uid, "1-" + token),
        lambda uid, token: (uid, "x" * 500),
        lambda uid, token: ("%%%", token),
        lambda uid, token: ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk", token),  # a huge id
        lambda uid, token: (uid, "<script>"),
    ],
)
def test_tampered_links_are_refused(client, owner_a, tamper):
    _, _, _, uid, token, _ = link_path(owner_a).split("/")
    uid, token = tamper(uid, token)
    response = client.post(f"/for-providers/sign-in/{uid}/{token}/")
    assert response.status_code in (404, 410)
    assert "_auth_user_id" not in client.session


def test_a_sign_in_link_is_not_an_invitation(client, owner_a):
    path = link_path(owner_a).replace("/sign-in/", "/invitation/")
    assert client.post(path).status_code == 410


def test_an_inactive_account_cannot_sign_in(client, owner_a):
    path = link_path(owner_a)
    owner_a.is_active = False
    owner_a.save()
    assert client.post(path).status_code == 410


@pytest.mark.shared_cache
def test_asking_many_times_never_stops_a_provider_getting_a_link(client, owner_a, monkeypatch):
    """One link an address every 5 minutes, however many ask and from where: asking again sends
    nothing new, the link already sent still works, and nobody is told "too many"."""
    from core import ratelimit

    for n in range(6):
        other = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")  # six people asking for them
        assert other.post(SIGN_IN, {"email": owner_a.email}).status_code == 200
    assert len([m for m in mail.outbox if m.to == [owner_a.email]]) == 1
    first = emailed_link(owner_a.email)
    assert client.post(first)["Location"] == reverse("portal:listing")
    client.logout()
    later = ratelimit.clock() + 5 * 60
    monkeypatch.setattr(ratelimit, "clock", lambda: later)
    assert client.post(SIGN_IN, {"email": owner_a.email}).status_code == 200
    assert len([m for m in mail.outbox if m.to == [owner_a.email]]) == 2


@pytest.mark.shared_cache
def test_one_client_asking_for_many_addresses_is_limited(client, db):
    for n in range(20):
        assert client.post(SIGN_IN, {"email": f"someone{n}@example.org"}).status_code == 200
    response = client.post(SIGN_IN, {"email": "last@example.org"})
    assert response.status_code == 429
    assert "You have asked for a lot of sign-in links" in response.content.decode()


@pytest.mark.parametrize(
    "email", ["", "not-an-email", "a" * 300 + "@example.org", "x@example.org\x00", "<script>@x"]
)
def test_bad_addresses_get_a_plain_message(client, db, email):
    response = client.post(SIGN_IN, {"email": email})
    assert response.status_code == 400
    assert "Enter" in response.content.decode()


def test_staff_invite_the_owner_of_an_existing_listing(client, provider_a, staff_user, committed):
    with committed():
        owner_invite(provider=provider_a, email="Owner@Example.org", by=staff_user)
    user = get_user_model().objects.get(email="owner@example.org")
    assert Owner.objects.get(user=user).provider == provider_a
    email = OutboxEmail.objects.get(to="owner@example.org")
    assert email.subject == "Manage your listing for Alpha Care"
    assert email.sent_at and "/invitation/" not in email.body
    path = emailed_link("owner@example.org")
    assert "/invitation/" in path
    assert client.post(path)["Location"] == reverse("portal:listing")


def test_an_account_cannot_be_invited_to_a_second_listing(provider_a, provider_b, staff_user):
    owner_invite(provider=provider_a, email="owner@example.org", by=staff_user)
    with pytest.raises(ValueError, match="already manages another listing"):
        owner_invite(provider=provider_b, email="owner@example.org", by=staff_user)


def test_sign_out(client_a):
    assert client_a.post(reverse("portal:sign-out")).status_code == 302
    assert client_a.get(reverse("portal:listing"))["Location"] == SIGN_IN
