"""Everything a results page needs, from one call: `results_page(query)`.

A search is served like this (docs/search.md, "How a search is served"):
1. `snapshot.current()` gives this process's in-memory snapshot of the published directory,
   brought up to date with every committed change (or, for a moment, the one before: `behind`).
2. The page for this query, version and day is taken from the page cache if it is there: the page
   is the same for everyone apart from the shortlist buttons.
3. Otherwise the place is looked up (`forms.PostcodeSearchForm`), the snapshot filters, counts and
   sorts the providers who cover it, the page's 20 are checked afresh through `public_objects`
   and their cards taken from the card cache or drawn (`cards_for`), the filter panel likewise
   (`filter_panel`), and the page is put together and cached, cut at each shortlist button's
   marker.
4. The view (`views.results`) puts in that visitor's own buttons.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.core.cache import cache, caches
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.dates import day_words
from places import geo
from providers.models import Check, Provider, Service
from providers.rules import grace_days

from .forms import PostcodeSearchForm, ProviderFilter, filter_data
from .snapshot import MAP_CHECKS, Filters, current
from .vocabulary import FEATURE, SORT_CHOICES

PAGE_SIZE = 20
PAGE_CACHE_SECONDS = 3600  # also dropped at once by any change to the directory (its version)
TOGGLE = re.compile(r"<!--shortlist-toggle:(\d+)-->")
FEW_RESULTS = 5  # fewer than this and we also suggest providers based nearby
NEARBY_MILES = 25
QUICK_FILTERS = ("direct_payments", "checks")  # at the top of the page, a few key presses away
SERVICES = Prefetch("services", queryset=Service.objects.select_related("category"))


class InvalidSearch(Exception):
    """The query names no place we can search; `form` holds the errors to show."""

    def __init__(self, form):
        super().__init__("invalid search")
        self.form = form


@dataclass
class ResultsPage:
    """A results page as everyone sees it, without the shortlist buttons."""

    title: str
    parts: list  # its HTML cut at each button's marker: text, provider id, text, provider id...
    names: dict  # provider id (text): name, for the buttons' hidden labels
    outward: str  # the postcode district searched, for the weekly counts ("" for a place name)
    # The place searched, for neighbouring councils' services that cover it (neighbours).
    label: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # How many providers it found, and the types of help (category slugs) filtered for: for the
    # counts of searches that found no one or fewer than five (`services.unmet_demand_add`);
    # -1 (not known) on a page cached before these were kept.
    found: int = -1
    help_types: tuple = ()

    def html(self, button):
        """The page with `button(provider id, name)` in place of each marker."""
        body = [self.parts[0]]
        for pk, text in zip(self.parts[1::2], self.parts[2::2], strict=True):
            body += [button(int(pk), self.names[pk]), text]
        # Safe: our own template's escaped output, and buttons built from escaped values.
        return mark_safe("".join(body))  # noqa: S308


def results_page(query, *, today=None):
    """The results page for a query string (a QueryDict), or InvalidSearch.

    Only a query that passed the form's checks is ever cached, so a cached one needs none.
    """
    today = today or timezone.localdate()
    snapshot = current()
    key = _cache_key("results", snapshot, today, query)
    if key and (page := cache.get(key)) is not None:
        return page
    form = PostcodeSearchForm(query or None)
    if not form.is_valid():
        raise InvalidSearch(form)
    page = _build(query, form.location, snapshot, today)
    if key:
        cache.set(key, page, PAGE_CACHE_SECONDS)
    return page


def _search(query, location, snapshot, today):
    """(filterset, filters, sort, results) for a query whose place is `location`."""
    filterset = ProviderFilter(filter_data(query))
    filters = Filters.from_data(filterset.valid_data)
    sort = query.get("sort")
    sort = sort if sort in dict(SORT_CHOICES) else "distance"
    return filterset, filters, sort, snapshot.search(location, filters, sort=sort, today=today)


def _build(query, location, snapshot, today):
    filterset, filters, sort, results = _search(query, location, snapshot, today)
    page = Paginator(results.order, PAGE_SIZE).get_page(query.get("page"))
    page.object_list = cards_for(
        snapshot.hits(page.object_list, results.distance_sq),
        today=today,
        keep=snapshot.token is not None,
    )

    nearby = []
    if len(results) < FEW_RESULTS:
        hits = snapshot.nearest(
            location,
            NEARBY_MILES,
            filters,
            today=today,
            exclude=results.covering,
            limit=FEW_RESULTS,
        )
        nearby = providers_for(hits, SERVICES)

    map_query = _query_without(query, "page", "sort")
    ticked = len(ticked_options(filterset))
    quick, keep = quick_filters(location, filterset, results.facets, sort)
    body = render_to_string(
        "search/_results_body.html",
        {
            "location": location,
            "filterset": filterset,
            "facets": results.facets,
            "ticked": ticked,
            "quick_filters": quick,
            "quick_keep": keep,
            "quick_ticked": any(option[3] for option in quick),
            "filter_panel": filter_panel(
                query, location, filterset, results.facets, sort, ticked, snapshot
            ),
            "ignored_filters": bool(filterset.form.errors),
            "page": page,
            # First, last, and the pages either side of this one: a city has hundreds of pages.
            "page_numbers": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "sort": sort,
            "sort_choices": SORT_CHOICES,
            "nearby": nearby,
            "nearby_miles": NEARBY_MILES,
            "summary": summary(len(results), location, filterset),
            # Nobody covers the place at all: say where the directory does list providers.
            "outside": not len(results.covering) and not nearby,
            "towns": snapshot.towns if not len(results.covering) and not nearby else [],
            "find_council_url": settings.FIND_COUNCIL_URL,
            "neighbours": settings.NEIGHBOUR_DIRECTORIES,
            # Filters left nothing: which to untick, and how many each would bring back.
            "loosen": (
                loosen(query, location, snapshot, filterset, filters, today)
                if not len(results) and len(results.covering)
                else []
            ),
            "map_url": f"{reverse('search:map')}?{map_query}&v={snapshot.token or 0}",
            "map_label": location.label,
            "query_without_page": _query_without(query, "page"),
            "query_without_sort": _query_without(query, "page", "sort"),
        },
    )
    if page.number > 1:
        title = _("Care and support near %(place)s (page %(number)s of %(pages)s)") % {
            "place": location.label,
            "number": page.number,
            "pages": page.paginator.num_pages,
        }
    else:
        title = _("Care and support near %(place)s") % {"place": location.label}
    names = {str(card.pk): card.name for card in page.object_list}
    return ResultsPage(
        title,
        TOGGLE.split(body),
        names,
        location.outward,
        location.label,
        location.latitude,
        location.longitude,
        len(results),
        tuple(sorted(category.slug for category in filterset.valid_data.get("category", ()))),
    )


def quick_filters(location, filterset, facets, sort):
    """The quick filters at the top of the page, as (value, label, count, ticked), and the rest of
    the search as (name, value) pairs for its hidden fields, so applying them keeps it."""
    labels = dict(FEATURE.choices)
    ticked = set(filterset.valid_data.get("feature", ()))
    options = [
        (value, labels[value], facets["feature"].get(value, 0), value in ticked)
        for value in QUICK_FILTERS
    ]
    keep = [("postcode", location.label)]
    keep += [
        (name, value)
        for name, value, _label in ticked_options(filterset)
        if not (name == "feature" and value in QUICK_FILTERS)
    ]
    if sort != "distance":
        keep.append(("sort", sort))
    return options, keep


def ticked_options(filterset):
    """(field name, value in the query, label) of every filter option that is ticked."""
    ticked = []
    for name, value in filterset.valid_data.items():
        for choice in [value] if isinstance(value, str) else value:
            if hasattr(choice, "slug"):  # a category, service or audience
                ticked.append((name, choice.slug, choice.name))
            else:
                ticked.append((name, choice, dict(filterset.form.fields[name].choices)[choice]))
    return ticked


def loosen(query, location, snapshot, filterset, filters, today):
    """When filters leave nothing: for each ticked option, (its label, how many results there
    would be without it, the query without it), most results first; only those that help."""
    options = []
    for name, raw, label in ticked_options(filterset):
        fewer = filters.without(name, raw)
        if count := len(snapshot.search(location, fewer, sort="distance", today=today)):
            rest = query.copy()
            rest.setlist(name, [v for v in query.getlist(name) if v != raw])
            rest.pop("page", None)
            options.append((label, count, rest.urlencode()))
    return sorted(options, key=lambda option: -option[1])


def map_data_for(query, *, today=None):
    """The map's data for a search (its own URL, so the results page stays small)."""
    today = today or timezone.localdate()
    snapshot = current()
    key = _cache_key("map", snapshot, today, query)
    if key and (data := cache.get(key)) is not None:
        return data
    form = PostcodeSearchForm(query or None)
    if not form.is_valid():
        raise InvalidSearch(form)
    _, _, _, results = _search(query, form.location, snapshot, today)
    rows = results.order.rows  # the map needs no order
    if snapshot.behind:  # a listing unpublished a moment ago is not on the map either
        pks = snapshot.pks(rows)
        public = set(Provider.public_objects.filter(pk__in=pks).values_list("pk", flat=True))
        rows = rows[np.array([pk in public for pk in pks], bool)]
    data = map_data(form.location, snapshot, rows, results.distance_sq, today)
    if key:
        cache.set(key, data, PAGE_CACHE_SECONDS)
    return data


