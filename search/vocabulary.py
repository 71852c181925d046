"""The search's filters, each declared once, here: its name and values in the URL, its label and
options, and for each option the column the search snapshot keeps and how a listing matches it.

Both sides read these declarations and nothing else:
- `forms.ProviderFilter`, the django-filter FilterSet, makes each one a form field (its `.form`
  checks a query and keeps the values it knows);
- `snapshot.Snapshot` keeps each option's column, and matches and counts by its test.

So a filter of one of the kinds below is added by an entry in `FILTERS`, and nowhere else in the
search; then it is placed on the filter panel (`search/_filters.html`) and read the slow way in
the agreement test (`tests/search/test_snapshot_agreement.py`, `facts`). Nothing here draws a
page: the engine imports this module, never the form. The staff pages filter listings with the
queryset methods in `providers.models`, not these.
"""

from typing import NamedTuple

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from providers.models import Audience, NewClients, Service, ServiceCategory

# How an option holds for a listing (`Snapshot._holds` applies each) ------------------------------


class Yes(NamedTuple):
    """A yes/no field of Provider, kept as a column: holds where it is yes."""

    field: str


class Until(NamedTuple):
    """A date field of Provider, kept as day numbers: holds up to and including that day (never
    where there is none)."""

    field: str


class UpTo(NamedTuple):
    """Free, or an hourly rate starting at `pounds` or less (None: free only); a listing that
    gives no rate holds only when free."""

    pounds: int | None


class Answered(NamedTuple):
    """The provider's answer about new clients is `answer` (a `NewClients` value), confirmed
    recently enough to stand on the day (`providers.rules.new_clients_state`)."""

    answer: str


class Option(NamedTuple):
    """One option of a filter: how it stands in the URL, its label, and when a listing has it."""

    value: str  # in the URL
    label: Promise
    test: Yes | Until | UpTo | Answered


# The kinds of filter ---------------------------------------------------------------------------


class Tags(NamedTuple):
    """Types of help, services or audiences: a listing has any number, linked by the Provider
    many-to-many field `link`, each known by the slug at `slug` from a row of its through table.
    A listing passes when it has any ticked one; each option's count leaves this filter out."""

    name: str
    label: Promise
    terms: QuerySet  # the options offered, by slug
    link: str
    slug: str


class AnyOne(NamedTuple):
    """Options of our own, at most one ticked (radios, `none_label` for none): a listing passes
    when the ticked one holds; each option's count leaves this filter out."""

    name: str
    label: Promise
    options: tuple[Option, ...]
    none_label: Promise

    @property
    def choices(self):
        return [(option.value, option.label) for option in self.options]


class Every(NamedTuple):
    """Options of our own, any number ticked (checkboxes): a listing passes when every ticked one
    holds, so ticking more narrows; each option's count is among the results."""

    name: str
    label: Promise
    options: tuple[Option, ...]

    @property
    def choices(self):
        return [(option.value, option.label) for option in self.options]


# The filters, in the order of the form and of a results page's canonical address ---------------

CATEGORY = Tags(
    "category",
    _("Type of help"),
    ServiceCategory.objects.all(),
    "services",
    "service__category__slug",
)
SERVICE = Tags(
    "service",
    _("Services"),
    Service.objects.select_related("category"),
    "services",
    "service__slug",
)
AUDIENCE = Tags(
    "audience", _("Who it is for"), Audience.objects.all(), "audiences", "audience__slug"
)
COST = AnyOne(
    "cost",
    _("Cost"),
    (
        Option("free", _("Free only"), UpTo(None)),
        Option("15", _("Up to £15 an hour"), UpTo(15)),
        Option("20", _("Up to £20 an hour"), UpTo(20)),
        Option("25", _("Up to £25 an hour"), UpTo(25)),
    ),
    none_label=_("Any cost"),
)
FEATURE = Every(
    "feature",
    _("Must have"),
    (
        Option("direct_payments", _("Accepts Direct Payments"), Yes("accepts_direct_payments")),
        Option("checks", _("All four basic checks current"), Until("basic_checks_current_until")),
        Option(
            "registered",
            _("Registered with the care regulator (CQC or CIW)"),
            Until("registered_until"),
        ),
        Option("welsh", _("Welsh spoken"), Yes("welsh_spoken")),
        Option("taking", _("Taking new clients"), Answered(NewClients.TAKING)),
    ),
)
WHEN = Every(
    "when",
    _("When"),
    (
        Option("weekdays", _("Weekdays"), Yes("available_weekdays")),
        Option("evenings", _("Evenings"), Yes("available_evenings")),
        Option("weekends", _("Weekends"), Yes("available_weekends")),
        Option("overnight", _("Overnight"), Yes("available_overnight")),
    ),
)
FILTERS = (CATEGORY, SERVICE, AUDIENCE, COST, FEATURE, WHEN)

# The orders a results page can be sorted in (`Snapshot._sorted`), the first the default.
SORT_CHOICES = [
    ("distance", _("Distance")),
    ("name", _("Name")),
    ("checked", _("Most recently checked by the council")),
]
