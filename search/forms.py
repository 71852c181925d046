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
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from places.geocoders import GeocodingError, geocode_place
from places.models import PLACE, Location, Postcode, PostcodeNotFound
from places.placenames import AmbiguousPlace, PlaceNotFound, find_place
from places.postcodes import InvalidPostcode
from providers.models import Audience, Provider, Service, ServiceCategory

# A town or village name: letters (in any alphabet) first, then letters, spaces and the
# punctuation of British place names. Postcodes always have a digit, so never match this.
PLACE_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '\u2019\-,.&()])+")


class PostcodeSearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Enter a postcode or town"),
        max_length=60,
        error_messages={
            "required": _("Enter a postcode or the name of a town or village"),
            "max_length": _("Enter a postcode or a town name. That is too long to be either"),
            "null_characters_not_allowed": _("Enter a postcode or a town name using letters only"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.postcode_example = settings.SEARCH_EXAMPLE_POSTCODE
        self.place_example = settings.SEARCH_EXAMPLE_PLACE
        self.fields["postcode"].help_text = gettext(
            "For example, %(postcode)s or %(place)s. You can also enter the first part of a postcode"
        ) % {"postcode": self.postcode_example, "place": self.place_example}
        self.place_choices = []  # places of the same name, when the name was ambiguous

    def clean_postcode(self):
        text = " ".join(self.cleaned_data["postcode"].split())
        if PLACE_NAME.fullmatch(text):
            self.location = self._place(text)
            return self.location.label
        try:
            self.location = Postcode.objects.locate(text)
        except PostcodeNotFound as error:
            raise forms.ValidationError(
                gettext(
                    "We could not find the postcode %(postcode)s. Check it, or enter your town "
                    "or village, like %(place)s"
                )
                % {"postcode": error.postcode, "place": self.place_example}
            ) from error
        except InvalidPostcode as error:
            raise forms.ValidationError(
                gettext("Enter a postcode, like %(postcode)s, or a town or village, like %(place)s")
                % {"postcode": self.postcode_example, "place": self.place_example}
            ) from error
        return self.location.label

    def _place(self, text):
        try:
            place = find_place(text)
        except AmbiguousPlace as ambiguous:
            self.place_choices = ambiguous.places
            raise forms.ValidationError(
                gettext(
                    "There is more than one %(place)s. Choose the one you mean, or enter a postcode"
                )
                % {"place": ambiguous.name}
            ) from ambiguous
        except PlaceNotFound as not_found:
            try:
                return geocode_place(text)  # the council's geocoder, if it has one
            except GeocodingError as error:
                raise forms.ValidationError(error.message) from not_found
        return Location(place.label, place.latitude, place.longitude, PLACE, outward=place.outward)


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
    ("free", _("Free only")),
    ("15", _("Up to £15 an hour")),
    ("20", _("Up to £20 an hour")),
    ("25", _("Up to £25 an hour")),
]
FEATURE_CHOICES = [
    ("direct_payments", _("Accepts Direct Payments")),
    ("checks", _("All four basic checks current")),
    ("registered", _("Registered with the care regulator (CQC or CIW)")),
    ("welsh", _("Welsh spoken")),
    # The provider's own answer, confirmed in the last 45 days (`providers.models.new_clients_state`).
    ("taking", _("Taking new clients")),
]
WHEN_CHOICES = [
    ("weekdays", _("Weekdays")),
    ("evenings", _("Evenings")),
    ("weekends", _("Weekends")),
    ("overnight", _("Overnight")),
]
# Options of "Must have" and "When" that are a yes/no column of Provider, by option value.
# "checks" (all four basic checks current on the day) and "registered" (a current registration
# with the regulator) are worked out from the day each stops being current instead.
FLAG_FIELDS = {
    "direct_payments": "accepts_direct_payments",
    "welsh": "welsh_spoken",
    **{value: f"available_{value}" for value, _label in WHEN_CHOICES},
}
SORT_CHOICES = [
    ("distance", _("Distance")),
    ("name", _("Name")),
    ("checked", _("Most recently checked by the council")),
]


class ProviderFilter(django_filters.FilterSet):
    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Type of help"),
        queryset=ServiceCategory.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    service = django_filters.ModelMultipleChoiceFilter(
        label=_("Services"),
        queryset=Service.objects.select_related("category"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    audience = django_filters.ModelMultipleChoiceFilter(
        label=_("Who it is for"),
        queryset=Audience.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    cost = django_filters.ChoiceFilter(
        label=_("Cost"), choices=COST_CHOICES, empty_label=_("Any cost"), widget=forms.RadioSelect
    )
    feature = django_filters.MultipleChoiceFilter(
        label=_("Must have"),
        choices=FEATURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    when = django_filters.MultipleChoiceFilter(
        label=_("When"),
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
        return {name: value for name, value in self.form.cleaned_data.items() if _given(value)}


def _given(value):
    """Whether a filter was given a value. An empty choice of categories cleans to `none()`: told
    apart without compiling its SQL, which every search would otherwise pay for three times."""
    if isinstance(value, QuerySet) and value.query.is_empty():
        return False
    return bool(value)
