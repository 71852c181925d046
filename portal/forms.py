"""Forms for providers: the application's question pages, signing in, updating a listing, saying
a check was renewed, and the programme figures. Every message is plain English (and Welsh, from
the translation catalogue): labels and messages are lazy, so they are in the page's language."""

import re
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from places.models import Postcode, PostcodeNotFound
from places.postcodes import InvalidPostcode, normalise
from providers.models import Audience, Check, NewClients, Provider, Service

from .models import ProviderFigures

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
PHONE = re.compile(r"[0-9 +()\-]{6,30}")
MAX_RATE = Decimal("999.99")
AVAILABILITY = [
    ("weekdays", _("Weekdays")),
    ("evenings", _("Evenings")),
    ("weekends", _("Weekends")),
    ("overnight", _("Overnight")),
]


def _filled(message, **values):
    """A message with its placeholders filled in, translated when it is shown (not at import)."""
    return str(message) % {name: str(value) for name, value in values.items()}


_filled_lazy = lazy(_filled, str)


def _nul_message(label):
    return _filled_lazy(
        _("%(label)s contains a character we cannot save. Retype it without copying and pasting"),
        label=label,
    )


def _max_length_message(label, max_length):
    return _filled_lazy(
        _("%(label)s must be %(max_length)s characters or fewer"),
        label=label,
        max_length=max_length,
    )


