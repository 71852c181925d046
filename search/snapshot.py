"""The search snapshot: the published directory held in memory, so a results page costs about the
same at any size.

A city search in a big directory is covered by thousands of providers, and the page needs all of
them: the total, a count beside every filter option, and the map. Counting those in SQL took four
queries that each read every match (about 100 ms with 100,000 listings). Here the same questions
are answered with numpy arrays, a column per fact and a row per provider, in a few milliseconds;
the page then reads only its 20 providers from the database.

The snapshot is built from `Provider.public_objects`, so it only ever holds published listings.
It is tagged with the directory version (`providers.changes`), which every change to what the
public sees moves when it commits, logging which listings it touched. `current()` reads the
version on each search (one indexed query); when it has moved, the process re-reads just the
logged listings and swaps in a patched copy (`Snapshot.patched`), so every process sees a change
on its next search without rebuilding. docs/search.md, "How a search is served", says how stale a count
can be and when a whole rebuild happens.
"""

import bisect
import copy
import dataclasses
import hashlib
import logging
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from typing import NamedTuple

import numpy as np
from django.db import connection
from django.utils import timezone

from places import geo
from providers import changes
from providers.models import (
    Check,
    CoverageDistrict,
    Provider,
    area_label,
    new_clients_code,
    works_alone,
)
from providers.rules import check_state, last_good_day, new_clients_state, public_checks_until

from .vocabulary import FILTERS, Answered, Every, Tags, Until, UpTo, Yes

CHUNK = 5000
TAGS = [declared for declared in FILTERS if isinstance(declared, Tags)]
# The Provider fields an option tests (`vocabulary.Yes`, `Until`): a column each.
OPTION_FIELDS = {
    option.test.field: type(option.test)
    for declared in FILTERS
    if not isinstance(declared, Tags)
    for option in declared.options
    if isinstance(option.test, Yes | Until)
}
NEVER = -1  # the day number stored for "no date"
NO_ROWS = np.array([], np.int64)
# Within a distance band, by `new_clients_state` (0 not confirmed recently, 1 taking new clients,
# 2 waiting list, 3 not taking): those taking new clients first, a waiting list next, then those
# who have not said lately, and those who said they are full last.
NEW_CLIENTS_RANK = np.array([2, 0, 1, 3], np.int8)
BAND_COLUMNS = ("latitude", "longitude", "reach_sq")  # kept in latitude order beside the index
# The checks a listing's state is read from (`public_checks_until`), by their index on the map:
# the four basic ones in every row of `check_until`, and one of the last two for personal care.
MAP_CHECKS = (*Check.BASIC_KINDS, Check.Kind.REGISTRATION, Check.Kind.EXEMPTION)
REGULATION = len(Check.BASIC_KINDS)  # the column of `check_until` for the registration or exemption
# The per-row columns a snapshot brought up to date copies (the indexes are rebuilt beside them).
ROW_COLUMNS = (
    "latitude",
    "longitude",
    "reach_sq",
    "is_free",
    "rate_min",
    "rate_max",
    "check_until",
    "regulation_kind",
    "rules_until",
    "last_checked",
    "new_clients",
    "new_clients_day",
    "area_of_row",
    "pk",
    "alive",
)


class _Ticked:
    """What `Filters` can do besides hold the ticked options."""

    @classmethod
    def from_data(cls, data):
        """From `forms.ProviderFilter.valid_data`: a type of help, service or audience by its
        slug, a radio's value as a set of one."""
        return cls(
            **{
                name: frozenset(
                    getattr(choice, "slug", choice)
                    for choice in ([value] if isinstance(value, str) else value)
                )
                for name, value in data.items()
            }
        )

    def without(self, name, value):
        """These filters with one option of one filter unticked."""
        return dataclasses.replace(self, **{name: getattr(self, name) - {value}})


# The ticked options, as plain values: for each filter of `vocabulary.FILTERS` an attribute of its
# name, a frozenset of option values (slugs for a type of help, service or audience).
Filters = dataclasses.make_dataclass(
    "Filters",
    [(declared.name, frozenset, dataclasses.field(default=frozenset())) for declared in FILTERS],
    bases=(_Ticked,),
    frozen=True,
)


class Listing(NamedTuple):
    """What the page and the map take of a provider straight from the snapshot.

    A tuple of plain values, which the garbage collector stops tracking: a hundred thousand of
    them then cost nothing at each full collection.
    """

    pk: int
    name: str
    slug: str
    town: str


def _listing(provider):
    # One copy of each town's name, not one per listing.
    return Listing(provider["pk"], provider["name"], provider["slug"], sys.intern(provider["town"]))


