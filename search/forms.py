"""What a person asks the search for: a place (PostcodeSearchForm) and filters (ProviderFilter).

The filters are declared in `search.vocabulary`, which says where else a new one goes; the form
here is built from those declarations.
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
from providers.models import Provider

from .vocabulary import FILTERS, AnyOne, Tags

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


def _form_filter(declared):
    """The django-filter filter that offers a declared filter's options (`vocabulary`)."""
    if isinstance(declared, Tags):
        return django_filters.ModelMultipleChoiceFilter(
            label=declared.label,
            queryset=declared.terms,
            to_field_name="slug",
            widget=forms.CheckboxSelectMultiple,
        )
    if isinstance(declared, AnyOne):
        return django_filters.ChoiceFilter(
            label=declared.label,
            choices=declared.choices,
            empty_label=declared.none_label,
            widget=forms.RadioSelect,
        )
    return django_filters.MultipleChoiceFilter(
        label=declared.label, choices=declared.choices, widget=forms.CheckboxSelectMultiple
    )


class ProviderFilter(django_filters.FilterSet):
    """The search's filters as a form: a field for each of `vocabulary.FILTERS`, in that order.

    The form (`.form`) checks a query and `valid_data` keeps the values it knows; the search
    snapshot, not a queryset, then applies them (`snapshot.Filters.from_data`), so `.qs` is
    refused rather than left to filter the wrong way.
    """

    class Meta:
        model = Provider
        fields = []

    @classmethod
    def get_filters(cls):
        return {declared.name: _form_filter(declared) for declared in FILTERS}

    @property
    def qs(self):
        raise NotImplementedError("The search snapshot applies these filters (Snapshot.search)")

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
