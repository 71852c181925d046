"""What a public register said about a listing, and when.

Registers are evidence, not the rule: a record never decides whether a listing is public. The
nightly sync (`registers.sync`) records what the CQC and Companies House say; when the CQC no
longer has a location registered it marks the listing's registration check as run out, and the
publishing rules (`providers.services`) do the rest. Anything else that differs goes to the
officer's work queue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from providers.models import Provider


class RegisterRecord(models.Model):
    class Kind(models.TextChoices):
        CQC = "cqc", "Care Quality Commission"
        COMPANIES_HOUSE = "companies_house", "Companies House"
        CIW = "ciw", "Care Inspectorate Wales"

    class Outcome(models.TextChoices):
        # Not answered yet: the first attempt could not reach the register.
        UNKNOWN = "unknown", "Not answered yet"
        CONFIRMED = "confirmed", "Matches the listing"
        DIFFERS = "differs", "Differs from the listing: an officer decides"
        # CQC: deregistered, or no such location. The registration check is marked run out.
        OFF_REGISTER = "off_register", "Not registered"
        # Companies House: dissolved, in liquidation, a proposal to strike off, or not found.
        NOT_ACTIVE = "not_active", "Company not active"
        # Care Inspectorate Wales: what an officer saw on its register and recorded.
        RECORDED = "recorded", "Recorded by an officer"

    # Outcomes an officer needs to look at (until one marks it seen).
    NEEDS_OFFICER = [Outcome.DIFFERS, Outcome.OFF_REGISTER, Outcome.NOT_ACTIVE]

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="register_records"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    register_id = models.CharField(
        "ID on the register",
        max_length=40,
        help_text="The CQC location ID, the company number, or the CIW registration ID",
    )
    name = models.CharField("name on the register", max_length=200, blank=True)
    status = models.CharField(
        max_length=60, blank=True, help_text="In the register's own words, such as Registered"
    )
    status_detail = models.CharField(max_length=120, blank=True)
    registration_date = models.DateField(null=True, blank=True)
    deregistration_date = models.DateField("deregistered or dissolved on", null=True, blank=True)
    regulated_activities = models.JSONField(default=list, blank=True)
    service_types = models.JSONField(default=list, blank=True)
    postcode = models.CharField("postcode on the register", max_length=10, blank=True)

    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.UNKNOWN)
    differences = models.JSONField(
        default=list, blank=True, help_text="Each way the register differs, a plain sentence each"
    )
    outcome_changed_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="The last time we asked the register"
    )
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="The last time the register answered: the facts above"
    )
    last_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="The last time the register's answer matched the listing"
    )
    could_not_check = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why the last attempt got no answer; empty when it did",
    )
    # The register's answer, cut down to the documented fields we read (no people's names).
    raw = models.JSONField(default=dict, blank=True)

    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="An officer looked at this outcome; a new outcome goes back to the queue",
    )
    officer_notes = models.TextField(blank=True, help_text="Staff only. Never shown to the public.")

    class Meta:
        ordering = ["provider", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind"], name="one_record_per_register"),
            models.CheckConstraint(
                condition=~Q(outcome="confirmed") | Q(last_confirmed_at__isnull=False),
                name="confirmed_record_has_date",
            ),
            models.CheckConstraint(condition=~Q(register_id=""), name="register_record_has_id"),
        ]
        indexes = [models.Index(fields=["outcome"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.register_id}: {self.get_outcome_display()}"

    def get_additional_data(self):
        """For the audit trail: the listing's timeline shows what the registers said."""
        return {"provider": self.provider_id}

    @property
    def needs_officer(self):
        return self.outcome in self.NEEDS_OFFICER and (
            self.seen_at is None
            or (self.outcome_changed_at is not None and self.seen_at < self.outcome_changed_at)
        )


class SyncCursor(models.Model):
    """Where a register's change feed was last read up to (the CQC's /changes/location)."""

    name = models.CharField(max_length=40, unique=True)
    last_run_at = models.DateTimeField(
        help_text="The end of the last window read in full: the next run starts here"
    )

    def __str__(self):
        return f"{self.name}: {self.last_run_at:%d %B %Y %H:%M}"