class MapPoint(NamedTuple):
    """One provider on the map, from the snapshot's columns (`Snapshot.map_points`)."""

    area: int  # its index in the map's areas
    name: str
    slug: str
    state: int  # `check_state` of its first check to run out: 0 grace period, 1 soon, 2 current
    cost: tuple  # (free, lowest hourly rate, highest), None for a rate not given
    direct_payments: bool
    checks: tuple  # (index in MAP_CHECKS, `check_state`, the last day it counts), in order
    rules_until: int  # the last day before any grace period, as a day number
    new_clients: int  # `new_clients_state` on the day: 0 not confirmed recently, 1 taking...
    new_clients_day: int  # the day they confirmed it, as a day number (NEVER for none)


class Hit(NamedTuple):
    """One provider in a search's results, with its distance from the searched place."""

    pk: int
    distance_sq: float | None  # degrees squared; shown only rounded


@dataclasses.dataclass
class Results:
    order: "Ordered"  # snapshot rows of the results, in the chosen order
    facets: dict  # {group: {option: count}, "total": count}
    covering: np.ndarray  # snapshot rows of everyone covering the place, before filters
    distance_sq: np.ndarray  # for every snapshot row, from the searched place

    def __len__(self):
        return len(self.order)


class Ordered:
    """Rows in an order given by sort keys (as for `np.lexsort`: the last key first), sorted only
    as far as asked: a page needs 20 of what can be thousands. Slices like an array, so a
    `Paginator` can page it; `np.asarray` gives them all in order."""

    def __init__(self, rows, keys):
        self.rows = rows  # in no particular order
        self.keys = keys

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("Ordered rows are read in slices")
        start, stop, _ = item.indices(len(self.rows))
        return self._first(stop)[start:stop]

    def __array__(self, dtype=None, copy=None):
        return self._first(len(self.rows))

    def _first(self, count):
        """The first `count` rows in order. Every row whose first key is above the count-th
        smallest comes after all the others, so only those up to it need sorting."""
        if count <= 0:
            return self.rows[:0]
        candidates = slice(None)
        if count < len(self.rows) // 2:
            primary = self.keys[-1]
            kth = np.partition(primary, count - 1)[count - 1]
            candidates = np.flatnonzero(primary <= kth)
        order = np.lexsort(tuple(key[candidates] for key in self.keys))
        return self.rows[candidates][order][:count]


