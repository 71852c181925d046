"""The search snapshot: the published directory held in memory, so a results page costs about the
same at any size.

A city search in a big directory is covered by thousands of providers, and the page needs all of
them: the total, a count beside every filter option, and the map. Counting those in SQL took four
queries that each read every match (about 100 ms with 100,000 listings). Here the same questions
are answered with numpy arrays, a column per fact and a row per provider, in a few milliseconds;
the page then reads only its 20 providers from the database.

The snapshot is built from `Provider.public_objects`, so it only ever holds published listings.
It is tagged with the directory version token (`providers.changes`), which every change to what
the public sees replaces when it commits; `current()` reads the token on each search (one indexed
query) and rebuilds when it differs, so every process sees a change on its next search.
"""

import math
import threading
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.utils import timezone

from places import geo
from providers import changes
from providers.models import CoverageDistrict, Provider, area_label

from .forms import COST_CHOICES, FEATURE_CHOICES, FLAG_FIELDS, WHEN_CHOICES

CHUNK = 5000
GROUPS = ("category", "service", "audience")  # any ticked option in one of these may match
NEVER = -1  # the day number stored for "no date"


@dataclass(frozen=True)
class Filters:
    """The ticked filters, as plain values (see `search.forms.ProviderFilter`)."""

    category: frozenset[str] = frozenset()  # slugs
    service: frozenset[str] = frozenset()
    audience: frozenset[str] = frozenset()
    cost: str = ""  # "free" or a maximum hourly rate in pounds
    feature: frozenset[str] = frozenset()  # "direct_payments", "checks", "registered"
    when: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data):
        """From `ProviderFilter.valid_data`: model choices become slugs."""
        return cls(
            **{group: frozenset(choice.slug for choice in data.get(group, ())) for group in GROUPS},
            cost=data.get("cost", ""),
            feature=frozenset(data.get("feature", ())),
            when=frozenset(data.get("when", ())),
        )


class Listing(NamedTuple):
    """What the page and the map take of a provider straight from the snapshot.

    A tuple of plain values, which the garbage collector stops tracking: a hundred thousand of
    them then cost nothing at each full collection.
    """

    pk: int
    name: str
    slug: str


class Hit(NamedTuple):
    """One provider in a search's results, with its distance from the searched place."""

    pk: int
    distance_sq: float | None  # degrees squared; shown only rounded


@dataclass
class Results:
    order: np.ndarray  # snapshot rows of the results, in the chosen order
    facets: dict  # {group: {option: count}, "total": count}
    covering: np.ndarray  # snapshot rows of everyone covering the place, before filters
    distance_sq: np.ndarray  # for every snapshot row, from the searched place

    def __len__(self):
        return len(self.order)


