from django import forms
from django.utils import timezone


class SeenForm(forms.Form):
    notes = forms.CharField(
        label="What you decided (optional)",
        help_text="Staff only. For example: the agency's office is in the next town; fine.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Your note must be 1,000 characters or fewer",
            "null_characters_not_allowed": "Your note contains a character we cannot save",
        },
    )


class CiwRecordForm(forms.Form):
    """What an officer saw on Care Inspectorate Wales's register search."""

    STATUSES = [
        ("registered", "Registered"),
        ("cancelled", "Registration cancelled"),
        ("not_found", "Not found on the register"),
    ]

    register_id = forms.CharField(
        label="Registration ID on CIW's register",
        max_length=40,
        error_messages={
            "required": "Enter the registration ID you looked up",
            "max_length": "The registration ID must be 40 characters or fewer",
        },
    )
    status = forms.ChoiceField(
        label="What the register says",
        choices=STATUSES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the register says",
            "invalid_choice": "Choose one of the answers: registered, cancelled or not found",
        },
    )
    service_types = forms.CharField(
        label="Service types listed (optional)",
        help_text="As the register words them, separated by commas, such as Domiciliary support service",
        required=False,
        max_length=300,
        error_messages={"max_length": "The service types must be 300 characters or fewer"},
    )
    seen_on = forms.DateField(
        label="Date you looked",
        help_text="For example, 27 3 2026 or 2026-03-27",
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={
            "required": "Enter the date you looked at the register",
            "invalid": "Enter the date as day month year, like 27 3 2026",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Your notes must be 1,000 characters or fewer"},
    )

    def clean_seen_on(self):
        seen_on = self.cleaned_data["seen_on"]
        if seen_on > timezone.localdate():
            raise forms.ValidationError("The date you looked must be today or in the past")
        return seen_on