class Snapshot:
    """Columns over the public listings, a row per listing.

    A row keeps its number for the snapshot's life: a listing that changes is written again in its
    own row, one that stops being public is marked dead, a new one gets a row at the end. Searches
    find rows through two indexes kept beside the columns: rows by latitude (for the band a place
    can be reached from) and by name (for sorting).
    """

    version = changes.Version(0, None)  # the directory version it has caught up with
    day = None  # the day it was built for: which listings are public depends on the date
    behind = False  # True on a copy handed out while the directory has moved on (see `current`)
    built = True  # False when it was brought up to date by re-reading some listings only
    taxonomy = ""  # a digest of the category, service and audience names (`taxonomy_stamp`)

    def __init__(self, providers, tags, districts):
        # Every position here is a provider's public point, the centre of its postcode sector:
        # coverage, distances, order and the map never see the private base.
        providers.sort(key=lambda p: math.inf if p["area_latitude"] is None else p["area_latitude"])
        self.size = len(providers)
        self.listings = [_listing(p) for p in providers]
        # The map's places: each distinct area centre once. Only ever appended to, so snapshots
        # brought up to date from this one share the list.
        self.areas, self.area_index = [], {}
        columns, self.option_columns, radius = self._columns(providers)
        for name, values in columns.items():
            setattr(self, name, values)
        self.alive = np.ones(self.size, bool)
        self.max_radius = float(radius.max()) if self.size else 0.0
        # Where the directory has listings, for a search nobody covers: each town once, A to Z.
        self.town_counts = Counter(p["town"] for p in providers if p["town"])
        self.towns = sorted(self.town_counts, key=str.casefold)

        by_name = sorted(range(self.size), key=self._name_key)
        self.by_name = np.array(by_name, np.int64)
        self.name_rank = np.empty(self.size, np.int64)
        self.name_rank[self.by_name] = np.arange(self.size)

        # One yes/no column per type of help, service and audience, from (provider pk, slug) pairs.
        row_of = {p["pk"]: row for row, p in enumerate(providers)}
        self.tag_columns, self.tags = {}, {}
        for group, pairs in tags.items():
            slugs = sorted({slug for _, slug in pairs})
            self.tag_columns[group] = {slug: n for n, slug in enumerate(slugs)}
            self.tags[group] = np.zeros((self.size, len(slugs)), bool)
            for pk, slug in pairs:
                self.tags[group][row_of[pk], self.tag_columns[group][slug]] = True

        # Listed districts: (district code, row) pairs sorted by code, so a district's rows are
        # one slice. Codes number outward codes in `outward_codes`, only ever appended to.
        self.outward_codes = {}
        self.district_code, self.district_row = NO_ROWS, NO_ROWS
        self._set_districts(NO_ROWS, NO_ROWS, districts, row_of)
        self._index_latitude()

    def _columns(self, providers):
        """({column: values}, {option field: values}, travel radii) for these providers' rows."""

        def column(name, dtype, missing=None):
            return np.array([missing if p[name] is None else p[name] for p in providers], dtype)

        radius = column("coverage_radius_miles", float)
        columns = {
            "latitude": column("area_latitude", float, math.nan),
            "longitude": column("area_longitude", float, math.nan),
            # Radius 0 means "only my listed districts": it must not match even at its own area.
            "reach_sq": np.where(radius > 0, (radius / geo.MILES_PER_DEGREE) ** 2, -1.0),
            "is_free": column("is_free", bool),
            "rate_min": column("hourly_rate_min", float, math.nan),
            "rate_max": column("hourly_rate_max", float, math.nan),
            # The checks the listing's state is read from, the last day each counts (`_checks`).
            "check_until": np.array([p["check_until"] for p in providers], np.int64).reshape(
                -1, REGULATION + 1
            ),
            "regulation_kind": column("regulation_kind", np.int64),
            "rules_until": column("rules_until", np.int64),
            "last_checked": _days(p["last_checked_on"] for p in providers),
            # What the provider said about new clients, and the day they last confirmed it.
            "new_clients": column("new_clients_code", np.int8),
            "new_clients_day": column("new_clients_day", np.int64),
            "area_of_row": np.array([self._area(p) for p in providers], np.int64),
            "pk": np.array([p["pk"] for p in providers], np.int64),
        }
        options = {
            field: column(field, bool) if test is Yes else _days(p[field] for p in providers)
            for field, test in OPTION_FIELDS.items()
        }
        return columns, options, radius

    def _area(self, provider):
        """The index of the provider's area centre in `areas`, added if new; -1 for none."""
        if provider["area_latitude"] is None:
            return -1
        label = area_label(provider["town"], provider["area_sector"])
        place = (provider["area_latitude"], provider["area_longitude"], label)
        if place not in self.area_index:
            self.area_index[place] = len(self.areas)
            self.areas.append(place)
        return self.area_index[place]

    def _name_key(self, row):
        listing = self.listings[row]
        return listing.name.casefold(), listing.pk

    def _set_districts(self, codes, rows, districts, row_of):
        """Districts: these (code, row) pairs, and the (provider pk, outward code) `districts` of
        the rows in `row_of`."""
        added = [
            (self.outward_codes.setdefault(outward, len(self.outward_codes)), row_of[pk])
            for pk, outward in districts
        ]
        if added:
            new_codes, new_rows = np.array(added, np.int64).T
            codes, rows = np.concatenate([codes, new_codes]), np.concatenate([rows, new_rows])
        order = np.argsort(codes, kind="stable")
        self.district_code, self.district_row = codes[order], rows[order]

    def _rows_of(self, pks):
        """{pk: row} of the listings among `pks` this snapshot has a row for (alive or dead)."""
        rows = np.flatnonzero(np.isin(self.pk, list(pks)))
        return dict(zip(self.pk[rows].tolist(), rows.tolist(), strict=True))

    def _index_latitude(self):
        """Rows with a public point, by latitude, with their latitude, longitude and reach in the
        same order: a band of places is then one contiguous slice of each (no gathering)."""
        rows = np.flatnonzero(self.alive & ~np.isnan(self.latitude))
        self.by_latitude = rows[np.argsort(self.latitude[rows], kind="stable")]
        self.band = {name: getattr(self, name)[self.by_latitude] for name in BAND_COLUMNS}

    @classmethod
    def build(cls):
        """The whole published directory, read afresh."""
        built = cls(*read(Provider.public_objects.order_by()))
        built.taxonomy = taxonomy_stamp()
        return built

    @property
    def token(self):
        return self.version.token

    def patched(self, changed_ids):
        """A new snapshot: this one with the listings `changed_ids` read again (any of them no
        longer public is dropped). This one is left as it was, for the searches still using it."""
        providers, tags, districts = read(Provider.public_objects.filter(pk__in=changed_ids))
        new = copy.copy(self)
        new.built = False
        new.listings = list(self.listings)
        known = self._rows_of(changed_ids)
        row_of = {}  # the rows of the listings still public: their own, or a new one at the end
        for provider in providers:
            if (row := known.get(provider["pk"])) is None:
                row = len(new.listings)
                new.listings.append(None)
            row_of[provider["pk"]] = row
        new.size = len(new.listings)
        touched = np.array(sorted(known.values()), np.int64)
        rows = np.array([row_of[p["pk"]] for p in providers], np.int64)

        # Every column is copied (grown for new rows), the touched rows marked dead, then the
        # fresh values written into the rows of the listings still public.
        for name in ROW_COLUMNS:
            setattr(new, name, _grown(getattr(self, name), new.size))
        new.option_columns = {
            field: _grown(values, new.size) for field, values in self.option_columns.items()
        }
        new.alive[touched] = False
        new.reach_sq[touched] = -1.0
        columns, options, radius = new._columns(providers)
        for name, values in columns.items():
            getattr(new, name)[rows] = values
        for field, values in options.items():
            new.option_columns[field][rows] = values
        new.alive[rows] = True
        new.max_radius = max(self.max_radius, float(radius.max()) if len(radius) else 0.0)

        new.town_counts = self.town_counts.copy()
        for row in touched.tolist():
            if self.alive[row] and self.listings[row].town:
                new.town_counts[self.listings[row].town] -= 1
        for row, provider in zip(rows.tolist(), providers, strict=True):
            new.listings[row] = _listing(provider)
            if provider["town"]:
                new.town_counts[provider["town"]] += 1
        new.towns = sorted((t for t, n in new.town_counts.items() if n > 0), key=str.casefold)

        new._patch_tags(tags, touched, row_of)
        keep = ~np.isin(self.district_row, touched)
        new._set_districts(self.district_code[keep], self.district_row[keep], districts, row_of)
        new._patch_indexes(self, touched, rows)
        return new

    def _patch_tags(self, tags, touched, row_of):
        self.tag_columns, self.tags = dict(self.tag_columns), dict(self.tags)
        for group, pairs in tags.items():
            columns = dict(self.tag_columns[group])
            matrix = _grown(self.tags[group], self.size)
            if added := sorted({slug for _, slug in pairs} - set(columns)):  # a new term
                columns.update({slug: len(columns) + n for n, slug in enumerate(added)})
                matrix = np.hstack([matrix, np.zeros((self.size, len(added)), bool)])
            matrix[touched] = False
            for pk, slug in pairs:
                matrix[row_of[pk], columns[slug]] = True
            self.tag_columns[group], self.tags[group] = columns, matrix

    def _patch_indexes(self, old, touched, rows):
        """The latitude and name indexes without the touched rows, then with the fresh ones."""
        keep = ~np.isin(old.by_latitude, touched)
        placed = rows[~np.isnan(self.latitude[rows])]
        placed = placed[np.argsort(self.latitude[placed], kind="stable")]
        at = np.searchsorted(old.band["latitude"][keep], self.latitude[placed])
        self.by_latitude = np.insert(old.by_latitude[keep], at, placed)
        self.band = {
            name: np.insert(values[keep], at, getattr(self, name)[placed])
            for name, values in old.band.items()
        }

        by_name = old.by_name[~np.isin(old.by_name, touched)]
        fresh = sorted(rows.tolist(), key=self._name_key)
        key = self._name_key
        at = [bisect.bisect_left(by_name, key(row), key=key) for row in fresh]
        self.by_name = np.insert(by_name, at, fresh).astype(np.int64)
        self.name_rank = np.zeros(self.size, np.int64)
        self.name_rank[self.by_name] = np.arange(len(self.by_name))

    def behind_copy(self):
        """This snapshot, marked as behind the directory: its pages are not kept (`selectors`)."""
        behind = copy.copy(self)
        behind.behind = True
        return behind

    # Where ----------------------------------------------------------------------------------------

    def _near(self, location, miles):
        """(rows, squared distances, reaches) of the rows whose public point lies in a latitude
        band `miles` either side of the place."""
        south, north, _, _ = geo.bounding_box(location.latitude, location.longitude, miles)
        start, stop = np.searchsorted(self.band["latitude"], [south, north], side="left")
        band = {name: values[start:stop] for name, values in self.band.items()}
        distance_sq = _distance_sq(location, band["latitude"], band["longitude"])
        return self.by_latitude[start:stop], distance_sq, band["reach_sq"]

    def distances_sq(self, location, rows):
        return _distance_sq(location, self.latitude[rows], self.longitude[rows])

    def covering(self, location):
        """(rows, squared distances) of everyone whose travel radius or listed districts include
        the place."""
        rows, distance_sq, reach_sq = self._near(location, self.max_radius)
        reach = distance_sq <= reach_sq
        rows, distance_sq = rows[reach], distance_sq[reach]
        if (code := self.outward_codes.get(location.outward)) is not None:
            start, stop = np.searchsorted(self.district_code, [code, code + 1])
            listed = self.district_row[start:stop]
            # Those not already in: a mask rather than np.union1d, which sorts (1 ms in a city).
            seen = np.zeros(self.size, bool)
            seen[rows] = True
            listed = listed[~seen[listed]]
            rows = np.concatenate([rows, listed])
            distance_sq = np.concatenate([distance_sq, self.distances_sq(location, listed)])
        return rows, distance_sq

    def based_near(self, location, miles):
        """(rows, squared distances) of everyone whose public point is within `miles`."""
        rows, distance_sq, _ = self._near(location, miles)
        near = distance_sq <= (miles / geo.MILES_PER_DEGREE) ** 2
        return rows[near], distance_sq[near]

    # What -----------------------------------------------------------------------------------------

    def _holds(self, test, rows, today):
        """Yes/no per row: whether an option's test (`vocabulary`) holds for it on `today`."""
        match test:
            case Yes(field):
                return self.option_columns[field][rows]
            case Until(field):
                return self.option_columns[field][rows] >= today.toordinal()
            case UpTo(None):
                return self.is_free[rows]
            case UpTo(pounds):
                return self.is_free[rows] | (self.rate_min[rows] <= pounds)  # NaN: no rate given
            case Answered(answer):
                return self.new_clients_states(rows, today) == new_clients_code(answer)
        raise TypeError(f"No test for {test!r}")

    def _passes(self, declared, rows, ticked, today):
        """Yes/no per row: whether it passes one filter with these options ticked."""
        if isinstance(declared, Tags):
            columns = self.tag_columns[declared.name]
            ticked_columns = [columns[slug] for slug in ticked if slug in columns]
            return self.tags[declared.name][rows][:, ticked_columns].any(axis=1)
        options = {option.value: option.test for option in declared.options}
        holds = [self._holds(options[value], rows, today) for value in ticked]
        either = np.logical_and if isinstance(declared, Every) else np.logical_or
        return either.reduce(holds)

    def _matches(self, rows, filters, today):
        """{filter name: yes/no per row} for each filter with an option ticked."""
        return {
            declared.name: self._passes(declared, rows, ticked, today)
            for declared in FILTERS
            if (ticked := getattr(filters, declared.name))
        }

    def _counts(self, declared, rows, today):
        """{option: how many of the rows have it} for one filter (a term only when some do)."""
        if isinstance(declared, Tags):
            sums = np.count_nonzero(self.tags[declared.name][rows], axis=0)
            columns = self.tag_columns[declared.name]
            return {slug: int(sums[n]) for slug, n in columns.items() if sums[n]}
        return {
            option.value: int(self._holds(option.test, rows, today).sum())
            for option in declared.options
        }

    def search(self, location, filters, *, sort, today):
        """Filter, count every option, and sort the providers that cover the place.

        Within a filter where any ticked option may match (type of help, service, audience,
        cost), each option's count applies every filter but its own; where every ticked option
        must hold ("must have", "when"), options are counted among the results, as ticking more
        narrows.
        """
        rows, distance_sq = self.covering(location)
        matches = self._matches(rows, filters, today)
        result = rows[_every(matches.values(), len(rows))]

        facets = {}
        for declared in FILTERS:
            if isinstance(declared, Every):
                counted = result
            else:
                others = (match for name, match in matches.items() if name != declared.name)
                counted = rows[_every(others, len(rows))]
            facets[declared.name] = self._counts(declared, counted, today)
        facets["total"] = len(result)

        everywhere = np.full(self.size, np.inf)
        everywhere[rows] = np.nan_to_num(distance_sq, nan=np.inf)
        return Results(self._sorted(result, everywhere, sort, today), facets, rows, everywhere)

    def _sorted(self, rows, distance_sq, sort, today):
        distance, name = distance_sq[rows], self.name_rank[rows]
        if sort == "name":
            keys = (distance, name)
        elif sort == "checked":  # most recently checked first, never checked last
            keys = (name, distance, -self.last_checked[rows])
        else:
            # Nearest first by the distance its card shows ("about 3 miles"); within that, a
            # listing in its grace period after every listing with all its checks current; then
            # those taking new clients first (`NEW_CLIENTS_RANK`); then the exact distance.
            band = geo.whole_miles(np.sqrt(distance) * geo.MILES_PER_DEGREE)
            in_grace = self.states(rows, today) == 0
            taking = NEW_CLIENTS_RANK[self.new_clients_states(rows, today)]
            keys = (name, distance, taking, in_grace, band)
        return Ordered(rows, keys)  # the last key first, as for np.lexsort

    def states(self, rows, today):
        """Each row's state on `today` (`check_state`): 0 in its grace period, 1 a check runs
        out soon, 2 every check current."""
        return check_state(self.rules_until[rows], today)

    def new_clients_states(self, rows, today):
        """Each row's answer about new clients on `today` (`new_clients_state`): 0 not confirmed
        recently, 1 taking new clients, 2 waiting list, 3 not taking new clients."""
        return new_clients_state(self.new_clients[rows], self.new_clients_day[rows], today)

    def pks(self, rows):
        """The provider ids of snapshot rows."""
        return [self.listings[row].pk for row in rows.tolist()]

    def hits(self, rows, distance_sq):
        """Snapshot rows as `Hit`s (provider id and distance), for reading the providers."""
        rows = np.asarray(rows)
        return [
            Hit(self.listings[row].pk, None if math.isinf(d) else float(d))
            for row, d in zip(rows.tolist(), distance_sq[rows].tolist(), strict=True)
        ]

    def map_points(self, rows, today):
        """(areas, providers) for the map: each area centre the rows are based in once, as
        (latitude, longitude, label, a row based there), and each row as a `MapPoint`."""
        rows = np.asarray(rows)
        rows = rows[self.area_of_row[rows] >= 0]
        used, first, position = np.unique(
            self.area_of_row[rows], return_index=True, return_inverse=True
        )
        areas = [
            (*self.areas[area], row)
            for area, row in zip(used.tolist(), rows[first].tolist(), strict=True)
        ]
        until = self.check_until[rows]
        kinds = np.tile(np.arange(REGULATION + 1), (len(rows), 1))
        kinds[:, REGULATION] = self.regulation_kind[rows]
        columns = zip(
            position.tolist(),
            rows.tolist(),
            self.states(rows, today).tolist(),
            self.is_free[rows].tolist(),
            self.rate_min[rows].tolist(),
            self.rate_max[rows].tolist(),
            self.option_columns["accepts_direct_payments"][rows].tolist(),  # a filter's column
            kinds.tolist(),
            check_state(until, today).tolist(),
            until.tolist(),
            self.rules_until[rows].tolist(),
            self.new_clients_states(rows, today).tolist(),
            self.new_clients_day[rows].tolist(),
            strict=True,
        )
        providers = [
            MapPoint(
                area,
                self.listings[row].name,
                self.listings[row].slug,
                state,
                (free, _or_none(low), _or_none(high)),
                payments,
                tuple(
                    (kind, check, day)
                    for kind, check, day in zip(row_kinds, checks, days, strict=True)
                    if kind >= 0
                ),
                rules_until,
                new_clients,
                new_clients_day,
            )
            for (
                area,
                row,
                state,
                free,
                low,
                high,
                payments,
                row_kinds,
                checks,
                days,
                rules_until,
                new_clients,
                new_clients_day,
            ) in columns
        ]
        return areas, providers

    def nearest(self, location, miles, filters, *, today, exclude, limit):
        """`Hit`s for the `limit` nearest providers based within `miles` that pass every filter
        and are not in `exclude` (rows), nearest first."""
        rows, distance_sq = self.based_near(location, miles)
        keep = _every(self._matches(rows, filters, today).values(), len(rows))
        keep &= ~np.isin(rows, exclude)
        rows, distance_sq = rows[keep], distance_sq[keep]
        order = np.lexsort((self.name_rank[rows], distance_sq))[:limit]
        everywhere = np.full(self.size, np.inf)
        everywhere[rows] = distance_sq
        return self.hits(rows[order], everywhere)


