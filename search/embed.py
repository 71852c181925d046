"""/embed/: the search box and the nearest results, compact, for a council, GP surgery or library
website to show in an iframe. Only the origins in EMBED_ALLOWED_ORIGINS may frame it (CSP
frame-ancestors); every other page keeps frame-ancestors 'none' and X-Frame-Options DENY.

The same published-only listings and public-precision areas as the results page; no cookies,
no scripts; every link opens the full site in a new tab, never inside the other site's frame.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .forms import PostcodeSearchForm
from .selectors import SERVICES, providers_for
from .snapshot import Filters, current

EMBED_SIZE = 5


def allow_framing(response):
    """Let the allowed origins, and only they, show this response in a frame."""
    origins = settings.EMBED_ALLOWED_ORIGINS
    if origins:
        response._csp_replace = {"frame-ancestors": origins}
        response.xframe_options_exempt = True  # the CSP above says who; browsers follow it
    return response


@require_GET
def embed(request):
    form = PostcodeSearchForm(request.GET or None)
    context = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        location, today = form.location, timezone.localdate()
        snapshot = current()
        results = snapshot.search(location, Filters(), sort="distance", today=today)
        hits = snapshot.hits(results.order[:EMBED_SIZE], results.distance_sq)
        context.update(
            location=location,
            total=len(results),
            providers=providers_for(hits, SERVICES),
            full_url=f"{reverse('search:results')}?{urlencode({'postcode': location.label})}",
        )
    elif form.is_bound and not form.place_choices:
        status = 400
    return allow_framing(render(request, "search/embed.html", context, status=status))
