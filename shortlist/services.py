"""Writes for shared shortlists. Keyword-only, named <thing>_<action>."""

import secrets
import uuid
from datetime import timedelta
from html import unescape

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import strip_tags
from django.utils.translation import gettext

from core.dates import day_words
from core.names import site_names
from core.outbox import outbox_queue, outbox_send_on_commit
from core.ratelimit import RateLimit
from providers.models import Provider, in_language

from .compare import provider_columns
from .models import SHARE_LIFETIME, TOKEN_BYTES, SharedShortlist
from .session import clean_entries


class NothingToShare(Exception):
    pass


def new_token():
    """An unguessable URL-safe token (256 bits) not used by any shared shortlist yet."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not SharedShortlist.objects.filter(token=token).exists():
            return token


# At most 20 new links from one client an hour: people share a handful, a script filling the
# database shares thousands.
SHARE_LINKS = RateLimit("share-links", limit=20, window=timedelta(hours=1))


@transaction.atomic
def shared_shortlist_create(*, entries, made_by="", client_key="", now=None):
    """Save the published providers among `entries`, in order with their notes, behind a new token.

    Providers that are not published now are left out; NothingToShare if none are.
    """
    now = now or timezone.now()
    entries = clean_entries(entries)
    published = set(
        Provider.public_objects.filter(pk__in=[e["id"] for e in entries]).values_list(
            "pk", flat=True
        )
    )
    entries = [entry for entry in entries if entry["id"] in published]
    if not entries:
        raise NothingToShare
    return SharedShortlist.objects.create(
        token=new_token(),
        entries=entries,
        made_by=made_by,
        created_at=now,
        expires_at=now + SHARE_LIFETIME,
        client_key=client_key,
    )


KEEP_GONE_LINKS = timedelta(days=30)


def shared_shortlists_prune(*, now=None):
    """Delete links that expired or were turned off more than 30 days ago (until then they still
    tell whoever opens them that they have gone); returns how many."""
    cutoff = (now or timezone.now()) - KEEP_GONE_LINKS
    gone = SharedShortlist.objects.filter(expires_at__lt=cutoff) | SharedShortlist.objects.filter(
        revoked_at__lt=cutoff
    )
    deleted, _ = gone.delete()
    return deleted


def shared_shortlist_revoke(*, shared, now=None):
    """Turn the link off for good. Revoking twice keeps the first time."""
    if shared.revoked_at is None:
        shared.revoked_at = now or timezone.now()
        shared.save(update_fields=["revoked_at"])
    return shared


# Emailing a shortlist ------------------------------------------------------------------------------


class NothingToEmail(Exception):
    pass


# Anyone may send a shortlist to any address, so two limits keep it from being a way to send
# mail to strangers: 5 emails an hour from one client, and 3 a day to one mailbox from anyone.
EMAILS_PER_CLIENT = RateLimit("shortlist-email", limit=5, window=timedelta(hours=1))
EMAILS_PER_ADDRESS = RateLimit("shortlist-email-to", limit=3, window=timedelta(days=1))


def email_address_key(address):
    """A keyed hash of the mailbox an address reaches, for the per-address limit: lower case,
    and without a +tag (name+1@ and name+2@ are one person's mailbox). Never the address."""
    local, _, domain = address.strip().lower().rpartition("@")
    mailbox = f"{local.split('+', 1)[0]}@{domain}"
    return salted_hmac("shortlist.email-to", mailbox, algorithm="sha256").hexdigest()


@transaction.atomic
def shortlist_email_queue(*, rows, to, sender=""):
    """Queue an email of the published providers among shortlist `rows` (from `entry_rows`), in
    order, sent once this commits and the response has gone. Public details only: never the
    notes people typed, nor a shared link's token (staff can read the outbox). NothingToEmail if
    none is published."""
    columns = provider_columns(rows)
    if not columns:
        raise NothingToEmail
    names = site_names()
    email = outbox_queue(
        key=f"shortlist-email:{uuid.uuid4().hex}",
        to=to,
        subject=gettext("Shortlist of care and support from %(site)s")
        % {"site": names["SITE_NAME"]},
        body=_email_body(columns, sender=sender, site=names["SITE_NAME"]),
    )
    outbox_send_on_commit([email.key])
    return email


def _email_body(columns, *, sender, site):
    # Plain text, built here rather than in a template so every line is exactly as sent.
    parts = []
    if sender:
        parts.append(gettext("Sent by %(sender)s.") % {"sender": sender})
    parts.append(
        gettext(
            "Someone asked %(site)s to send this list of local care and support providers to "
            "this address. If you were not expecting it, you can ignore this email."
        )
        % {"site": site}
    )
    for number, column in enumerate(columns, start=1):
        parts.append("\n".join(_provider_lines(number, column)))
    parts.append(
        "\n".join(
            [
                gettext("Before you choose a provider"),
                gettext(
                    "Contact them to check they can help, when and at what cost. Ask to see their "
                    "current DBS check and insurance if the council has not checked them yet."
                ),
            ]
        )
    )
    parts.append(
        gettext(
            "These are the details each provider had in %(site)s on %(date)s. They may change: "
            "the link under each name shows their latest listing."
        )
        % {"site": site, "date": day_words(timezone.localdate())}
    )
    return "\n\n".join(parts) + "\n"


def _provider_lines(number, column):
    provider = column["provider"]
    lines = [f"{number}. {in_language(provider.name, provider.name_cy)}", column["url"]]
    lines.append(gettext("Based in %(area)s") % {"area": provider.area_label})
    for label, value in [
        (gettext("Phone:"), provider.phone),
        (gettext("Email:"), provider.email),
        (gettext("Website:"), provider.website),
    ]:
        if value:
            lines.append(f"{label} {value}")
    cost = _plain(render_to_string("providers/_cost.html", {"provider": provider}))
    if provider.cost_notes:
        cost = f"{cost}. {provider.cost_notes}"
    lines.append(f"{gettext('Cost:')} {cost}")
    lines.append(
        gettext("Accepts Direct Payments")
        if provider.accepts_direct_payments
        else gettext("Does not accept Direct Payments")
    )
    lines.append(gettext("Checks:"))
    lines.extend(f"- {row['sentence']}" for row in column["checklist"])
    regulation = column["regulation"]
    lines.append(f"- {regulation['sentence']}")
    if regulation["link"]:
        lines.append(f"  {regulation['link']}")
    if column["grace"]:
        lines.append(f"{gettext('Warning:')} {column['grace']['sentence']}")
    return lines


def _plain(html):
    return " ".join(unescape(strip_tags(html)).split())
