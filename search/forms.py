import re

from django import forms

from .geocoders import GeocodingError, geocode_place
from .models import Postcode, PostcodeNotFound
from .postcodes import InvalidPostcode

# Letters first, then letters, spaces and the punctuation of British place names.
PLACE_NAME = re.compile(r"[A-Za-z][A-Za-z '\-,.&]{1,59}")


class PostcodeSearchForm(forms.Form):
    postcode = forms.CharField(
        label="Enter a postcode",
        help_text="For example, CM1 1AA. You can also enter the first part, like CM1",
        max_length=60,
        error_messages={
            "required": "Enter a postcode",
            "max_length": "Enter a postcode, like CM1 1AA. That is too long to be one",
            "null_characters_not_allowed": "Enter a postcode using letters and numbers only",
        },
    )

    def clean_postcode(self):
        text = self.cleaned_data["postcode"]
        try:
            self.location = Postcode.objects.locate(text)
        except PostcodeNotFound as error:
            raise forms.ValidationError(error.message) from error
        except InvalidPostcode as error:
            if not PLACE_NAME.fullmatch(text.strip()):
                raise forms.ValidationError(error.message) from error
            try:
                self.location = geocode_place(text)
            except GeocodingError as place_error:
                raise forms.ValidationError(place_error.message) from place_error
        return self.location.label


MAX_FILTER_VALUES = 30
MAX_FILTER_VALUE_LENGTH = 80


def filter_data(query):
    """The query string as the filters should see it: no NUL bytes, nothing absurdly long.

    A NUL byte would reach the database in a slug lookup (PostgreSQL refuses it); anything else
    odd is left for the filter form to drop as an unknown choice.
    """
    data = query.copy()
    for key in list(data):
        values = [
            value
            for value in data.getlist(key)[:MAX_FILTER_VALUES]
            if "\x00" not in value and len(value) <= MAX_FILTER_VALUE_LENGTH
        ]
        data.setlist(key, values)
    return data
