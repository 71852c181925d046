"""What a person asks the search for: a place (PostcodeSearchForm) and filters (ProviderFilter).

Adding a filter touches three places, and only these:
1. here: its choices and a field on `ProviderFilter` (a yes/no provider column can simply join
   `FLAG_FIELDS`);
2. `search.snapshot`: its column in `Snapshot.__init__` and its test in `Snapshot._matches`
   (a `FLAG_FIELDS` entry needs neither);
3. the reference reading of the rules in `tests/search/test_snapshot_agreement.py` (`facts`).
The staff admin filters listings with the queryset methods in `providers.models`, not these.
"""

import re
from functools import cached_property

import django_filters
from django import forms

from places.geocoders import GeocodingError, geocode_place
from places.models import Postcode, PostcodeNotFound
from places.postcodes import InvalidPostcode
from providers.models import Audience, Provider, Service, ServiceCategory

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


COST_CHOICES = [
    ("free", "Free only"),
    ("15", "Up to £15 an hour"),
    ("20", "Up to £20 an hour"),
    ("25", "Up to £25 an hour"),
]
FEATURE_CHOICES = [
    ("direct_payments", "Accepts Direct Payments"),
    ("checks", "All four basic checks current"),
    ("registered", "Registered with the care regulator (CQC or CIW)"),
]
WHEN_CHOICES = [
    ("weekdays", "Weekdays"),
    ("evenings", "Evenings"),
    ("weekends", "Weekends"),
    ("overnight", "Overnight"),
]
# Options of "Must have" and "When" that are a yes/no column of Provider, by option value.
# "checks" (all four basic checks current on the day) and "registered" (a current registration
# with the regulator) are worked out from the day each stops being current instead.
FLAG_FIELDS = {
    "direct_payments": "accepts_direct_payments",
    **{value: f"available_{value}" for value, _ in WHEN_CHOICES},
}
SORT_CHOICES = [
    ("distance", "Distance"),
    ("name", "Name"),
    ("checked", "Most recently checked by the council"),
]


class ProviderFilter(django_filters.FilterSet):
    category = django_filters.ModelMultipleChoiceFilter(
        label="Type of help",
        queryset=ServiceCategory.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    service = django_filters.ModelMultipleChoiceFilter(
        label="Services",
        queryset=Service.objects.select_related("category"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    audience = django_filters.ModelMultipleChoiceFilter(
        label="Who it is for",
        queryset=Audience.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    cost = django_filters.ChoiceFilter(
        label="Cost", choices=COST_CHOICES, empty_label="Any cost", widget=forms.RadioSelect
    )
    feature = django_filters.MultipleChoiceFilter(
        label="Must have",
        choices=FEATURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    when = django_filters.MultipleChoiceFilter(
        label="When",
        choices=WHEN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Provider
        fields = []

    @cached_property
    def valid_data(self):
        """Cleaned values of the fields that validated; unknown values are simply dropped."""
        self.form.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value}
