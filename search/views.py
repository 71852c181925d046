from django.shortcuts import render

from shortlist.session import SessionShortlist
from shortlist.toggle import Toggles

from .selectors import InvalidSearch, results_page
from .services import search_count_add


def results(request):
    try:
        page = results_page(request.GET)
    except InvalidSearch as invalid:
        # Back to the search form with a GOV.UK error summary; 400: the request was bad.
        status = 400 if request.GET else 200
        return render(request, "directory/home.html", {"form": invalid.form}, status=status)
    if "page" not in request.GET:  # a search, not the next page of one
        search_count_add(outward=page.outward)
    toggles = Toggles(request, frozenset(SessionShortlist(request.session).ids()))
    context = {"title": page.title, "body": page.html(toggles.html)}
    return render(request, "search/results.html", context)
