"""Forms for providers: the application's question pages, signing in, updating a listing, saying
a check was renewed, and the programme figures. Every message is plain English."""

import re
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from places.models import Postcode, PostcodeNotFound
from places.postcodes import InvalidPostcode, normalise
from providers.models import Audience, Check, Provider, Service

from .models import ProviderFigures

YES_NO = [("yes", "Yes"), ("no", "No")]
PHONE = re.compile(r"[0-9 +()\-]{6,30}")
MAX_RATE = Decimal("999.99")
AVAILABILITY = [
    ("weekdays", "Weekdays"),
    ("evenings", "Evenings"),
    ("weekends", "Weekends"),
    ("overnight", "Overnight"),
]


def _nul_message(label):
    return f"{label} contains a character we cannot save. Retype it without copying and pasting"


def text(label, max_length, *, required=True, hint="", widget=None):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=hint,
        widget=widget,
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
            "null_characters_not_allowed": _nul_message(label),
        },
    )


def yes_no(label, hint=""):
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no", "invalid_choice": "Select yes or no"},
    )


def rate(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_RATE,
        decimal_places=2,
        max_digits=6,
        error_messages={
            "invalid": f"{label} must be an amount in pounds, like 18.50",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be £999.99 or less",
            "max_decimal_places": f"{label} must be in pounds and pence, like 18.50",
            "max_digits": f"{label} must be £999.99 or less",
        },
    )


def service_choices():
    return Service.objects.select_related("category").order_by("category__name", "name")


class ServiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, service):
        return f"{service.category.name}: {service.name}"


# The application, one question page at a time ---------------------------------------------------


class BusinessForm(forms.Form):
    title = "About your business"
    name = text("Business name", 120, hint="As people will see it in the directory")
    summary = text(
        "What you do, in one or two sentences",
        240,
        hint="This is shown in search results",
        widget=forms.Textarea,
    )
    legal_form = forms.ChoiceField(
        label="What kind of business is it?",
        choices=Provider.LegalForm.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of business it is"},
    )
    workers = forms.IntegerField(
        label="How many people work in the business, including you?",
        help_text="Paid or unpaid. A micro-enterprise has 8 at most",
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        error_messages={
            "required": "Enter how many people work in the business",
            "invalid": "Enter how many people work in the business as a number, like 2",
            "min_value": "Enter at least 1: you",
            "max_value": "The directory lists businesses of 8 people or fewer",
        },
    )


class OfferForm(forms.Form):
    title = "What you offer"
    services = ServiceField(
        label="What help do you give?",
        help_text="Select all that apply",
        queryset=Service.objects.none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one kind of help you give",
            "invalid_choice": "Select the help you give from the list",
            "invalid_pk_value": "Select the help you give from the list",
        },
    )
    audiences = forms.ModelMultipleChoiceField(
        label="Who do you help?",
        help_text="Select all that apply, or none if you help anyone",
        queryset=Audience.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select who you help from the list",
            "invalid_pk_value": "Select who you help from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = service_choices()


class WhereForm(forms.Form):
    title = "Where you work"
    base_postcode = text(
        "Your business postcode",
        10,
        hint="Where you are based. We never show it: people see only the area, like CM1 1",
    )
    town = text("Town or village", 80, hint="Shown with your listing")
    coverage_radius_miles = forms.IntegerField(
        label="How many miles will you travel?",
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        error_messages={
            "required": "Enter how many miles you will travel",
            "invalid": "Enter how many miles you will travel as a number, like 10",
            "min_value": "Enter 0 or more miles",
            "max_value": "Enter 50 miles or fewer",
        },
    )

    def clean_base_postcode(self):
        try:
            postcode = normalise(self.cleaned_data["base_postcode"])
            Postcode.objects.locate(postcode)
        except (InvalidPostcode, PostcodeNotFound) as error:
            raise forms.ValidationError(
                "Enter a full postcode, like CM1 1AE"
                if isinstance(error, InvalidPostcode)
                else f"We could not find {postcode}. Check it and try again"
            ) from error
        return postcode


class CostForm(forms.Form):
    title = "What you charge"
    is_free = yes_no("Is your help free of charge?")
    hourly_rate_min = rate("Lowest hourly rate")
    hourly_rate_max = rate("Highest hourly rate")
    cost_notes = text("Anything else about cost", 240, required=False)
    accepts_direct_payments = yes_no(
        "Can people pay you with a Direct Payment?",
        hint="Money from the council that people use to arrange their own care",
    )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("hourly_rate_min"), cleaned.get("hourly_rate_max")
        if cleaned.get("is_free") == "yes" and (low or high):
            self.add_error("hourly_rate_min", "Leave the rates empty if your help is free")
        elif (
            cleaned.get("is_free") == "no"
            and low is None
            and "hourly_rate_min" not in (self.errors)
        ):
            self.add_error("hourly_rate_min", "Enter your lowest hourly rate")
        if low is not None and high is not None and low > high:
            self.add_error(
                "hourly_rate_max", "The highest rate must be the same as or more than the lowest"
            )
        return cleaned


class WhenForm(forms.Form):
    title = "When you work"
    availability = forms.MultipleChoiceField(
        label="When can you help?",
        help_text="Select all that apply",
        choices=AVAILABILITY,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one time you can help",
            "invalid_choice": "Select when you can help from the list",
        },
    )
    languages = text("Languages you speak", 200, hint="Separate them with commas")


