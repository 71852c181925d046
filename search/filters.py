"""The results page's filters (django-filter) and their facet counts.

Within "what", "service" and "who for" any ticked option may match; every other ticked option must
hold. Each option's count is how many results ticking it would give at this location: for the
any-of groups, counted with the other groups' filters only. All counts, and the total, take four
queries whatever the number of options or results.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

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
SORT_ORDER = {
    "distance": ["distance_sq", "name"],
    "name": ["name", "distance_sq"],
    "checked": ["-last_checked_by_council", "distance_sq"],
}


def _has_service(services):
    through = Provider.services.through
    return Exists(through.objects.filter(provider=OuterRef("pk"), service__in=services))


def _in_category(categories):
    through = Provider.services.through
    return Exists(through.objects.filter(provider=OuterRef("pk"), service__category__in=categories))


def _for_audience(audiences):
    through = Provider.audiences.through
    return Exists(through.objects.filter(provider=OuterRef("pk"), audience__in=audiences))


def _basic_checks_current():
    return Q(basic_checks_current_until__gte=timezone.localdate())


def cost_q(value):
    if value == "free":
        return Q(is_free=True)
    return Q(is_free=True) | Q(hourly_rate_min__lte=Decimal(value))


FEATURE_Q = {
    "direct_payments": lambda: Q(accepts_direct_payments=True),
    "checks": _basic_checks_current,
    "cqc": lambda: Q(cqc_registered=True),
}


class ProviderFilter(django_filters.FilterSet):
    category = django_filters.ModelMultipleChoiceFilter(
        label="Type of help",
        queryset=ServiceCategory.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        method="filter_category",
    )
    service = django_filters.ModelMultipleChoiceFilter(
        label="Services",
        queryset=Service.objects.select_related("category"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        method="filter_service",
    )
    audience = django_filters.ModelMultipleChoiceFilter(
        label="Who it is for",
        queryset=Audience.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        method="filter_audience",
    )
    cost = django_filters.ChoiceFilter(
        label="Cost", choices=COST_CHOICES, empty_label="Any cost", method="filter_cost"
    )
    feature = django_filters.MultipleChoiceFilter(
        label="Must have",
        choices=FEATURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_feature",
    )
    when = django_filters.MultipleChoiceFilter(
        label="When",
        choices=WHEN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_when",
    )

    class Meta:
        model = Provider
        fields = []

    def filter_category(self, queryset, name, value):
        return queryset.filter(_in_category(value)) if value else queryset

    def filter_service(self, queryset, name, value):
        return queryset.filter(_has_service(value)) if value else queryset

    def filter_audience(self, queryset, name, value):
        return queryset.filter(_for_audience(value)) if value else queryset

    def filter_cost(self, queryset, name, value):
        return queryset.filter(cost_q(value)) if value else queryset

    def filter_feature(self, queryset, name, value):
        for feature in value:
            queryset = queryset.filter(FEATURE_Q[feature]())
        return queryset

    def filter_when(self, queryset, name, value):
        return queryset.filter(**{f"available_{when}": True for when in value})

    def valid_data(self):
        """Cleaned values of the fields that validated; unknown values are simply dropped."""
        self.form.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value}

    def without(self, queryset, *names):
        """`queryset` with every active filter applied except `names`."""
        for name, value in self.valid_data().items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def facet_counts(filterset, located):
    """{group: {option value: count}} for every option, and "total": the number of results,
    for `located` (the coverage queryset)."""
    counts = {}
    for group, through, column in [
        ("category", Provider.services.through, "service__category__slug"),
        ("service", Provider.services.through, "service__slug"),
        ("audience", Provider.audiences.through, "audience__slug"),
    ]:
        base = filterset.without(located, group).values("pk")
        rows = (
            through.objects.filter(provider__in=base)
            .values(column)
            .annotate(n=Count("provider", distinct=True))
        )
        counts[group] = {row[column]: row["n"] for row in rows}

    # One aggregate for the rest, over the results without the cost filter: the cost options
    # count as they are; everything else, and the total, count with the chosen cost applied.
    cost = filterset.valid_data().get("cost")
    costed = cost_q(cost) if cost else Q(pk__isnull=False)
    totals = filterset.without(located, "cost").aggregate(
        total=Count("pk", filter=costed),
        **{f"cost_{value}": Count("pk", filter=cost_q(value)) for value, _ in COST_CHOICES},
        **{
            f"feature_{value}": Count("pk", filter=costed & FEATURE_Q[value]())
            for value, _ in FEATURE_CHOICES
        },
        **{
            f"when_{value}": Count("pk", filter=costed & Q(**{f"available_{value}": True}))
            for value, _ in WHEN_CHOICES
        },
    )
    counts["total"] = totals["total"]
    for group, choices in [
        ("cost", COST_CHOICES),
        ("feature", FEATURE_CHOICES),
        ("when", WHEN_CHOICES),
    ]:
        counts[group] = {value: totals[f"{group}_{value}"] for value, _ in choices}
    return counts