def _every(matches, size):
    """Yes/no per row: whether it passes all these matches (yes for every row when none)."""
    passing = np.ones(size, bool)
    for match in matches:
        passing &= match
    return passing


def _distance_sq(location, latitude, longitude):
    """Squared distance in degrees of latitude on a flat projection around the searched point:
    within 0.5% of the great-circle distance up to 50 miles in Britain."""
    stretch = math.cos(math.radians(location.latitude))
    dx = (longitude - location.longitude) * stretch
    dy = latitude - location.latitude
    return dx * dx + dy * dy


def _set_checks(provider, checks):
    """Sets a provider's `check_until`: the last day each check its state is read from counts
    (`public_checks_until`), as day numbers, NEVER where one is not verified or not needed;
    `regulation_kind`: which of registration and exemption is the last (its index in MAP_CHECKS,
    -1 without personal care); and `rules_until`: the first of those days."""
    days = public_checks_until(
        checks,
        gives_personal_care=provider["gives_personal_care"],
        alone=works_alone(provider["legal_form"], provider["workers"]),
    )
    numbers = [NEVER if day is None else day.toordinal() for _, day in days]
    provider["check_until"] = numbers + [NEVER] * (REGULATION + 1 - len(numbers))
    provider["regulation_kind"] = (
        MAP_CHECKS.index(days[REGULATION][0]) if len(days) > REGULATION else -1
    )
    provider["rules_until"] = NEVER if NEVER in numbers else min(numbers)


