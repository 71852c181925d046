from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from .models import CONTACT_MAX_LENGTH, MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH, ProblemReport


class TextField(forms.CharField):
    """A CharField that counts a line break as one character, as the character count does.

    Browsers send line breaks in a textarea as CR LF; the GOV.UK character count counts one.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


def _refuse_null_characters(field, message):
    field.validators = [
        ProhibitNullCharactersValidator(message=message)
        if isinstance(v, ProhibitNullCharactersValidator)
        else v
        for v in field.validators
    ]


class ProblemReportForm(forms.Form):
    topic = forms.ChoiceField(
        label="What is the problem?",
        choices=ProblemReport.Topic.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the problem is",
            "invalid_choice": "Select what the problem is from the list",
        },
    )
    message = TextField(
        label="Tell us about the problem",
        help_text=(
            "Tell us what is wrong and, if you know, what the right information is. "
            "Do not include bank details or medical records."
        ),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": "Tell us what the problem is",
            "max_length": f"Your message must be {MESSAGE_MAX_LENGTH:,} characters or fewer",
        },
    )
    name = forms.CharField(
        label="Your name (optional)",
        required=False,
        max_length=NAME_MAX_LENGTH,
        error_messages={"max_length": f"Your name must be {NAME_MAX_LENGTH} characters or fewer"},
    )
    contact = forms.CharField(
        label="Your email address or phone number (optional)",
        help_text="Only if you are happy for us to contact you about this report.",
        required=False,
        max_length=CONTACT_MAX_LENGTH,
        error_messages={
            "max_length": (
                f"Your email address or phone number must be {CONTACT_MAX_LENGTH} "
                "characters or fewer"
            )
        },
    )

    NULL_MESSAGES = {
        "message": "Your message contains a character we cannot accept, shown as \ufffd. Delete it and try again",
        "name": "Your name contains a character we cannot accept, shown as \ufffd. Delete it and try again",
        "contact": (
            "Your email address or phone number contains a character we cannot accept, "
            "shown as \ufffd. Delete it and try again"
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.NULL_MESSAGES.items():
            _refuse_null_characters(self.fields[name], message)
