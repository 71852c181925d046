"""The results page's filters: django-filter builds and checks the form from these.

The filtering and the count beside each option happen in `search.index.search`, over the
directory snapshot, so they cost no query per option or per result.
"""

from functools import cached_property

import django_filters
from django import forms

from providers.models import Audience, Provider, Service, ServiceCategory

COST_CHOICES = [
    ("free", "Free only"),
    ("15", "Up to £15 an hour"),
    ("20", "Up to £20 an hour"),
    ("25", "Up to £25 an hour"),
]
FEATURE_CHOICES = [
    ("direct_payments", "Accepts Direct Payments"),
    ("checks", "All four basic checks current"),
    ("cqc", "Registered with the CQC"),
]
WHEN_CHOICES = [
    ("weekdays", "Weekdays"),
    ("evenings", "Evenings"),
    ("weekends", "Weekends"),
    ("overnight", "Overnight"),
]
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
    cost = django_filters.ChoiceFilter(label="Cost", choices=COST_CHOICES, empty_label="Any cost")
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