class Snapshot:
    """Columns over the public listings, rows sorted by the latitude of their public point."""

    token = None  # the directory version it was built at; None: built for one request only
    day = None  # the day it was built: which listings are public depends on the date

    def __init__(self, providers, tags, districts):
        # Every position here is a provider's public point, the centre of its postcode sector:
        # coverage, distances, order and the map never see the private base.
        providers.sort(key=lambda p: math.inf if p["area_latitude"] is None else p["area_latitude"])
        self.size = len(providers)
        self.listings = [Listing(p["pk"], p["name"], p["slug"]) for p in providers]
        row_of = {p["pk"]: row for row, p in enumerate(providers)}
        # The map's places: each distinct area centre once, and each row's index into them.
        self.areas, area_index = [], {}
        self.area_of_row = np.full(self.size, -1, np.int64)
        for row, p in enumerate(providers):
            if p["area_latitude"] is not None:
                label = area_label(p["town"], p["area_sector"])
                place = (p["area_latitude"], p["area_longitude"], label)
                if place not in area_index:
                    area_index[place] = len(self.areas)
                    self.areas.append(place)
                self.area_of_row[row] = area_index[place]

        # Where the directory has listings, for a search nobody covers: each town once, A to Z.
        self.towns = sorted({p["town"] for p in providers if p["town"]}, key=str.casefold)

        def column(name, dtype, missing=None):
            return np.array([missing if p[name] is None else p[name] for p in providers], dtype)

        self.latitude = column("area_latitude", float, math.nan)
        self.longitude = column("area_longitude", float, math.nan)
        radius = column("coverage_radius_miles", float)
        # Radius 0 means "only my listed districts": it must not match even at its own area.
        self.reach_sq = np.where(radius > 0, (radius / geo.MILES_PER_DEGREE) ** 2, -1.0)
        self.is_free = column("is_free", bool)
        self.rate_min = column("hourly_rate_min", float, math.nan)
        self.flags = {name: column(field, bool) for name, field in FLAG_FIELDS.items()}
        self.checks_until = np.array(
            [_day(p["basic_checks_current_until"]) for p in providers], np.int64
        )
        self.registered_until = np.array([_day(p["registered_until"]) for p in providers], np.int64)
        self.last_checked = np.array([_day(p["last_checked_on"]) for p in providers], np.int64)
        names = sorted(range(self.size), key=lambda row: providers[row]["name"].casefold())
        self.name_rank = np.empty(self.size, np.int64)
        self.name_rank[names] = np.arange(self.size)

        # One yes/no column per category, service and audience, from (provider pk, slug) pairs.
        self.tag_columns, self.tags = {}, {}
        for group, pairs in tags.items():
            slugs = sorted({slug for _, slug in pairs})
            self.tag_columns[group] = {slug: n for n, slug in enumerate(slugs)}
            self.tags[group] = np.zeros((self.size, len(slugs)), bool)
            for pk, slug in pairs:
                if pk in row_of:
                    self.tags[group][row_of[pk], self.tag_columns[group][slug]] = True

        district_rows = {}
        for pk, outward in districts:
            if pk in row_of:
                district_rows.setdefault(outward, []).append(row_of[pk])
        self.district_rows = {k: np.array(v, np.int64) for k, v in district_rows.items()}
        self.max_radius = float(radius.max()) if self.size else 0.0

    @classmethod
    def build(cls):
        """Read every published provider: four plain queries, no model instances.

        Providers first: a listing published while this runs has its services skipped (and the
        changed token rebuilds us on the next search); one unpublished meanwhile is kept until then.
        """
        published = Provider.public_objects.order_by()
        columns = [
            "pk",
            "name",
            "slug",
            "town",
            "area_sector",
            "area_latitude",
            "area_longitude",
            "coverage_radius_miles",
            "is_free",
            "hourly_rate_min",
            "basic_checks_current_until",
            "registered_until",
            "last_checked_on",
            *FLAG_FIELDS.values(),
        ]
        providers = [
            dict(zip(columns, row, strict=True))
            for row in published.values_list(*columns).iterator(chunk_size=CHUNK)
        ]
        ids = published.values("pk")
        tags = {group: [] for group in GROUPS}  # (provider pk, slug) pairs
        links = Provider.services.through.objects.filter(provider__in=ids).values_list(
            "provider_id", "service__slug", "service__category__slug"
        )
        for pk, service, category in links.iterator(chunk_size=CHUNK):
            tags["service"].append((pk, service))
            tags["category"].append((pk, category))
        audiences = Provider.audiences.through.objects.filter(provider__in=ids)
        tags["audience"] = list(audiences.values_list("provider_id", "audience__slug"))
        districts = CoverageDistrict.objects.filter(provider__in=ids).values_list(
            "provider_id", "outward"
        )
        return cls(providers, tags, list(districts.iterator(chunk_size=CHUNK)))

    # Where ----------------------------------------------------------------------------------------

    def _rows_near(self, location, miles):
        """Rows whose public point lies in a latitude band `miles` either side of the place."""
        south, north, _, _ = geo.bounding_box(location.latitude, location.longitude, miles)
        start, stop = np.searchsorted(self.latitude, [south, north], side="left")
        return np.arange(start, stop)

    def distances_sq(self, location, rows):
        """Squared distance in degrees of latitude on a flat projection around the searched
        point: within 0.5% of the great-circle distance up to 50 miles in Britain."""
        stretch = math.cos(math.radians(location.latitude))
        dx = (self.longitude[rows] - location.longitude) * stretch
        dy = self.latitude[rows] - location.latitude
        return dx * dx + dy * dy

    def covering(self, location):
        """(rows, squared distances) of everyone whose travel radius or listed districts include
        the place."""
        rows = self._rows_near(location, self.max_radius)
        distance_sq = self.distances_sq(location, rows)
        rows = rows[distance_sq <= self.reach_sq[rows]]
        if location.outward in self.district_rows:
            rows = np.union1d(rows, self.district_rows[location.outward])
        return rows, self.distances_sq(location, rows)

    def based_near(self, location, miles):
        """(rows, squared distances) of everyone whose public point is within `miles`."""
        rows = self._rows_near(location, miles)
        distance_sq = self.distances_sq(location, rows)
        near = distance_sq <= (miles / geo.MILES_PER_DEGREE) ** 2
        return rows[near], distance_sq[near]

    # What -----------------------------------------------------------------------------------------

    def _group_match(self, group, rows, ticked):
        if not ticked:
            return np.ones(len(rows), bool)
        columns = [
            self.tag_columns[group][slug] for slug in ticked if slug in self.tag_columns[group]
        ]
        return self.tags[group][rows][:, columns].any(axis=1)

    def _cost_match(self, rows, cost):
        if not cost:
            return np.ones(len(rows), bool)
        if cost == "free":
            return self.is_free[rows]
        return self.is_free[rows] | (self.rate_min[rows] <= float(cost))  # NaN: no rate given

    def _flag_match(self, rows, flag, today):
        if flag == "checks":
            return self.checks_until[rows] >= today.toordinal()
        if flag == "registered":
            return self.registered_until[rows] >= today.toordinal()
        return self.flags[flag][rows]

    def _matches(self, rows, filters, today):
        """Yes/no per row for each any-of group, for the cost, and for all the other filters."""
        groups = {
            group: self._group_match(group, rows, getattr(filters, group)) for group in GROUPS
        }
        others = np.ones(len(rows), bool)  # "must have" and "when": every ticked one must hold
        for flag in filters.feature | filters.when:
            others &= self._flag_match(rows, flag, today)
        return groups, self._cost_match(rows, filters.cost), others

    def search(self, location, filters, *, sort, today):
        """Filter, count every option, and sort the providers that cover the place.

        Within category, service and audience any ticked option may match, so each of those
        groups' counts applies every filter but its own. Cost options are counted without the
        cost filter; "must have" and "when" options with every filter, as ticking more narrows.
        """
        rows, distance_sq = self.covering(location)
        group_match, cost_match, others = self._matches(rows, filters, today)
        every_group = group_match["category"] & group_match["service"] & group_match["audience"]
        passing = every_group & cost_match & others

        facets = {}
        for group in GROUPS:
            but_this = others & cost_match
            for other in GROUPS:
                if other != group:
                    but_this &= group_match[other]
            sums = self.tags[group][rows[but_this]].sum(axis=0)
            facets[group] = {
                slug: int(sums[n]) for slug, n in self.tag_columns[group].items() if sums[n]
            }
        but_cost = rows[every_group & others]
        facets["cost"] = {
            value: int(self._cost_match(but_cost, value).sum()) for value, _ in COST_CHOICES
        }
        result = rows[passing]
        facets["feature"] = {
            value: int(self._flag_match(result, value, today).sum()) for value, _ in FEATURE_CHOICES
        }
        facets["when"] = {
            value: int(self._flag_match(result, value, today).sum()) for value, _ in WHEN_CHOICES
        }
        facets["total"] = len(result)

        everywhere = np.full(self.size, np.inf)
        everywhere[rows] = np.nan_to_num(distance_sq, nan=np.inf)
        return Results(self._sorted(result, everywhere, sort), facets, rows, everywhere)

    def _sorted(self, rows, distance_sq, sort):
        distance, name = distance_sq[rows], self.name_rank[rows]
        if sort == "name":
            keys = (distance, name)
        elif sort == "checked":  # most recently checked first, never checked last
            keys = (name, distance, -self.last_checked[rows])
        else:
            keys = (name, distance)
        return rows[np.lexsort(keys)]  # lexsort sorts by the last key first

    def hits(self, rows, distance_sq):
        """Snapshot rows as `Hit`s (provider id and distance), for reading the providers."""
        return [
            Hit(self.listings[row].pk, None if math.isinf(d) else float(d))
            for row, d in zip(rows.tolist(), distance_sq[rows].tolist(), strict=True)
        ]

    def map_points(self, rows):
        """(areas, providers) for the map: each area centre the rows are based in once, as
        (latitude, longitude, label), and each row as (its area's index, name, slug)."""
        rows = rows[self.area_of_row[rows] >= 0]
        used, position = np.unique(self.area_of_row[rows], return_inverse=True)
        areas = [self.areas[area] for area in used.tolist()]
        providers = [
            (area, self.listings[row].name, self.listings[row].slug)
            for area, row in zip(position.tolist(), rows.tolist(), strict=True)
        ]
        return areas, providers

    def nearest(self, location, miles, filters, *, today, exclude, limit):
        """`Hit`s for the `limit` nearest providers based within `miles` that pass every filter
        and are not in `exclude` (rows), nearest first."""
        rows, distance_sq = self.based_near(location, miles)
        groups, cost_match, others = self._matches(rows, filters, today)
        keep = cost_match & others & ~np.isin(rows, exclude)
        for match in groups.values():
            keep &= match
        rows, distance_sq = rows[keep], distance_sq[keep]
        order = np.lexsort((self.name_rank[rows], distance_sq))[:limit]
        everywhere = np.full(self.size, np.inf)
        everywhere[rows] = distance_sq
        return self.hits(rows[order], everywhere)


def _day(value):
    return NEVER if value is None else value.toordinal()


# The snapshot each process keeps ------------------------------------------------------------------

_lock = threading.Lock()
_kept = {"key": None, "snapshot": None}


def current():
    """This process's snapshot of the published directory, rebuilt if anything has changed or
    the day has turned (a listing's grace period can end at midnight).

    While this connection holds changes that have not committed (`changes.pending()`), it gets a
    snapshot of its own, untagged, so that neither it nor a page built from it is kept.
    """
    if changes.pending():
        return Snapshot.build()
    key = (changes.current_token(), timezone.localdate())
    if _kept["key"] != key or _kept["snapshot"] is None:
        with _lock:
            if _kept["key"] != key or _kept["snapshot"] is None:
                # Token first, then data: a change landing in between leaves us labelled with the
                # older token, so the next search rebuilds rather than trusting stale data.
                snapshot = Snapshot.build()
                snapshot.token, snapshot.day = key
                _kept["snapshot"], _kept["key"] = snapshot, key
    return _kept["snapshot"]
