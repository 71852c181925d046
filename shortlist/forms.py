import re

from django import forms
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
