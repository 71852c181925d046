import hashlib
import re

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from providers.models import Provider, Service
from shortlist.session import SessionShortlist
from shortlist.toggle import Toggles

from . import geo, index
from .filters import SORT_CHOICES, ProviderFilter
from .forms import PostcodeSearchForm, filter_data

PAGE_SIZE = 20
PAGE_CACHE_SECONDS = 3600  # also dropped at once by any change to the directory (its version)
TOGGLE = re.compile(r"<!--shortlist-toggle:(\d+)-->")
FEW_RESULTS = 5  # fewer than this and we also suggest providers based nearby
NEARBY_MILES = 25
SERVICES = Prefetch("services", queryset=Service.objects.select_related("category"))


def results(request):
    # Everyone who opens the same search sees the same page, apart from the shortlist buttons, so
    # it is built once per directory version and day (checks run out at midnight) and cached.
    # Only a search that passed the form's checks is ever cached, so a cached one needs none.
    directory = index.current()
    today = timezone.localdate()
    query = sorted(request.GET.lists())
    key = "results:" + hashlib.sha256(repr((directory.token, today, query)).encode()).hexdigest()
    page = cache.get(key)
    if page is None:
        form = PostcodeSearchForm(request.GET or None)
        if not form.is_valid():
            # Back to the search form with a GOV.UK error summary; 400: the request was bad.
            status = 400 if request.GET else 200
            return render(request, "directory/home.html", {"form": form}, status=status)
        page = results_page(request.GET, form.location, directory, today)
        cache.set(key, page, PAGE_CACHE_SECONDS)

    # The page is stored cut at its button markers: text, provider id, text, provider id, text...
    toggles = Toggles(request, frozenset(SessionShortlist(request.session).ids()))
    parts = page["parts"]
    body = [parts[0]]
    for pk, text in zip(parts[1::2], parts[2::2], strict=True):
        body += [toggles.html(int(pk), page["names"][pk]), text]
    body = "".join(body)
    # Safe: our own template's escaped output, and buttons built from escaped values.
    context = {"title": page["title"], "body": mark_safe(body)}  # noqa: S308
    return render(request, "search/results.html", context)


def results_page(query, location, directory, today):
    """The shared part of a results page: its title, its HTML cut at each shortlist button's
    marker, and the provider names those buttons need."""
    filterset = ProviderFilter(filter_data(query))
    filters = index.Filters.from_data(filterset.valid_data)
    sort = query.get("sort")
    sort = sort if sort in dict(SORT_CHOICES) else "distance"

    found = directory.search(location, filters, sort=sort, today=today)
    page = Paginator(found.order, PAGE_SIZE).get_page(query.get("page"))
    page.object_list = providers_for(
        directory.found(page.object_list, found.distance_sq), SERVICES, "audiences", "checks"
    )

    nearby = []
    if len(found) < FEW_RESULTS:
        nearby = providers_for(
            directory.nearest(
                location,
                NEARBY_MILES,
                filters,
                today=today,
                exclude=found.covering,
                limit=FEW_RESULTS,
            ),
            SERVICES,
        )

    body = render_to_string(
        "search/_results_body.html",
        {
            "location": location,
            "filterset": filterset,
            "facets": found.facets,
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
            "summary": summary(len(found), location, filterset),
            "map_data": map_data(location, directory, found.order),
            "query_without_page": _query_without(query, "page"),
            "query_without_sort": _query_without(query, "page", "sort"),
        },
    )
    title = f"Care and support near {location.label}"
    if page.number > 1:
        title += f" (page {page.number} of {page.paginator.num_pages})"
    names = {str(provider.pk): provider.name for provider in page.object_list}
    return {"title": title, "parts": TOGGLE.split(body), "names": names}


def providers_for(found, *prefetch):
    """The providers behind `found` (from the search snapshot), in the same order, read afresh.

    Read through `public_objects` again, so a listing unpublished a moment ago is dropped even
    before this process's snapshot catches up.
    """
    by_pk = Provider.public_objects.prefetch_related(*prefetch).in_bulk([f.pk for f in found])
    providers = []
    for item in found:
        if provider := by_pk.get(item.pk):
            provider.distance_sq = item.distance_sq
            providers.append(provider)
    return providers


def summary(count, location, filterset):
    """ "12 providers cover CM1 1AA for personal care", in plain English."""
    data = filterset.valid_data
    words = f"{count} provider{'s' if count != 1 else ''} cover{'s' if count == 1 else ''} "
    words += location.label
    if categories := data.get("category"):
        words += " for " + " or ".join(c.name.lower() for c in categories)
    if set(data) - {"category"}:
        words += ", matching your filters"
    return words


def map_data(location, directory, rows):
    """What the map script needs: every result, each at its area's centre, never at its base.

    Compact, because a city search can have thousands: each area once, then each provider as
    [area index, name, slug].
    """
    areas, providers = directory.map_points(rows)
    return {
        "centre": {
            "lat": round(location.latitude, 5),
            "lon": round(location.longitude, 5),
            "label": location.label,
        },
        "tiles": geo.map_tiles(),
        "profileUrl": reverse("providers:profile", args=["slug"]).removesuffix("slug/"),
        "areas": [
            {"lat": round(lat, 5), "lon": round(lon, 5), "label": label}
            for lat, lon, label in areas
        ],
        "providers": providers,
    }


def _query_without(query, *names):
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
