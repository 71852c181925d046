import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import TOKEN_PATTERN
from .session import MAX_NOTE_LENGTH, MAX_PROVIDER_ID

MAX_MADE_BY_LENGTH = 100
ACTION = re.compile(r"\A(up|down|remove):([1-9][0-9]{0,18})\Z")
TOKEN = re.compile(rf"\A{TOKEN_PATTERN}\Z")


class ProviderForm(forms.Form):
    """The `provider` of an add or remove button."""

    provider = forms.IntegerField(
        min_value=1,
        max_value=MAX_PROVIDER_ID,
        error_messages={
            "required": _("Choose a provider to add to or remove from your shortlist"),
            "invalid": _("We could not find that provider"),
            "min_value": _("We could not find that provider"),
            "max_value": _("We could not find that provider"),
        },
    )


class NoteField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_NOTE_LENGTH)
        kwargs.setdefault("widget", forms.Textarea)
        super().__init__(**kwargs)

    def to_python(self, value):
        # Browsers send a new line as \r\n but count it as one character, as we do.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class NotesForm(forms.Form):
    """Notes typed on the shortlist page, one `note-<id>` field per provider on it.

    Only fields that were actually sent are validated and saved, so a button posted from
    elsewhere (or an old copy of the page) never wipes a note.
    """

    def __init__(self, data, rows):
        super().__init__(data, auto_id="%s")
        # Shown on the shared page instead of "Someone made this list", when the maker types it.
        self.fields["made_by"] = forms.CharField(
            label=gettext("Made by (optional)"),
            help_text=gettext(
                "Your name or your team, for example Chelmsford adult social care. It is "
                "shown at the top of the shared page"
            ),
            required=False,
            max_length=MAX_MADE_BY_LENGTH,
            error_messages={
                "max_length": gettext("Made by must be %(limit)s characters or fewer")
                % {"limit": MAX_MADE_BY_LENGTH},
                "null_characters_not_allowed": gettext(
                    "Made by contains a character we cannot save. "
                    "Retype it without copying and pasting"
                ),
            },
        )
        for row in rows:
            name = f"note-{row['id']}"
            if name not in data:
                continue
            label = (
                gettext("Your note about %(name)s") % {"name": row["provider"].name}
                if row["provider"]
                else gettext("Your note")
            )
            self.fields[name] = NoteField(
                label=label,
                error_messages={
                    "max_length": gettext("%(label)s must be %(limit)s characters or fewer")
                    % {"label": label, "limit": MAX_NOTE_LENGTH},
                    "null_characters_not_allowed": gettext(
                        "%(label)s contains a character we cannot save. "
                        "Retype it without copying and pasting"
                    )
                    % {"label": label},
                },
            )

    def notes(self):
        """{provider id: note} for the fields sent."""
        return {
            int(name.split("-", 1)[1]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("note-")
        }

    def clean_made_by(self):
        # One line of plain text: no line breaks or other control characters.
        return " ".join(self.cleaned_data["made_by"].split())


# An address as people type it, in plain ASCII: no quotes, spaces, line breaks or other control
# characters (Django's own check lets some through in a quoted local part), so nothing typed here
# can reach an email header as anything but one address.
EMAIL = re.compile(r"\A[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
MAX_EMAIL_LENGTH = 254
# Web and email addresses in "your name or team": a scheme, www., an @ or a common domain ending.
WEB_ADDRESS = re.compile(
    r"://|\bwww\.|@|[a-z0-9-]\.(com|net|org|uk|info|biz|io|co|xyz|ru|app|online|site|link|top)\b",
    re.IGNORECASE,
)


class EmailShortlistForm(forms.Form):
    """Send the shortlist by email: to whom, and who it is from (optional)."""

    def __init__(self, data=None):
        super().__init__(data, auto_id="send-%s")
        self.fields["email"] = forms.CharField(
            label=gettext("Email address"),
            help_text=gettext("Yours, or the person you are helping"),
            max_length=MAX_EMAIL_LENGTH,
            error_messages={
                "required": gettext("Enter an email address"),
                "max_length": gettext("Email address must be %(limit)s characters or fewer")
                % {"limit": MAX_EMAIL_LENGTH},
                "null_characters_not_allowed": gettext(
                    "Enter an email address in the right format, like name@example.com"
                ),
            },
        )
        self.fields["name"] = forms.CharField(
            label=gettext("Your name or team (optional)"),
            help_text=gettext(
                "Shown at the top of the email, for example Chelmsford adult social care"
            ),
            required=False,
            max_length=MAX_MADE_BY_LENGTH,
            error_messages={
                "max_length": gettext("Your name or team must be %(limit)s characters or fewer")
                % {"limit": MAX_MADE_BY_LENGTH},
                "null_characters_not_allowed": gettext(
                    "Your name or team contains a character we cannot send. "
                    "Retype it without copying and pasting"
                ),
            },
        )

    def clean_email(self):
        value = self.cleaned_data["email"]
        try:
            if not EMAIL.match(value):
                raise ValidationError("not a plain address")
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                gettext("Enter an email address in the right format, like name@example.com")
            ) from None
        return value

    def clean_name(self):
        # One line of plain words: it goes into an email to someone else, so no line breaks,
        # control characters or web addresses (nobody can use the form to send a link).
        value = " ".join(self.cleaned_data["name"].split())
        if any(unicodedata.category(char)[0] == "C" for char in value):
            raise ValidationError(
                gettext(
                    "Your name or team contains a character we cannot send. "
                    "Retype it without copying and pasting"
                )
            )
        if WEB_ADDRESS.search(value):
            raise ValidationError(
                gettext("Your name or team cannot include a web or email address")
            )
        return value


def parse_action(value):
    """("save", None), ("up" | "down" | "remove", provider id), or None for anything else."""
    if value in (None, "", "save"):
        return "save", None
    match = ACTION.match(value) if isinstance(value, str) else None
    if not match:
        return None
    pk = int(match.group(2))
    if pk > MAX_PROVIDER_ID:
        return None
    return match.group(1), pk


def valid_token(value):
    return isinstance(value, str) and bool(TOKEN.match(value))
