"""Neighbours' services that cover a searched place, apart from ours and without our duplicates,
and the results page's section that shows them (`search.views.results`)."""

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string

from providers.models import Provider

from .harvest import covers
from .models import NeighbourFeed, NeighbourService

SHOWN_PER_FEED = 10


@dataclass
class FeedGroup:
    """One neighbour's services covering the place: the first few, and how many in all."""

    feed: NeighbourFeed
    services: list = field(default_factory=list)
    total: int = 0


def normal_name(name):
    """A name as two listings of one business would both give it: no case, punctuation, "Ltd"."""
    words = re.sub(r"[^a-z0-9 ]+", " ", name.casefold().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in {"ltd", "limited", "the", "cic", "llp"})


def covering(*, latitude, longitude, outward, near_miles=None):
    """FeedGroups for the feeds in NEIGHBOUR_FEEDS, in the settings' order, of the services that
    cover the place (nearest first), leaving out any that is one of our published listings."""
    urls = [config["url"].rstrip("/") for config in settings.NEIGHBOUR_FEEDS]
    if not urls or latitude is None:
        return []
    near_miles = settings.NEIGHBOUR_NEAR_MILES if near_miles is None else near_miles
    where = Q(south__lte=latitude, north__gte=latitude, west__lte=longitude, east__gte=longitude)
    if outward:
        where |= Q(districts__contains=f" {outward} ")
    found = []
    for service in NeighbourService.objects.filter(where, feed__url__in=urls).select_related(
        "feed"
    ):
        miles = covers(service, latitude, longitude, outward, near_miles=near_miles)
        if miles is not None:
            service.miles = miles
            found.append(service)
    ours = _ours(found)
    groups = dict.fromkeys(urls)
    for service in sorted(found, key=lambda s: (s.miles, s.name.casefold())):
        if _identity(service) & ours:
            continue  # shown once, as ours
        group = groups[service.feed.url] or FeedGroup(service.feed)
        groups[service.feed.url] = group
        group.total += 1
        if len(group.services) < SHOWN_PER_FEED:
            group.services.append(service)
    return [group for group in groups.values() if group]


def _identity(service):
    """What makes a neighbour's service one of our listings: the same ORUK id, Companies House
    number, or name and postcode district."""
    keys = {("id", service.oruk_id.lower())}
    if service.company_number:
        keys.add(("company", service.company_number))
    if service.postcode_district:
        keys.add(("name", normal_name(service.name), service.postcode_district))
    return keys


def _ours(services):
    """The identities (as `_identity`) of our published listings that any of `services` might
    duplicate, in one query."""
    ids = []
    for service in services:
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(service.oruk_id))
    numbers = {s.company_number for s in services if s.company_number}
    districts = {s.postcode_district for s in services if s.postcode_district}
    conditions = [Q(open_id__in=ids), Q(companies_house_number__in=numbers)]
    conditions += [Q(area_sector__startswith=f"{district} ") for district in districts]
    if not services:
        return set()
    keys = set()
    for open_id, number, name, sector in Provider.public_objects.filter(
        reduce(or_, conditions)
    ).values_list("open_id", "companies_house_number", "name", "area_sector"):
        keys.add(("id", str(open_id)))
        if number:
            keys.add(("company", number.upper().replace(" ", "")))
        if sector:
            keys.add(("name", normal_name(name), sector.split(" ")[0]))
    return keys


def section_html(*, latitude, longitude, outward, label):
    """The results page's "Also covering this area, listed by ..." sections, or ""."""
    groups = covering(latitude=latitude, longitude=longitude, outward=outward)
    if not groups:
        return ""
    return render_to_string(
        "neighbours/_section.html",
        {"groups": groups, "place": label},
    )