def _cache_key(kind, snapshot, today, query):
    """The cache key of a page or map for this query, or None when it must not be kept: the
    snapshot holds uncommitted changes (`token` None) or is behind the directory."""
    if snapshot.token is None or snapshot.behind:
        return None
    search = (snapshot.token, today, get_language(), sorted(query.lists()))
    return f"{kind}:" + hashlib.sha256(repr(search).encode()).hexdigest()


class Card(NamedTuple):
    """A listing's entry on a results page, rendered (`search/_card.html`)."""

    pk: int
    name: str
    html: str


def cards_for(hits, *, today, keep):
    """The cards of `hits`, in order, each rendered once per version of its listing, language, day
    and distance shown, and kept in the "cards" cache for every page it appears on.

    The listings' versions are read afresh through `public_objects`, so a listing unpublished a
    moment ago has no card, and a changed one is drawn again. Nothing is kept while this
    connection holds uncommitted changes (`keep` False): a version number could be rolled back.
    """
    versions = dict(
        Provider.public_objects.filter(pk__in=[hit.pk for hit in hits])
        .order_by()
        .values_list("pk", "version")
    )
    hits = [hit for hit in hits if hit.pk in versions]
    language = get_language()
    keys = {hit.pk: _card_key(hit, versions[hit.pk], language, today) for hit in hits}
    kept = caches["cards"].get_many(list(keys.values())) if keep else {}
    missing = [hit for hit in hits if keys[hit.pk] not in kept]
    drawn = {}
    for provider in providers_for(missing, SERVICES, "audiences", "checks"):
        html = render_to_string("search/_card.html", {"provider": provider})
        drawn[keys[provider.pk]] = Card(provider.pk, provider.name, html)
    if keep and drawn:
        caches["cards"].set_many(drawn)
    cards = {**kept, **drawn}
    return [cards[keys[hit.pk]] for hit in hits if keys[hit.pk] in cards]


