from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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


# The topics as the public reads them, in the page's language. The model's own labels stay in
# English for council staff (emails, the workbench).
TOPIC_LABELS = {
    ProblemReport.Topic.OUT_OF_DATE: _("Information is out of date"),
    ProblemReport.Topic.CLOSED: _("The provider has closed"),
    ProblemReport.Topic.SAFETY: _("A concern about quality or safety"),
    ProblemReport.Topic.OTHER: _("Something else"),
}


class ProblemReportForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What is the problem?"),
        choices=[
            (value, TOPIC_LABELS.get(value, label)) for value, label in ProblemReport.Topic.choices
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what the problem is"),
            "invalid_choice": _("Select what the problem is from the list"),
        },
    )
    message = TextField(
        label=_("Tell us about the problem"),
        help_text=_(
            "Tell us what is wrong and, if you know, what the right information is. "
            "Do not include bank details or medical records."
        ),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": _("Tell us what the problem is"),
            # "max_length": set in __init__, to show the limit as 2,000
        },
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        error_messages={"max_length": _("Your name must be %(limit_value)s characters or fewer")},
    )
    contact = forms.CharField(
        label=_("Your email address or phone number (optional)"),
        help_text=_("Only if you are happy for us to contact you about this report."),
        required=False,
        max_length=CONTACT_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Your email address or phone number must be %(limit_value)s characters or fewer"
            )
        },
    )

    NULL_MESSAGES = {
        "message": _(
            "Your message contains a character we cannot accept, shown as �. "
            "Delete it and try again"
        ),
        "name": _(
            "Your name contains a character we cannot accept, shown as �. Delete it and try again"
        ),
        "contact": _(
            "Your email address or phone number contains a character we cannot accept, "
            "shown as �. Delete it and try again"
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].error_messages["max_length"] = gettext(
            "Your message must be %(limit)s characters or fewer"
        ) % {"limit": f"{MESSAGE_MAX_LENGTH:,}"}
        for name, message in self.NULL_MESSAGES.items():
            _refuse_null_characters(self.fields[name], message)
