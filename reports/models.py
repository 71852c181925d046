from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThan, LessThanOrEqual

from providers.models import Provider

MESSAGE_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 120
CONTACT_MAX_LENGTH = 200


class ReportTopic(models.TextChoices):
    OUT_OF_DATE = "out_of_date", "Information is out of date"
    CLOSED = "closed", "The provider has closed"
    SAFETY = "safety", "A concern about quality or safety"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class ProblemReportQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=ProblemReport.Status.CLOSED)


class ProblemReport(models.Model):
    """What a member of the public told us about a published listing.

    The public fields (topic, message, name, contact) are never rewritten by staff: staff record
    their work in `status` and `staff_note`. The client's IP address is never stored, only
    `client_key`, a keyed SHA-256 hash of it used to rate limit.
    """

    Topic = ReportTopic
    Status = ReportStatus

    # SET_NULL with the name copied, not PROTECT: a report, above all a safety concern, is a record
    # the council must keep even if the listing is later deleted (a provider may ask to be erased),
    # and a public report must never stop staff from removing a listing. `provider_name` says which
    # listing it was about once the link has gone.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_reports",
    )
    provider_name = models.CharField(
        "provider name when reported", max_length=120, help_text="Kept if the listing is deleted"
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    message = models.TextField()
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    contact = models.CharField(
        "email address or phone number", max_length=CONTACT_MAX_LENGTH, blank=True
    )
    urgent = models.BooleanField(
        default=False, help_text="Set for every concern about quality or safety"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    staff_note = models.TextField(blank=True, help_text="Staff only. Never shown to the public.")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The officer dealing with it",
    )
    client_key = models.CharField(
        max_length=64,
        editable=False,
        help_text="Keyed SHA-256 hash of the sender's IP address, for rate limiting. Never the IP.",
    )
    created_at = models.DateTimeField("received", auto_now_add=True)
    updated_at = models.DateTimeField("last updated", auto_now=True)

    objects = ProblemReportQuerySet.as_manager()

    class Meta:
        ordering = ["-urgent", "-created_at"]
        indexes = [
            models.Index(fields=["client_key", "created_at"], name="report_client_recent"),
            models.Index(fields=["status", "urgent"], name="report_status_urgent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_is_a_choice"
            ),
            models.CheckConstraint(
                condition=Q(topic__in=ReportTopic.values), name="report_topic_is_a_choice"
            ),
            models.CheckConstraint(
                condition=~Q(topic="safety") | Q(urgent=True), name="report_safety_is_urgent"
            ),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length("message"), 0))
                & Q(LessThanOrEqual(Length("message"), MESSAGE_MAX_LENGTH)),
                name="report_message_1_to_2000_chars",
            ),
            models.CheckConstraint(condition=~Q(provider_name=""), name="report_has_provider_name"),
            models.CheckConstraint(
                condition=Q(Exact(Length("client_key"), 64)),
                name="report_client_key_is_a_sha256",
            ),
        ]

    def __str__(self):
        return f"{self.get_topic_display()}: {self.provider_name}"

    def save(self, *args, **kwargs):
        if self.provider_id and not self.provider_name:
            self.provider_name = self.provider.name
        if self.topic == self.Topic.SAFETY:
            self.urgent = True
        super().save(*args, **kwargs)

    def get_additional_data(self):
        """For the audit trail: which listing it is about."""
        return {"provider": self.provider_id}
