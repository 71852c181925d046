from urllib.parse import urlencode

from django import forms
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from neighbours.selectors import section_html
from places.models import PostcodeArea
from places.postcodes import SECTOR
from shortlist.session import SessionShortlist
from shortlist.toggle import Toggles

from .forms import PostcodeSearchForm
from .selectors import InvalidSearch, map_data_for, results_page
from .services import search_count_add, unmet_demand_add

NEAREST_SECTOR_MILES = 10  # further than this from any postcode: not somewhere we can search


def results(request):
    try:
        page = results_page(request.GET)
    except InvalidSearch as invalid:
        return _search_again(request, invalid.form)
    if "page" not in request.GET:  # a search, not the next page of one
        search_count_add(outward=page.outward)
        unmet_demand_add(outward=page.outward, help_types=page.help_types, found=page.found)
    toggles = Toggles(request, frozenset(SessionShortlist(request.session).ids()))
    context = {
        "title": page.title,
        "body": page.html(toggles.html),
        # Apart from ours and read afresh: they change with each harvest, not with our listings.
        "neighbours": section_html(
            latitude=page.latitude, longitude=page.longitude, outward=page.outward, label=page.label
        ),
    }
    return render(request, "search/results.html", context)


def _search_again(request, form):
    """Back to the search form with a GOV.UK error summary. 400: the request was bad; 200 for an
    empty form, or a place name that needs only a choice between places of that name."""
    status = 200 if not request.GET or form.place_choices else 400
    return render(request, "directory/home.html", {"form": form}, status=status)


@require_GET
@cache_control(public=True, max_age=600)  # its URL carries the directory version
def map_data(request):
    try:
        return JsonResponse(map_data_for(request.GET))
    except InvalidSearch:
        return JsonResponse({"error": _("Enter a postcode or town to search")}, status=400)


class LocationForm(forms.Form):
    latitude = forms.FloatField(min_value=-90, max_value=90)
    longitude = forms.FloatField(min_value=-180, max_value=180)


# No CSRF token: this changes nothing, and a token would need a cookie on every home page.
# POST keeps the visitor's coordinates out of URLs and access logs; they are used once, to find
# the nearest postcode sector, and never stored.
@csrf_exempt
@require_POST
def locate(request):
    form = LocationForm(request.POST)
    search = PostcodeSearchForm()
    if not form.is_valid():
        search.errors["postcode"] = search.error_class(
            [_("We could not use your location. Enter a postcode or the name of your town instead")]
        )
        return render(request, "directory/home.html", {"form": search}, status=400)
    nearest = PostcodeArea.objects.nearest(
        form.cleaned_data["latitude"],
        form.cleaned_data["longitude"],
        kind=SECTOR,
        within_miles=NEAREST_SECTOR_MILES,
    )
    if nearest is None:
        search.errors["postcode"] = search.error_class(
            [
                _(
                    "Your location seems to be outside Great Britain. Enter a postcode or the "
                    "name of a town instead"
                )
            ]
        )
        return render(request, "directory/home.html", {"form": search}, status=400)
    return redirect(f"{reverse('search:results')}?{urlencode({'postcode': nearest[0]})}")
