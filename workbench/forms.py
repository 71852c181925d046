"""The workbench's forms: every value from the officer is checked here, with a plain message,
before any service sees it."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from providers.models import Check, Provider
from reports.models import ProblemReport

from .listings import CHECK_FILTERS
from .models import ApplicantStage

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
LONGEST_CHECK_YEARS = 10
NULL = {"null_characters_not_allowed": "This contains a character we cannot save"}


def day_field(label, hint, **kwargs):
    return forms.DateField(
        label=label,
        help_text=hint,
        input_formats=DATE_FORMATS,
        error_messages={
            "required": f"Enter the {label[0].lower() + label[1:]}",
            "invalid": f"Enter the {label[0].lower() + label[1:]} as a date, like 31/3/2027",
        },
        **kwargs,
    )


def reason_field(label, hint, **kwargs):
    """Why an officer acts, kept with what they did: up to 1,000 characters."""
    errors = {"max_length": "The reason must be 1,000 characters or fewer", **NULL}
    errors.update(kwargs.pop("error_messages", {}))
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=1000,
        widget=forms.Textarea,
        error_messages=errors,
        **kwargs,
    )


def notes_field(label, hint):
    """What an officer found or did, for staff only: optional, up to 2,000 characters."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": "Write 2,000 characters or fewer", **NULL},
    )


class VersionForm(forms.Form):
    """The listing's version as the officer saw it, sent back with every action."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2**31 - 1,
        error_messages={
            "required": "This form is missing the listing's version: open the listing again",
            "invalid": "This form's listing version is not a number: open the listing again",
            "min_value": "This form's listing version is wrong: open the listing again",
            "max_value": "This form's listing version is wrong: open the listing again",
        },
    )


class RenewalForm(VersionForm):
    verified_on = day_field(
        "Date you saw the new certificate", "For example, 31/3/2027. Today if left as it is"
    )
    expires_on = day_field("New expiry date", "The day it runs out, for example, 31/3/2028")
    reference = forms.CharField(
        label="Reference",
        help_text="The certificate, policy or registration number, if it has one",
        required=False,
        max_length=40,
        error_messages={"max_length": "The reference must be 40 characters or fewer", **NULL},
    )
    note = forms.CharField(
        label="Note for the audit trail (optional)",
        help_text="Why, if it is not simply a renewal. Staff only",
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"max_length": "The note must be 1,000 characters or fewer", **NULL},
    )

    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        verified, expires = cleaned.get("verified_on"), cleaned.get("expires_on")
        if verified and verified > today:
            self.add_error("verified_on", "The date you saw it must be today or in the past")
        elif verified and verified < today - timedelta(days=366):
            self.add_error("verified_on", "The date you saw it must be within the last year")
        if expires and expires <= today:
            self.add_error("expires_on", "The new expiry date must be after today")
        elif expires and expires > today + timedelta(days=366 * LONGEST_CHECK_YEARS):
            self.add_error(
                "expires_on", f"The new expiry date must be within {LONGEST_CHECK_YEARS} years"
            )
        if self.kind == Check.Kind.REGISTRATION and not cleaned.get("reference", "").strip():
            self.add_error(
                "reference", "Enter the ID on the regulator's register, like 1-123456789"
            )
        cleaned["reference"] = cleaned.get("reference", "").strip()
        return cleaned


class SuspendForm(VersionForm):
    reason = reason_field(
        "Why are you suspending it?",
        "Kept in the listing's status history. The public stops seeing it at once",
        error_messages={"required": "Say why you are suspending the listing"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why you are suspending the listing")
        return reason


class PublishForm(VersionForm):
    pass


class ReviewForm(VersionForm):
    reviewed_on = day_field("Date of the review", "The day you checked the whole listing")
    notes = notes_field("What you found", "Staff only. Kept with the review and in the audit trail")

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The review date must be today or in the past")
        if day < timezone.localdate() - timedelta(days=366):
            raise forms.ValidationError("The review date must be within the last year")
        return day


class ReportForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ProblemReport.Status.IN_PROGRESS, "Mark as in progress"),
            (ProblemReport.Status.CLOSED, "Close the report"),
        ],
        error_messages={
            "required": "Choose whether to mark it in progress or close it",
            "invalid_choice": "Choose whether to mark it in progress or close it",
        },
    )
    note = notes_field("What you did", "Staff only. Needed to close the report")

    def clean(self):
        cleaned = super().clean()
        cleaned["note"] = cleaned.get("note", "").strip()
        if cleaned.get("status") == ProblemReport.Status.CLOSED and not cleaned["note"]:
            self.add_error("note", "Say what you did, to close the report")
        return cleaned


class DecisionForm(forms.Form):
    """Approve or reject the changes a provider sent."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: put these changes on the listing"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    reason = reason_field(
        "Reason, if you reject it",
        "The provider is sent this",
        required=False,
        error_messages={
            "null_characters_not_allowed": "The reason contains a character we cannot save"
        },
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why you are rejecting the changes: the provider is told")
        return cleaned


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label="Move the applicant to",
        choices=ApplicantStage.Stage.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a stage",
            "invalid_choice": "Choose one of the stages",
        },
    )


class ListingSearchForm(forms.Form):
    q = forms.CharField(
        label="Name, town, postcode, email or reference",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search for 100 characters or fewer", **NULL},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Provider.Status.choices],
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    checks = forms.ChoiceField(
        label="Checks",
        required=False,
        choices=[("", "Any"), *CHECK_FILTERS.items()],
        error_messages={"invalid_choice": "Choose a checks filter from the list"},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100000,
        error_messages={
            "invalid": "The page must be a number",
            "min_value": "The page must be 1 or more",
            "max_value": "There are not that many pages",
        },
    )

    def clean_q(self):
        return self.cleaned_data["q"].strip()
