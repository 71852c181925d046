"""One-time sign-in links, with Django's own token machinery (the password reset one).

A link names the account (uid) and carries a token that is a keyed hash of the account's last
sign-in, email and the time it was made: signing in changes the last sign-in, so a link works once;
it stops working after `SIGN_IN_LINK_MINUTES` (an invitation from staff after
`INVITE_LINK_HOURS`); changing the secret key ends them all.

Only a provider's account can have a link: one that manages a listing and is not staff, an
administrator or in any group (`may_use_links`). That is checked when the link is made, when the
email is sent, and again when it is used, so an address shared with a staff account, or an account
made staff later, never signs in without its password.
"""

from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from core.outbox import LinkRefused, outbox_link_maker, outbox_listing_link_maker
from providers.models import NEW_CLIENTS_CODES, NewClients, Provider, new_clients_code
from providers.services import new_clients_stamp

from .models import Owner, is_staff_account

MAX_TOKEN_LENGTH = 64


class SignInTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "portal.tokens.SignInTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        last = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{user.pk}{last}{timestamp}{user.email}{user.is_active}"

    def check_token(self, user, token, *, max_seconds):
        if not super().check_token(user, token):
            return False
        try:
            made = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - made <= max_seconds


class InviteTokenGenerator(SignInTokenGenerator):
    """Invitations from staff last longer; their own salt, so a sign-in link is no invitation."""

    key_salt = "portal.tokens.InviteTokenGenerator"


GENERATORS = {"sign-in": SignInTokenGenerator(), "invite": InviteTokenGenerator()}


def may_use_links(user):
    return (
        user.is_active and not is_staff_account(user) and Owner.objects.filter(user=user).exists()
    )


def link_url(user, kind="sign-in"):
    """The link's address, in the active language. Made only while the email is being sent."""
    if not may_use_links(user):
        raise LinkRefused("only a provider's own account signs in with a link")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = GENERATORS[kind].make_token(user)
    return settings.SITE_URL + reverse(f"portal:{kind}-link", args=[uid, token])


def link_seconds(kind):
    if kind == "invite":
        return settings.INVITE_LINK_HOURS * 3600
    return settings.SIGN_IN_LINK_MINUTES * 60


def user_for_link(uid, token, kind="sign-in"):
    """The active account a link signs in, or None (unknown, tampered, used or too old)."""
    if not isinstance(token, str) or not isinstance(uid, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:  # beyond any database's integer column
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        return None
    if not GENERATORS[kind].check_token(user, token, max_seconds=link_seconds(kind)):
        return None
    return user if may_use_links(user) else None


@outbox_link_maker("sign-in")
def _sign_in(user):
    return link_url(user, "sign-in")


@outbox_link_maker("invite")
def _invite(user):
    return link_url(user, "invite")


# "Taking new clients" links ------------------------------------------------------------------------
#
# A provider says whether they are taking new clients with one of three links from an email, with
# no sign-in. Each link is signed (Django's signing, its own salt) and names one listing, one
# answer and the listing's last confirmation when it was made: it can record only that answer for
# that listing, once (any confirmation since uses it up), and only for NEW_CLIENTS_LINK_DAYS. It
# never signs anyone in. Opening it shows a page with one Confirm button: a mail scanner that
# follows links changes nothing.
#
# A text message has room for one link (NEW_CLIENTS_CHOICE_LINK): signed the same way with no
# answer in it (code 0), it opens a page with the three answers, each its own Confirm button (a
# POST). It too can say only whether this listing takes new clients, once, for a while.

NEW_CLIENTS_SALT = "portal.tokens.new-clients"
NEW_CLIENTS_LINKS = {  # the outbox's link kinds, by answer
    NewClients.TAKING: "new-clients-taking",
    NewClients.WAITING_LIST: "new-clients-waiting-list",
    NewClients.FULL: "new-clients-full",
}
NEW_CLIENTS_CHOICE_LINK = "new-clients-choose"
MAX_NEW_CLIENTS_TOKEN_LENGTH = 200


class NewClientsLinkInvalid(Exception):
    """Not a link we made: altered, cut short or made with another key."""


class NewClientsLinkExpired(Exception):
    """A link we made, but older than NEW_CLIENTS_LINK_DAYS."""


class NewClientsLink(NamedTuple):
    provider: Provider
    new_clients: str  # a NewClients value, or "" for a link that lets the provider choose
    seen: int  # the listing's confirmation stamp when the link was made (`new_clients_stamp`)


def new_clients_token(provider, new_clients):
    payload = {
        "p": provider.pk,
        "s": new_clients_code(new_clients),
        "c": new_clients_stamp(provider.new_clients_confirmed_at),
    }
    return signing.dumps(payload, salt=NEW_CLIENTS_SALT)


def new_clients_url(provider, new_clients):
    """The link's address, in the active language. Made only while its email is being sent."""
    token = new_clients_token(provider, new_clients)
    return settings.SITE_URL + reverse("portal:new-clients-link", args=[token])


def new_clients_link(token):
    """What a link may do: NewClientsLink, or NewClientsLinkInvalid / NewClientsLinkExpired.
    Provider.DoesNotExist if its listing has been deleted."""
    if not isinstance(token, str) or len(token) > MAX_NEW_CLIENTS_TOKEN_LENGTH:
        raise NewClientsLinkInvalid
    max_age = timedelta(days=settings.NEW_CLIENTS_LINK_DAYS)
    try:
        payload = signing.loads(token, salt=NEW_CLIENTS_SALT, max_age=max_age)
    except signing.SignatureExpired as expired:
        raise NewClientsLinkExpired from expired
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as bad:
        raise NewClientsLinkInvalid from bad
    try:
        pk, code, seen = int(payload["p"]), int(payload["s"]), int(payload["c"])
    except (TypeError, KeyError, ValueError) as bad:
        raise NewClientsLinkInvalid from bad
    if not 0 <= code < len(NEW_CLIENTS_CODES) or not 0 < pk < 2**63:
        raise NewClientsLinkInvalid
    return NewClientsLink(Provider.objects.get(pk=pk), NEW_CLIENTS_CODES[code], seen)


def _new_clients_maker(new_clients):
    def make(pk):
        provider = Provider.objects.filter(pk=pk).first()
        if provider is None:
            raise LinkRefused("the listing no longer exists")
        return new_clients_url(provider, new_clients)

    return make


for _answer, _kind in NEW_CLIENTS_LINKS.items():
    outbox_listing_link_maker(_kind)(_new_clients_maker(_answer))
outbox_listing_link_maker(NEW_CLIENTS_CHOICE_LINK)(_new_clients_maker(""))
