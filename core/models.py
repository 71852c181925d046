from django.conf import settings
from django.db import models


class RateCount(models.Model):
    """How many times one client has done one rate-limited thing in one fixed window.

    Written only by `core.ratelimit.rate_limit_hit`, with one atomic upsert, so simultaneous
    requests cannot both slip under the limit. The client is a keyed hash, never an IP address.
    """

    scope = models.CharField(max_length=40)
    client_key = models.CharField(max_length=64)
    window_start = models.BigIntegerField(help_text="Unix time the window began")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client_key", "window_start"], name="one_count_per_window"
            )
        ]
        indexes = [models.Index(fields=["scope", "window_start"], name="rate_count_window")]

    def __str__(self):
        return f"{self.scope}: {self.count}"


class OutboxEmail(models.Model):
    """An email the site has decided to send, written before any attempt to send it.

    `key` names what it is for (a reminder about one check's expiry, one day's digest), so the
    same email is never queued twice; `sent_at` is set only once a send succeeded, so a failed
    send is tried again later and a sent one never is. Written by `core.outbox` only.

    A sign-in or invitation link is never stored: the body holds a marker where it goes, and
    `link_kind` and `link_user` say which link to make at the moment of sending. So nobody who
    can read this table (staff, a backup, a database dump) can sign in as anyone.

    A text message (through GOV.UK Notify, `core.notify`) is kept and sent the same way: its
    `channel` says so, `to` is a UK mobile number and `subject` only names it for staff.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "email"
        TEXT = "text", "text message"

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link_kind = models.CharField(max_length=20, blank=True)
    link_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True, help_text="For the link's address")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "email in the outbox"
        verbose_name_plural = "outbox"
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="outbox_unsent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(link_kind="") | models.Q(link_user__isnull=False),
                name="outbox_link_names_its_account",
            )
        ]

    def __str__(self):
        return f"{self.subject} to {self.to}"