def text(label, max_length, *, required=True, missing="", hint="", widget=None):
    """A text field; `missing` is the message when a required one is left empty."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=hint,
        widget=widget,
        error_messages={
            "required": missing,
            "max_length": _max_length_message(label, max_length),
            "null_characters_not_allowed": _nul_message(label),
        },
    )


def yes_no(label, hint=""):
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select yes or no"),
            "invalid_choice": _("Select yes or no"),
        },
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
            "invalid": _filled_lazy(
                _("%(label)s must be an amount in pounds, like 18.50"), label=label
            ),
            "min_value": _filled_lazy(_("%(label)s must be 0 or more"), label=label),
            "max_value": _filled_lazy(_("%(label)s must be £999.99 or less"), label=label),
            "max_decimal_places": _filled_lazy(
                _("%(label)s must be in pounds and pence, like 18.50"), label=label
            ),
            "max_digits": _filled_lazy(_("%(label)s must be £999.99 or less"), label=label),
        },
    )


def service_choices():
    return Service.objects.select_related("category").order_by("category__name", "name")


class ServiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, service):
        return f"{service.category.name}: {service.name}"


# Questions applying and updating a listing both ask --------------------------------------------


def services_field(**extra):
    """The services picker; its choices are set per form (`service_choices()`)."""
    return ServiceField(
        label=_("What help do you give?"),
        queryset=Service.objects.none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one kind of help you give"),
            "invalid_choice": _("Select the help you give from the list"),
            "invalid_pk_value": _("Select the help you give from the list"),
        },
        **extra,
    )


def audiences_field(**extra):
    return forms.ModelMultipleChoiceField(
        label=_("Who do you help?"),
        queryset=Audience.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Select who you help from the list"),
            "invalid_pk_value": _("Select who you help from the list"),
        },
        **extra,
    )


def availability_field(**extra):
    return forms.MultipleChoiceField(
        label=_("When can you help?"),
        choices=AVAILABILITY,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one time you can help"),
            "invalid_choice": _("Select when you can help from the list"),
        },
        **extra,
    )


def tidy_phone(phone):
    """A phone number with its spaces tidied, or a ValidationError."""
    phone = " ".join(phone.split())
    if phone and not PHONE.fullmatch(phone):
        raise forms.ValidationError(gettext("Enter a phone number, like 01632 960 001"))
    return phone


def check_rates(form, *, free):
    """No rates for free help, and the highest rate at least the lowest."""
    low, high = form.cleaned_data.get("hourly_rate_min"), form.cleaned_data.get("hourly_rate_max")
    if free and (low or high):
        form.add_error("hourly_rate_min", gettext("Leave the rates empty if your help is free"))
    if low is not None and high is not None and low > high:
        form.add_error(
            "hourly_rate_max",
            gettext("The highest rate must be the same as or more than the lowest"),
        )


# The application, one question page at a time ---------------------------------------------------


class BusinessForm(forms.Form):
    title = _("About your business")
    name = text(
        _("Business name"),
        120,
        missing=_("Enter business name"),
        hint=_("As people will see it in the directory"),
    )
    summary = text(
        _("What you do, in one or two sentences"),
        240,
        missing=_("Enter what you do, in one or two sentences"),
        hint=_("This is shown in search results"),
        widget=forms.Textarea,
    )
    legal_form = forms.ChoiceField(
        label=_("What kind of business is it?"),
        choices=Provider.LegalForm.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what kind of business it is")},
    )
    workers = forms.IntegerField(
        label=_("How many people work in the business, including you?"),
        help_text=_("Paid or unpaid. A micro-enterprise has 8 at most"),
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        error_messages={
            "required": _("Enter how many people work in the business"),
            "invalid": _("Enter how many people work in the business as a number, like 2"),
            "min_value": _("Enter at least 1: you"),
            "max_value": _("The directory lists businesses of 8 people or fewer"),
        },
    )


class OfferForm(forms.Form):
    title = _("What you offer")
    services = services_field(help_text=_("Select all that apply"))
    audiences = audiences_field(help_text=_("Select all that apply, or none if you help anyone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = service_choices()


class WhereForm(forms.Form):
    title = _("Where you work")
    base_postcode = text(
        _("Your business postcode"),
        10,
        missing=_("Enter your business postcode"),
        hint=_("Where you are based. We never show it: people see only the area, like CM1 1"),
    )
    town = text(
        _("Town or village"),
        80,
        missing=_("Enter town or village"),
        hint=_("Shown with your listing"),
    )
    coverage_radius_miles = forms.IntegerField(
        label=_("How many miles will you travel?"),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        error_messages={
            "required": _("Enter how many miles you will travel"),
            "invalid": _("Enter how many miles you will travel as a number, like 10"),
            "min_value": _("Enter 0 or more miles"),
            "max_value": _("Enter 50 miles or fewer"),
        },
    )

    def clean_base_postcode(self):
        try:
            postcode = normalise(self.cleaned_data["base_postcode"])
            Postcode.objects.locate(postcode)
        except (InvalidPostcode, PostcodeNotFound) as error:
            raise forms.ValidationError(
                gettext("Enter a full postcode, like CM1 1AE")
                if isinstance(error, InvalidPostcode)
                else gettext("We could not find %(postcode)s. Check it and try again")
                % {"postcode": postcode}
            ) from error
        return postcode


class CostForm(forms.Form):
    title = _("What you charge")
    is_free = yes_no(_("Is your help free of charge?"))
    hourly_rate_min = rate(_("Lowest hourly rate"))
    hourly_rate_max = rate(_("Highest hourly rate"))
    cost_notes = text(_("Anything else about cost"), 240, required=False)
    accepts_direct_payments = yes_no(
        _("Can people pay you with a Direct Payment?"),
        hint=_("Money from the council that people use to arrange their own care"),
    )

    def clean(self):
        cleaned = super().clean()
        check_rates(self, free=cleaned.get("is_free") == "yes")
        if (
            cleaned.get("is_free") == "no"
            and cleaned.get("hourly_rate_min") is None
            and "hourly_rate_min" not in self.errors
        ):
            self.add_error("hourly_rate_min", gettext("Enter your lowest hourly rate"))
        return cleaned


class WhenForm(forms.Form):
    title = _("When you work")
    availability = availability_field(help_text=_("Select all that apply"))
    languages = text(
        _("Languages you speak"),
        200,
        missing=_("Enter languages you speak"),
        hint=_("Separate them with commas"),
    )


class ContactForm(forms.Form):
    title = _("How people contact you")
    contact_name = text(_("Name people should ask for"), 120, required=False)
    phone = text(_("Phone number"), 30, required=False)
    email = forms.EmailField(
        label=_("Email address for the public"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Enter an email address in the right format, like name@example.com")
        },
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a website address, like https://www.example.com")},
    )

    def clean_phone(self):
        return tidy_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(n) for n in ("phone", "email", "website")):
            raise forms.ValidationError(
                gettext("Give at least one way to contact you: a phone number, email or website")
            )
        return cleaned


class RegistrationForm(forms.Form):
    """The five questions that help a micro-enterprise see whether it must register with the
    care regulator (CQC in England, CIW in Wales) to give personal care."""

    title = _("Do you need to register?")
    personal_care = yes_no(
        _("Will you help people with personal care?"),
        hint=_("Such as washing, dressing, eating, going to the toilet or taking medicines"),
    )
    alone = yes_no(
        _("Do you work on your own?"),
        hint=_("You do not employ anyone, and no one else gives care for your business"),
    )
    arranged_directly = yes_no(
        _("Does each person you help, or their family, arrange the care with you directly?"),
        hint=_("Not through an agency, or a contract with the council or the NHS"),
    )
    their_direction = yes_no(
        _("Do the people you help decide how and when you help them?"),
        hint=_("You work under their control and direction"),
    )
    introduce_others = yes_no(
        _("Do you introduce or supply other care workers to people?"),
        hint=_("For example, finding someone to cover when you are away"),
    )


class AccountForm(forms.Form):
    title = _("Your email address")
    account_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_(
            "We will email you here about your application, and send you links to sign in. "
            "It is not shown to the public"
        ),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the right format, like name@example.com"),
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
        label=_("Email address"),
        help_text=_("The address you applied with, or that the council invited"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the right format, like name@example.com"),
        },
    )


# A provider's own listing -------------------------------------------------------------------------

EDITABLE = [
    "summary",
    "description",
    "summary_cy",
    "description_cy",
    "welsh_spoken",
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
AVAILABILITY_FIELDS = [f"available_{value}" for value, _label in AVAILABILITY]


def yes_no_bool(label):
    """Yes/no radios for a true/false column (GOV.UK asks a question, not a lone checkbox)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[(True, _("Yes")), (False, _("No"))],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select yes or no"),
            "invalid_choice": _("Select yes or no"),
        },
    )