def _set_new_clients(provider):
    """Sets a provider's `new_clients_code` (its index in NEW_CLIENTS_CODES) and `new_clients_day`
    (the local day it was confirmed, as a day number, NEVER for none)."""
    confirmed = provider["new_clients_confirmed_at"]
    provider["new_clients_code"] = new_clients_code(provider["new_clients"])
    provider["new_clients_day"] = timezone.localdate(confirmed).toordinal() if confirmed else NEVER


def _or_none(value):
    return None if math.isnan(value) else value


def _days(values):
    """Dates as day numbers, NEVER for none."""
    return np.array([NEVER if value is None else value.toordinal() for value in values], np.int64)


def _grown(values, size):
    """A copy of a per-row column with rows added up to `size` (filled in by the caller)."""
    extra = size - len(values)
    if not extra:
        return values.copy()
    return np.concatenate([values, np.zeros((extra, *values.shape[1:]), values.dtype)])


def read(providers):
    """(provider rows as dicts, {group: (provider pk, slug) pairs}, (provider pk, outward) pairs)
    of a queryset of public providers: five plain queries, no model instances.

    Providers first: a listing published while this runs has its services skipped (and its
    change, logged, brings it back next time); one unpublished meanwhile is kept until then.
    """
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
        "hourly_rate_max",
        "last_checked_on",
        "gives_personal_care",
        "legal_form",
        "workers",
        "new_clients",
        "new_clients_confirmed_at",
        *OPTION_FIELDS,  # the filters' own (`vocabulary`)
    ]
    rows = [
        dict(zip(columns, row, strict=True))
        for row in providers.values_list(*columns).iterator(chunk_size=CHUNK)
    ]
    ids = providers.values("pk")
    tags = {declared.name: [] for declared in TAGS}
    for link in dict.fromkeys(declared.link for declared in TAGS):  # one query a link table
        through = [declared for declared in TAGS if declared.link == link]
        rows_linked = getattr(Provider, link).through.objects.filter(provider__in=ids)
        pairs = rows_linked.values_list("provider_id", *(declared.slug for declared in through))
        for pk, *slugs in pairs.iterator(chunk_size=CHUNK):
            for declared, slug in zip(through, slugs, strict=True):
                tags[declared.name].append((pk, slug))
    districts = CoverageDistrict.objects.filter(provider__in=ids).values_list(
        "provider_id", "outward"
    )
    checks = defaultdict(list)
    check_rows = Check.objects.filter(provider__in=ids, kind__in=MAP_CHECKS).values_list(
        "provider_id", "kind", "status", "expires_on"
    )
    for pk, *check in check_rows.iterator(chunk_size=CHUNK):
        checks[pk].append(check)
    for row in rows:
        _set_checks(row, checks[row["pk"]])
        _set_new_clients(row)
    # A listing read between two of these queries may have tags of a listing not in `rows`.
    public = {row["pk"] for row in rows}
    tags = {group: [pair for pair in pairs if pair[0] in public] for group, pairs in tags.items()}
    return rows, tags, [pair for pair in districts.iterator(chunk_size=CHUNK) if pair[0] in public]


