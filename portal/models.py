"""Providers' own side of the directory: who manages which listing, what they applied with, the
changes they propose (which staff approve before the public sees them), and the figures they
report for the programme.

A provider never edits their public listing directly: everything goes through a ProposedChange.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from providers.models import Provider


def is_staff_account(user):
    """Staff, an administrator, or in any staff group: never a provider's account."""
    return user.is_staff or user.is_superuser or user.groups.exists()


class Owner(models.Model):
    """The person who manages a listing. One account manages one listing, and a provider's
    account is never a staff account (it signs in with emailed links, which staff never may)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_owner"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="owners")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"{self.user.email} manages {self.provider}"

    def clean(self):
        if self.user_id and is_staff_account(self.user):
            raise ValidationError(
                {
                    "user": "This is a council staff account. A provider needs an account of their own."
                }
            )

    def get_additional_data(self):
        return {"provider": self.provider_id}  # so the listing's timeline shows it


class Application(models.Model):
    """What someone answered when they applied to be listed, kept for the officer who reviews it."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="application")
    email = models.EmailField(help_text="The applicant's own address, for signing in")
    email_in_use = models.BooleanField(
        "this email is already used",
        default=False,
        help_text="Another account (staff or another provider) has this address, so the "
        "application has no account: invite the applicant with an address of their own",
    )
    answers = models.JSONField(default=dict, help_text="Every answer, as given")
    regulation_advice = models.TextField(
        blank=True, help_text="What we told them about registering"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Application for {self.provider}"

    def get_additional_data(self):
        return {"provider": self.provider_id}


class ProposedChange(models.Model):
    """Changes a provider asked for, field by field, waiting for an officer.

    `changes` is {field: {"old": value then, "new": value asked for}}; a check renewal is the
    field "check:<kind>" with the new expiry date. A listing has at most one pending proposal:
    further changes join it (the database constraint holds even for two submissions at once).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the council"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    changes = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(
        default=1, help_text="Goes up each time the provider adds to it, so an old form is spotted"
    )
    listing_version = models.PositiveIntegerField(
        help_text="The listing's version when this was last changed: staff are told if the "
        "listing has changed since"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was not approved, as told to them")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=Q(status="pending"),
                name="one_pending_proposal_per_listing",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="rejected_proposal_has_reason",
            ),
        ]

    def __str__(self):
        return f"Change to {self.provider} ({self.get_status_display().lower()})"

    def get_additional_data(self):
        return {"provider": self.provider_id}


class ProviderFigures(models.Model):
    """What a provider reports about its work, for the programme's figures. Staff only: the
    public sees totals across many providers, never one provider's numbers."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="figures")
    people_supported = models.PositiveIntegerField(
        "people you support", help_text="How many people you support at the moment"
    )
    hours_a_week = models.PositiveIntegerField(
        "hours a week", help_text="About how many hours of support you give in a usual week"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "provider figures"
        constraints = [
            models.CheckConstraint(
                condition=Q(people_supported__lte=10000, hours_a_week__lte=100000),
                name="figures_in_range",
            )
        ]

    def __str__(self):
        return f"Figures for {self.provider}"

    def get_additional_data(self):
        return {"provider": self.provider_id}