def filter_panel(query, location, filterset, facets, sort, ticked, snapshot):
    """The filter panel (`search/_filters.html`), rendered once per facet state: the same place,
    ticked options, counts, sort, language and option names (`snapshot.taxonomy`) give the same
    HTML, so it is kept (with the cards) and reused by the other pages and orders of a search."""
    keep = snapshot.token is not None
    state = (
        get_language(),
        location.label,
        sort,
        sorted((k, v) for k, v in query.lists() if k in filterset.form.fields),
        sorted(
            (group, sorted(counts.items()) if isinstance(counts, dict) else counts)
            for group, counts in facets.items()
        ),
        snapshot.taxonomy,
    )
    key = "panel:" + hashlib.sha256(repr(state).encode()).hexdigest()
    if keep and (html := caches["cards"].get(key)) is not None:
        return html
    html = render_to_string(
        "search/_filters.html",
        {
            "location": location,
            "filterset": filterset,
            "facets": facets,
            "ticked": ticked,
            "sort": sort,
        },
    )
    if keep:
        caches["cards"].set(key, html)
    return html


def _card_key(hit, version, language, today):
    shown = f"{language}|{today}|{geo.distance_words(hit.distance_sq)}"  # words: not ASCII in Welsh
    return f"{hit.pk}:{version}:{hashlib.sha256(shown.encode()).hexdigest()[:20]}"


def providers_for(hits, *prefetch):
    """The providers behind `hits` (from the snapshot), in the same order, read afresh.

    Read through `public_objects` again, so a listing unpublished a moment ago is dropped even
    before this process's snapshot catches up.
    """
    by_pk = Provider.public_objects.prefetch_related(*prefetch).in_bulk([hit.pk for hit in hits])
    providers = []
    for hit in hits:
        if provider := by_pk.get(hit.pk):
            provider.distance_sq = hit.distance_sq
            providers.append(provider)
    return providers