# The snapshot each process keeps ------------------------------------------------------------------

INLINE_REBUILD_ROWS = 2000  # a directory this small is rebuilt on the spot (a few milliseconds)
SLOW_MS = 100  # a search that waited longer than this for the snapshot is logged

logger = logging.getLogger(__name__)
_lock = threading.Lock()  # held by the one thread bringing the snapshot up to date
_kept = {"snapshot": None, "rebuilding": None}
# Since the process started (or `stats_reset`): the benchmark reports these.
STATS_AT_START = {"longest_wait_ms": 0.0, "patches": 0, "rebuilds": 0, "served_behind": 0}
stats = dict(STATS_AT_START)


def current():
    """This process's snapshot of the published directory, up to date with every committed change,
    or, for the moment another thread is bringing it up to date, the one before (marked `behind`).

    A search never waits for a rebuild: a change is applied by re-reading only the listings the
    change log names (milliseconds, even with 100,000 listings), and a change too big to list is
    rebuilt in a background thread while searches keep the previous snapshot. Only the first
    search in a process builds one (gunicorn's master builds it before forking: `when_ready` in
    gunicorn.conf.py).

    While this connection holds changes that have not committed (`changes.pending()`), it gets a
    snapshot of its own, untagged, so that neither it nor a page built from it is kept.
    """
    if changes.pending():
        return Snapshot.build()
    started = time.perf_counter()
    try:
        return _up_to_date(changes.current_version(), timezone.localdate())
    finally:
        waited = (time.perf_counter() - started) * 1000
        stats["longest_wait_ms"] = max(stats["longest_wait_ms"], waited)
        if waited > SLOW_MS:
            logger.warning("A search waited %.0f ms for the search snapshot", waited)


