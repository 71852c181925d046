"""Email that is never lost and never sent twice: written to the outbox table first, sent after.

`outbox_queue` records an email under a key that says what it is for; queuing the same key again
does nothing. `outbox_send` sends what is due through Django's email backend and marks each sent
only when the backend accepted it; a failure is recorded and tried again later, with a growing
wait, up to `MAX_ATTEMPTS`. Call `outbox_send` from the daily command, and after a commit that
queued something urgent (`outbox_send_on_commit`, which sends once the response has gone).

An email that carries a one-time link stores only a marker (`LINK`) and which link to make: the
link is made by the maker its app registered (`outbox_link_maker`) at the moment of sending,
and put only into the message handed to the email backend. The stored body never holds it.
A listing's own links (a provider's "taking new clients" buttons) work the same way without an
account: the body holds `listing_link(kind, listing id)` markers, as many as it needs, and the
maker registered with `outbox_listing_link_maker` makes each when sending.

A text message through GOV.UK Notify is queued and sent the same way (`channel="text"`, to a UK
mobile number), with the same markers for its link: `core.notify` sends it.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from .after_response import after_response
from .models import OutboxEmail
from .notify import notify_text_send

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LINK = "[[one-time link]]"
LINK_SHOWN = "(a one-time link, made when the email is sent and never kept)"
_link_makers = {}
LISTING_LINK = re.compile(r"\[\[listing link:([a-z-]+):(\d+)\]\]")
_listing_link_makers = {}


class LinkRefused(Exception):
    """The account may no longer have this link (staff now, say, or switched off)."""


def outbox_link_maker(kind):
    """Register `make(user) -> url` for links of this kind; it raises LinkRefused to stop it."""

    def register(make):
        _link_makers[kind] = make
        return make

    return register


def outbox_listing_link_maker(kind):
    """Register `make(listing id) -> url` for a listing's links of this kind (LinkRefused stops
    the email)."""

    def register(make):
        _listing_link_makers[kind] = make
        return make

    return register


def listing_link(kind, pk):
    """The marker a body holds where a listing's link of `kind` goes; made only when sending."""
    return f"[[listing link:{kind}:{int(pk)}]]"


def outbox_queue(*, key, to, subject, body, link_kind="", link_user=None, channel="email"):
    """Queue an email once per `key`; returns it, or None if that key was queued before.
    With `link_kind`, the body must hold `LINK` where the link for `link_user` goes.
    `channel="text"`: a text message to the mobile number `to`; `subject` only names it for staff."""
    if not to:
        return None
    if link_kind and (link_kind not in _link_makers or LINK not in body or link_user is None):
        raise ValueError(
            f"A {link_kind!r} link needs its maker, its account and {LINK} in the body"
        )
    if unknown := {kind for kind, _ in LISTING_LINK.findall(body)} - set(_listing_link_makers):
        raise ValueError(f"No maker for the listing links {sorted(unknown)}")
    try:
        with transaction.atomic():
            return OutboxEmail.objects.create(
                key=key,
                channel=channel,
                to=to,
                subject=subject[:200],
                body=body,
                link_kind=link_kind,
                link_user=link_user,
                language=translation.get_language() or "",
            )
    except IntegrityError:
        return None


def shown_body(email):
    """The body as staff may see it: the link's place marked, nothing that signs anyone in."""
    return LISTING_LINK.sub(LINK_SHOWN, email.body.replace(LINK, LINK_SHOWN))


def _message_body(email):
    body = email.body
    with translation.override(email.language or None):
        if email.link_kind:
            body = body.replace(LINK, _link_makers[email.link_kind](email.link_user), 1)
        return LISTING_LINK.sub(
            lambda marker: _listing_link_makers[marker[1]](int(marker[2])), body
        )


def outbox_send(*, keys=None, now=None, limit=500):
    """Send the queued emails that are due (or only those with `keys`); returns how many sent."""
    now = now or timezone.now()
    due = OutboxEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).exclude(
        next_attempt_at__gt=now
    )
    if keys is not None:
        due = due.filter(key__in=keys)
    sent = 0
    for pk in list(due.order_by("created_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # Lock the row: two senders running at once cannot both send it.
            email = OutboxEmail.objects.select_for_update().filter(pk=pk, sent_at=None).first()
            if email is None:
                continue
            try:
                body = _message_body(email)
            except LinkRefused as refused:
                email.attempts = MAX_ATTEMPTS  # never: the account may not have the link
                email.last_error = f"Not sent: {refused}"[:2000]
                email.save(update_fields=["attempts", "last_error"])
                continue
            try:
                if email.channel == OutboxEmail.Channel.TEXT:
                    notify_text_send(to=email.to, body=body)
                else:
                    EmailMessage(
                        email.subject, body, settings.DEFAULT_FROM_EMAIL, [email.to]
                    ).send()
            except Exception as error:  # noqa: BLE001 - any failure of the backend: try later
                email.attempts += 1
                email.last_error = f"{type(error).__name__}: {error}"[:2000]
                email.next_attempt_at = now + timedelta(minutes=15 * 2**email.attempts)
                email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                logger.warning("Could not send email %s (%s): %s", email.pk, email.key, error)
                continue
            email.attempts += 1
            email.sent_at = timezone.now()
            email.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return sent


def outbox_send_on_commit(keys):
    """Send these once the transaction that queued them commits and the response has gone (an
    urgent report, a sign-in link): nobody waits for the mail server, and a failure is retried."""
    transaction.on_commit(lambda: after_response(lambda: outbox_send(keys=keys)), robust=True)