class ContactForm(forms.Form):
    title = "How people contact you"
    contact_name = text("Name people should ask for", 120, required=False)
    phone = text("Phone number", 30, required=False)
    email = forms.EmailField(
        label="Email address for the public",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.com"
        },
    )
    website = forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter a website address, like https://www.example.com"},
    )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001")
        return phone

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(n) for n in ("phone", "email", "website")):
            raise forms.ValidationError(
                "Give at least one way to contact you: a phone number, email or website"
            )
        return cleaned


class RegistrationForm(forms.Form):
    """The five questions that help a micro-enterprise see whether it must register with the
    care regulator (CQC in England, CIW in Wales) to give personal care."""

    title = "Do you need to register?"
    personal_care = yes_no(
        "Will you help people with personal care?",
        hint="Such as washing, dressing, eating, going to the toilet or taking medicines",
    )
    alone = yes_no(
        "Do you work on your own?",
        hint="You do not employ anyone, and no one else gives care for your business",
    )
    arranged_directly = yes_no(
        "Does each person you help, or their family, arrange the care with you directly?",
        hint="Not through an agency, or a contract with the council or the NHS",
    )
    their_direction = yes_no(
        "Do the people you help decide how and when you help them?",
        hint="You work under their control and direction",
    )
    introduce_others = yes_no(
        "Do you introduce or supply other care workers to people?",
        hint="For example, finding someone to cover when you are away",
    )


class AccountForm(forms.Form):
    title = "Your email address"
    account_email = forms.EmailField(
        label="Your email address",
        help_text="We will email you here about your application, and send you links to sign in. "
        "It is not shown to the public",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
    )


STEPS = {
    "business": BusinessForm,
    "offer": OfferForm,
    "where": WhereForm,
    "cost": CostForm,
    "when": WhenForm,
    "contact": ContactForm,
    "registration": RegistrationForm,
    "account": AccountForm,
}


# Signing in -------------------------------------------------------------------------------------


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The address you applied with, or that the council invited",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
    )


# A provider's own listing -------------------------------------------------------------------------

EDITABLE = [
    "summary",
    "description",
    "contact_name",
    "phone",
    "email",
    "website",
    "coverage_radius_miles",
    "is_free",
    "hourly_rate_min",
    "hourly_rate_max",
    "cost_notes",
    "accepts_direct_payments",
    "languages",
    "services",
    "audiences",
]
M2M_FIELDS = {"services", "audiences"}
AVAILABILITY_FIELDS = [f"available_{value}" for value, _ in AVAILABILITY]