def _up_to_date(version, today):
    kept = _kept["snapshot"]
    if kept is not None and kept.version == version and kept.day == today:
        return kept
    if kept is None:
        with _lock:  # the first search in this process: there is nothing to serve meanwhile
            if _kept["snapshot"] is None:
                return _install(_built(version, today))
    return _catch_up(version, today)


def _catch_up(version, today):
    if not _lock.acquire(blocking=False):  # another thread is on it: keep the one before
        stats["served_behind"] += 1
        return _kept["snapshot"].behind_copy()
    try:
        kept = _kept["snapshot"]
        if kept.version == version and kept.day == today:
            return kept
        since = changes.changes_since(kept.version, version)
        if since.diverged or (since.everything and _small()):
            return _install(_built(version, today))
        if since.everything:
            _rebuild_in_background()
            stats["served_behind"] += 1
            return kept.behind_copy()
        ids = since.ids | _public_by_date_changed(kept.day, today)
        new = kept.patched(ids) if ids else copy.copy(kept)
        new.version, new.day, new.taxonomy = version, today, taxonomy_stamp()
        stats["patches"] += 1
        return _install(new)
    finally:
        _lock.release()


def taxonomy_stamp():
    """A short digest of every category, service and audience name: what the filter panel shows
    besides the counts (`selectors.filter_panel`). Three small queries, once per change."""
    names = [
        list(
            declared.terms.model.objects.order_by("pk").values_list("pk", "slug", "name", "name_cy")
        )
        for declared in TAGS
    ]
    return hashlib.sha256(repr(names).encode()).hexdigest()[:20]