def summary(count, location, filterset):
    """ "12 providers cover CM1 1AA for personal care", in plain words."""
    data = filterset.valid_data
    values = {"count": count, "place": location.label}
    if categories := data.get("category"):
        either = _("or")  # "personal care or home help"
        values["help"] = f" {either} ".join(str(c).lower() for c in categories)
        words = ngettext(
            "%(count)s provider covers %(place)s for %(help)s",
            "%(count)s providers cover %(place)s for %(help)s",
            count,
        )
    else:
        words = ngettext(
            "%(count)s provider covers %(place)s", "%(count)s providers cover %(place)s", count
        )
    words %= values
    if set(data) - {"category"}:
        words = _("%(summary)s, matching your filters") % {"summary": words}
    return words


def map_data(location, snapshot, rows, distance_sq, today):
    """What the map script needs: every result, each at its area's centre, never at its base, with
    the state of each of its checks worked out by the rules the cards use (`check_state`).

    Compact, because a city search can have thousands: each area, date and cost once, then each
    provider as [area, name, slug, state, cost, Direct Payments (1 or 0), checks, taken down on,
    new clients, confirmed on], its checks as [check, state, date] (the indexes of `checks` and
    `dates`, -1 for no date), taken down on a date's index or -1, new clients its
    `new_clients_state` on the day (0 not confirmed recently, 1 taking, 2 waiting list, 3 not
    taking) and confirmed on a date's index while that answer is current, else -1 (an old answer's
    date is never sent). Static/js/results-map.js reads it.
    """
    areas, points = snapshot.map_points(rows, today)
    dates, costs = {}, {}

    def day(number):
        if number == NO_EXPIRY:
            return -1
        return dates.setdefault(number, len(dates))

    def cost(values):
        return costs.setdefault(values, len(costs))

    grace = grace_days() + 1  # the day after the grace period ends, as on the card
    providers = [
        [
            point.area,
            point.name,
            point.slug,
            point.state,
            cost(point.cost),
            int(point.direct_payments),
            [[kind, state, day(until)] for kind, state, until in point.checks],
            day(point.rules_until + grace) if point.state == 0 else -1,
            point.new_clients,
            day(point.new_clients_day) if point.new_clients else -1,
        ]
        for point in points
    ]
    return {
        "centre": {
            "lat": round(location.latitude, 5),
            "lon": round(location.longitude, 5),
            "label": location.label,
        },
        "tiles": geo.map_tiles(),
        "profileUrl": reverse("providers:profile", args=["slug"]).removesuffix("slug/"),
        "areas": [
            {
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "label": label,
                "distance": geo.distance_words(distance_sq[row]),  # as its cards say
            }
            for lat, lon, label, row in areas
        ],
        "checks": [str(Check.Kind(kind).label) for kind in MAP_CHECKS],
        "dates": [day_words(date.fromordinal(number)) for number in dates],
        "costs": [_cost_words(*values) for values in costs],
        "words": map_words(),
        "providers": providers,
    }


NO_EXPIRY = date.max.toordinal()  # `check_current_until` of a check that never runs out


def _cost_words(free, lowest, highest):
    """The cost as the cards word it (`providers/_cost.html`)."""
    values = SimpleNamespace(is_free=free, hourly_rate_min=lowest, hourly_rate_max=highest)
    return render_to_string("providers/_cost.html", {"provider": values}).strip()


def map_words():
    """The map's words for a check's state, in the words of the cards' tags
    (`providers/_check_tag.html`), by `check_state`: 0 run out, 1 running out, 2 current."""
    return {
        "states": [_("Expired"), _("Runs out soon"), _("Current")],
        "until": [_("ran out on %(date)s"), _("runs out on %(date)s"), _("valid until %(date)s")],
        "takedown": _("Unless it is renewed, this listing will be taken down on %(date)s."),
        "payments": [_("Does not accept Direct Payments"), _("Accepts Direct Payments")],
        "cost": _("Cost"),
        "basedIn": _("Based in %(area)s"),  # as on the cards
        "basedAway": _("Based in %(area)s, %(distance)s away"),
        # As the cards say it (providers/_new_clients.html), by `new_clients_state`.
        "newClientsLabel": _("New clients"),
        "newClients": [
            _("Not confirmed recently"),
            _("Taking new clients"),
            _("Waiting list"),
            _("Not taking new clients"),
        ],
        "newClientsSaid": _("The provider told us on %(date)s"),
    }


def _query_without(query, *names):
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