def yes_no_bool(label):
    """Yes/no radios for a true/false column (GOV.UK asks a question, not a lone checkbox)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no", "invalid_choice": "Select yes or no"},
    )


class ListingForm(forms.ModelForm):
    """What a provider may change. Saved as a proposal for staff, never straight to the listing.

    `seen_revision` is the revision of the waiting proposal the form was drawn from (0 for
    none), so a second window cannot quietly undo the first."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    services = ServiceField(
        label="What help do you give?",
        queryset=Service.objects.none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one kind of help you give",
            "invalid_choice": "Select the help you give from the list",
            "invalid_pk_value": "Select the help you give from the list",
        },
    )
    audiences = forms.ModelMultipleChoiceField(
        label="Who do you help?",
        queryset=Audience.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select who you help from the list",
            "invalid_pk_value": "Select who you help from the list",
        },
    )
    phone = text("Phone", 30, required=False)
    website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter a website address, like https://www.example.com"},
    )
    is_free = yes_no_bool("Is your help free of charge?")
    accepts_direct_payments = yes_no_bool("Can people pay you with a Direct Payment?")
    availability = forms.MultipleChoiceField(
        label="When can you help?",
        choices=AVAILABILITY,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one time you can help",
            "invalid_choice": "Select when you can help from the list",
        },
    )

    class Meta:
        model = Provider
        fields = EDITABLE
        widgets = {"description": forms.Textarea, "summary": forms.Textarea}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = service_choices()
        if "availability" not in self.initial:
            self.initial["availability"] = [
                value for value, _ in AVAILABILITY if getattr(self.instance, f"available_{value}")
            ]
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            label = str(field.label or name).capitalize()
            field.error_messages["null_characters_not_allowed"] = _nul_message(label)
            if field.max_length:
                field.error_messages["max_length"] = (
                    f"{label} must be {field.max_length} characters or fewer"
                )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001")
        return phone

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("hourly_rate_min"), cleaned.get("hourly_rate_max")
        if cleaned.get("is_free") and (low or high):
            self.add_error("hourly_rate_min", "Leave the rates empty if your help is free")
        if low is not None and high is not None and low > high:
            self.add_error(
                "hourly_rate_max", "The highest rate must be the same as or more than the lowest"
            )
        return cleaned

    def _post_clean(self):
        # The model's own rules (a travel radius of 50 miles at most, say), checked without
        # writing to the instance: the listing changes only when staff approve.
        for name in EDITABLE:
            if name in M2M_FIELDS or name not in self.cleaned_data:
                continue
            try:
                Provider._meta.get_field(name).run_validators(self.cleaned_data[name])
            except forms.ValidationError as error:
                self.add_error(name, error)

    def changes(self):
        """{Provider field: new value} for every field the form covers."""
        wanted = {name: self.cleaned_data[name] for name in EDITABLE}
        for value, _ in AVAILABILITY:
            wanted[f"available_{value}"] = value in self.cleaned_data["availability"]
        return wanted


class RenewalForm(forms.Form):
    kind = forms.ChoiceField(choices=Check.Kind.choices, widget=forms.HiddenInput)
    expires_on = forms.DateField(
        label="New expiry date",
        help_text="For example, 27 3 2027. Send the new certificate to the council as well",
        input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "required": "Enter the new expiry date",
            "invalid": "Enter the new expiry date as day, month and year, like 27 3 2027",
        },
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("The new expiry date must be in the future")
        if day.year > today.year + 10:
            raise forms.ValidationError("The new expiry date must be within 10 years")
        return day


class FiguresForm(forms.ModelForm):
    class Meta:
        model = ProviderFigures
        fields = ["people_supported", "hours_a_week"]
        error_messages = {
            "people_supported": {
                "required": "Enter how many people you support",
                "invalid": "Enter how many people you support as a number, like 6",
                "min_value": "Enter 0 or more people",
            },
            "hours_a_week": {
                "required": "Enter about how many hours a week",
                "invalid": "Enter the hours a week as a number, like 30",
                "min_value": "Enter 0 or more hours",
            },
        }

    def clean_people_supported(self):
        value = self.cleaned_data["people_supported"]
        if value > 10000:
            raise forms.ValidationError("Enter 10,000 people or fewer")
        return value

    def clean_hours_a_week(self):
        value = self.cleaned_data["hours_a_week"]
        if value > 100000:
            raise forms.ValidationError("Enter 100,000 hours or fewer")
        return value