def _small():
    """Small enough to rebuild on the spot (a test, a new site): a few milliseconds."""
    return Provider.public_objects.count() <= INLINE_REBUILD_ROWS


def _public_by_date_changed(before, today):
    """Listings whose place in the publishing rules turns between the two days (a check run out
    beyond its grace period at midnight): the only listings the date alone changes."""
    if before == today:
        return frozenset()
    first, last = sorted([before, today])
    turned = Provider.objects.filter(
        rules_met_until__gte=last_good_day(first), rules_met_until__lte=last_good_day(last)
    )
    return frozenset(turned.values_list("pk", flat=True))


def _built(version, today):
    """A whole new snapshot at `version` (read before the data: a change landing in between is
    then applied again by the next search, rather than missed)."""
    snapshot = Snapshot.build()
    snapshot.version, snapshot.day = version, today
    stats["rebuilds"] += 1
    return snapshot


def _install(snapshot):
    _kept["snapshot"] = snapshot
    return snapshot


def _rebuild_in_background():
    """One thread per process rebuilds the whole snapshot; searches use the previous one until
    it is swapped in (and brought up to date with anything logged since)."""
    running = _kept["rebuilding"]
    if running is not None and running.is_alive():
        return

    def rebuild():
        try:
            fresh = _built(changes.current_version(), timezone.localdate())
            with _lock:
                kept = _kept["snapshot"]
                if kept is None or fresh.version.number >= kept.version.number:
                    _install(fresh)
        except Exception:  # the previous snapshot stays; the next change tries again
            logger.exception("Could not rebuild the search snapshot")
        finally:
            connection.close()

    thread = threading.Thread(target=rebuild, name="search-snapshot", daemon=True)
    _kept["rebuilding"] = thread
    thread.start()


def rebuilt(timeout=None):
    """Wait for a background rebuild, if one is running (for the benchmark and tests)."""
    running = _kept["rebuilding"]
    if running is not None:
        running.join(timeout)


def stats_reset():
    stats.update(STATS_AT_START)