class ListingForm(forms.ModelForm):
    """What a provider may change. Saved as a proposal for staff, never straight to the listing.

    `seen_revision` is the revision of the waiting proposal the form was drawn from (0 for
    none), so a second window cannot quietly undo the first."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    services = services_field()
    audiences = audiences_field()
    phone = text(_("Phone"), 30, required=False)
    website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a website address, like https://www.example.com")},
    )
    is_free = yes_no_bool(_("Is your help free of charge?"))
    accepts_direct_payments = yes_no_bool(_("Can people pay you with a Direct Payment?"))
    availability = availability_field()

    class Meta:
        model = Provider
        fields = EDITABLE
        widgets = {
            "description": forms.Textarea,
            "summary": forms.Textarea,
            "description_cy": forms.Textarea,
            "summary_cy": forms.Textarea,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = service_choices()
        if "availability" not in self.initial:
            self.initial["availability"] = [
                value
                for value, _label in AVAILABILITY
                if getattr(self.instance, f"available_{value}")
            ]
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            label = str(field.label or name).capitalize()
            field.error_messages["null_characters_not_allowed"] = _nul_message(label)
            if field.max_length:
                field.error_messages["max_length"] = _max_length_message(label, field.max_length)

    def clean_phone(self):
        return tidy_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        check_rates(self, free=bool(cleaned.get("is_free")))
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
        for value, _label in AVAILABILITY:
            wanted[f"available_{value}"] = value in self.cleaned_data["availability"]
        return wanted


class RenewalForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Check.Kind.choices,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Choose one of the checks your listing has")},
    )

    def __init__(self, *args, kinds=None, **kwargs):
        """`kinds`: the checks this listing can renew (`renewable_checks`); only those."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(kind, label) for kind, label in kinds]

    expires_on = forms.DateField(
        label=_("New expiry date"),
        help_text=_("For example, 27 3 2027. Send the new certificate to the council as well"),
        input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "required": _("Enter the new expiry date"),
            "invalid": _("Enter the new expiry date as day, month and year, like 27 3 2027"),
        },
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(gettext("The new expiry date must be in the future"))
        if day.year > today.year + 10:
            raise forms.ValidationError(gettext("The new expiry date must be within 10 years"))
        return day


class FiguresForm(forms.ModelForm):
    class Meta:
        model = ProviderFigures
        fields = ["people_supported", "hours_a_week"]
        # The model's own words, here again so that they are translated.
        labels = {"people_supported": _("People you support"), "hours_a_week": _("Hours a week")}
        help_texts = {
            "people_supported": _("How many people you support at the moment"),
            "hours_a_week": _("About how many hours of support you give in a usual week"),
        }
        error_messages = {
            "people_supported": {
                "required": _("Enter how many people you support"),
                "invalid": _("Enter how many people you support as a number, like 6"),
                "min_value": _("Enter 0 or more people"),
            },
            "hours_a_week": {
                "required": _("Enter about how many hours a week"),
                "invalid": _("Enter the hours a week as a number, like 30"),
                "min_value": _("Enter 0 or more hours"),
            },
        }

    def clean_people_supported(self):
        value = self.cleaned_data["people_supported"]
        if value > 10000:
            raise forms.ValidationError(gettext("Enter 10,000 people or fewer"))
        return value

    def clean_hours_a_week(self):
        value = self.cleaned_data["hours_a_week"]
        if value > 100000:
            raise forms.ValidationError(gettext("Enter 100,000 hours or fewer"))
        return value


class NewClientsLinksForm(forms.Form):
    """Ask for the "taking new clients" links by email (no sign-in)."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("Your listing's email address, or the one you sign in with"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the right format, like name@example.com"),
        },
    )


class NewClientsForm(forms.Form):
    """The three buttons on the provider's own page: each submits one answer."""

    new_clients = forms.ChoiceField(
        choices=NewClients.choices,
        error_messages={"required": _("Choose an answer"), "invalid_choice": _("Choose an answer")},
    )
