from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from providers.models import Provider

from . import geo
from .filters import SORT_CHOICES, SORT_ORDER, ProviderFilter, facet_counts
from .forms import PostcodeSearchForm, filter_data

PAGE_SIZE = 20
FEW_RESULTS = 5  # fewer than this and we also suggest providers based nearby
NEARBY_MILES = 25
MAP_MARKER_LIMIT = 500


def results(request):
    form = PostcodeSearchForm(request.GET or None)
    if not form.is_valid():
        # Back to the search form with a GOV.UK error summary; 400 because the request was bad.
        status = 400 if request.GET else 200
        return render(request, "directory/home.html", {"form": form}, status=status)

    location = form.location
    # Work out once who covers the place; the counts, page and map below start from these ids
    # rather than repeating the coverage test in every query.
    located_ids = list(
        Provider.public_objects.covering(location).order_by().values_list("pk", flat=True)
    )
    located = Provider.public_objects.filter(pk__in=located_ids).with_distance(location)
    filterset = ProviderFilter(filter_data(request.GET), queryset=located)
    matching = filterset.without(located)
    facets = facet_counts(filterset, located)
    sort = request.GET.get("sort")
    sort = sort if sort in SORT_ORDER else "distance"
    paginator = Paginator(
        matching.order_by(*SORT_ORDER[sort]).prefetch_related(
            "services__category", "audiences", "checks"
        ),
        PAGE_SIZE,
    )
    paginator.count = facets["total"]  # already counted with the facets; saves a query
    page = paginator.get_page(request.GET.get("page"))

    nearby = []
    if page.paginator.count < FEW_RESULTS:
        nearby = list(
            filterset.without(Provider.public_objects.based_near(location, NEARBY_MILES))
            .exclude(pk__in=located_ids)
            .prefetch_related("services__category")[:FEW_RESULTS]
        )

    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "location": location,
            "filterset": filterset,
            "facets": facets,
            "ignored_filters": bool(filterset.form.errors),
            "page": page,
            "sort": sort,
            "sort_choices": SORT_CHOICES,
            "nearby": nearby,
            "nearby_miles": NEARBY_MILES,
            "summary": summary(page.paginator.count, location, filterset),
            "map_data": map_data(location, matching),
            "query_without_page": _query_without(request.GET, "page"),
            "query_without_sort": _query_without(request.GET, "page", "sort"),
        },
    )


def summary(count, location, filterset):
    """ "12 providers cover CM1 1AA for personal care", in plain English."""
    data = filterset.valid_data()
    words = f"{count} provider{'s' if count != 1 else ''} cover{'s' if count == 1 else ''} "
    words += location.label
    if categories := data.get("category"):
        words += " for " + " or ".join(c.name.lower() for c in categories)
    if set(data) - {"category"}:
        words += ", matching your filters"
    return words


def map_data(location, matching):
    """What the map script needs. Providers sit at their area's centre, never at their base."""
    # One reverse() for up to 500 markers, not one each.
    profile_url = reverse("providers:profile", args=["slug"]).removesuffix("slug/")
    markers = [
        {
            "lat": round(row.area_latitude, 5),
            "lon": round(row.area_longitude, 5),
            "name": row.name,
            "url": f"{profile_url}{row.slug}/",
            "area": row.area_label,
            "distance": row.distance_words,
        }
        for row in matching.filter(area_latitude__isnull=False).only(
            "name", "slug", "town", "area_outward", "area_latitude", "area_longitude"
        )[:MAP_MARKER_LIMIT]
    ]
    return {
        "centre": {
            "lat": round(location.latitude, 5),
            "lon": round(location.longitude, 5),
            "label": location.label,
        },
        "tiles": geo.map_tiles(),
        "markers": markers,
    }


def _query_without(query, *names):
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
