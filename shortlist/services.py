"""Writes for shared shortlists. Keyword-only, named <thing>_<action>."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.ratelimit import RateLimit
from providers.models import Provider

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
