from datetime import timedelta

from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider, Service

SERVICES = Prefetch("services", queryset=Service.objects.select_related("category"))
SHARE_LIFETIME = timedelta(days=90)
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
TOKEN_PATTERN = r"[A-Za-z0-9_-]{32,64}"  # noqa: S105 (a pattern, not a secret)


class SharedShortlistQuerySet(models.QuerySet):
    def active(self, now=None):
        """Links that still open: not revoked and not past their expiry time."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def inactive(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(revoked_at__isnull=False) | Q(expires_at__lte=now))


class SharedShortlist(models.Model):
    """A read-only link to a copy of someone's shortlist: the order and their notes.

    Only provider ids and notes are stored. The shared page reads each provider's current public
    details (through `Provider.public_objects`) every time it is opened, so a provider that has
    been unpublished since simply shows as no longer listed.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    entries = models.JSONField(
        default=list, editable=False, help_text='[{"id": provider id, "note": "..."}, ...] in order'
    )
    made_by = models.CharField(
        max_length=100,
        blank=True,
        editable=False,
        help_text="Who made it, as they typed it (a social worker's team, say); optional",
    )
    created_at = models.DateTimeField("created", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expires")
    revoked_at = models.DateTimeField("turned off", null=True, blank=True)
    client_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Keyed hash of who made it, for the rate limit",
    )

    objects = SharedShortlistQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "shared shortlist"
        indexes = [
            models.Index(fields=["expires_at"], name="shared_shortlist_expiry"),
            models.Index(fields=["client_key", "created_at"], name="shared_shortlist_client"),
        ]

    def __str__(self):
        return f"Shared shortlist {self.token[:6]}… ({self.provider_count} providers)"

    def get_absolute_url(self):
        return reverse("shortlist:shared", args=[self.token])

    @property
    def provider_count(self):
        return len(self.entries) if isinstance(self.entries, list) else 0

    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())

    def is_active(self, now=None):
        return not self.is_revoked() and not self.is_expired(now)


def entry_rows(entries):
    """[{"id", "note", "provider"}, ...] in the given order, for the shortlist and shared pages.

    Providers are read in one query (plus one for their checks) through `Provider.public_objects`;
    a provider that is no longer published comes back with `provider=None` and nothing else about
    it is ever read.
    """
    ids = [entry["id"] for entry in entries]
    providers = (
        Provider.public_objects.filter(pk__in=ids)
        .prefetch_related("checks", "audiences", SERVICES)
        .in_bulk()
    )
    return [
        {"id": entry["id"], "note": entry.get("note", ""), "provider": providers.get(entry["id"])}
        for entry in entries
    ]
