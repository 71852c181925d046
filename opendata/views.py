"""The Open Referral UK 3.0 API under /api/oruk/: read-only, published listings only (through
`Provider.public_objects`, as every public page), no key, open to any origin."""

import json
import math
import uuid
from datetime import UTC, datetime, time
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_GET

from core.middleware import api_error
from places import geo
from places.models import Postcode, PostcodeNotFound
from places.postcodes import InvalidPostcode
from providers.changes import changed_at, current_token
from providers.models import Audience, Provider, Service, ServiceCategory
from search import snapshot

from . import export, oruk

SCHEMA = Path(__file__).parent / "schema"
PER_PAGE_DEFAULT, PER_PAGE_MAX, PAGE_MAX = 20, 100, 1_000_000
MAX_TEXT = 200
MAX_DIGITS = 20  # room for leading zeros; int() of far longer strings is slow or refused
METHODS = ("GET", "HEAD")


class BadParameter(Exception):
    pass


def _method_not_allowed():
    response = api_error(405, "Method not allowed", "This API is read-only: use GET.")
    response["Allow"] = ", ".join(METHODS)
    return response


def _version_etag(prefix):
    """An ETag that changes with the directory's version token, and with the day: what is
    current changes at midnight too (a check runs out, an answer about new clients gets old)."""

    def etag(request, *args, **kwargs):
        token = current_token()
        return f"{prefix}-{token}-{timezone.localdate().isoformat()}" if token else None

    return etag


def _last_modified(request, *args, **kwargs):
    changed = changed_at()
    if changed is None:
        return None
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return max(changed, midnight)  # the day's start: see `_version_etag`


def api_view(view):
    """GET only, English, every error as {error, message}, CORS open, and a 304 for a client
    that has this version of the directory already (ETag)."""

    conditional = condition(etag_func=_version_etag("oruk"), last_modified_func=_last_modified)(
        view
    )

    # Nothing here changes anything, so there is nothing for a CSRF check to protect; without
    # it a POST gets the API's own 405 instead of the site's HTML 403.
    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        if request.method not in METHODS:
            return _method_not_allowed()
        try:
            with override(settings.LANGUAGE_CODE):
                response = conditional(request, *args, **kwargs)
        except BadParameter as problem:
            return api_error(400, "Bad request", str(problem))
        except LookupError:
            return api_error(404, "Not found", "There is nothing with that id in this directory.")
        if response.status_code == 412:  # If-Match or If-Unmodified-Since did not hold
            return api_error(412, "Precondition failed", "The directory has changed since.")
        response["Access-Control-Allow-Origin"] = "*"  # on a 304 too
        return response

    wrapped.__name__ = view.__name__
    return wrapped


# Parameters ---------------------------------------------------------------------------------------


def _text(request, name):
    value = request.GET.get(name, "")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise BadParameter(f"{name} must be plain text of {MAX_TEXT} characters or fewer.")
    return value.strip()


def _whole(request, name, default, low, high):
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    # ASCII digits only: str.isdigit() is also true of "²" and "①", which int() refuses, and
    # int() takes "３" and "٣" as 3.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS and low <= int(raw) <= high):
        raise BadParameter(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _uuid(request, name):
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        return uuid.UUID(raw[:64])
    except ValueError:
        raise BadParameter(f"{name} must be a UUID.") from None


def _yes_no(request, name):
    raw = request.GET.get(name, "").lower()
    if raw not in ("", "true", "false"):
        raise BadParameter(f"{name} must be true or false.")
    return raw == "true"


def _since(request):
    raw = request.GET.get("modified_after", "")
    if raw == "":
        return None
    try:
        moment = parse_datetime(raw[:40]) or (
            (day := parse_date(raw[:40])) and datetime.combine(day, time.min)
        )
        if moment and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # The database compares in UTC: a moment in year 1 or 9999 may not be one there.
        moment = moment and moment.astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if not moment:
        raise BadParameter(
            "modified_after must be a date or date and time, like 2026-11-30T09:00:00Z."
        )
    return moment


def _format(request):
    value = request.GET.get("format", "json")
    if value not in ("json", "ndjson"):
        raise BadParameter("format must be json or ndjson.")
    return value


def _page(request, items, serialize):
    """The page envelope exactly as the standard gives it, or every item as NDJSON."""
    if _format(request) == "ndjson":
        lines = (json.dumps(serialize(item)) + "\n" for item in items.iterator(chunk_size=500))
        return StreamingHttpResponse(lines, content_type="application/x-ndjson")
    per_page = _whole(request, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX)
    number = _whole(request, "page", 1, 1, PAGE_MAX)
    total = items.count()
    pages = max(math.ceil(total / per_page), 1)
    contents = [serialize(item) for item in items[(number - 1) * per_page : number * per_page]]
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": number,
            "size": len(contents),
            "first_page": number == 1,
            "last_page": number >= pages,
            "empty": not contents,
            "contents": contents,
        }
    )


# Endpoints ----------------------------------------------------------------------------------------


@api_view
def root(request):
    return JsonResponse(
        {
            "version": "3.0",
            "profile": "https://openreferraluk.org/specifications/3.0",
            "openapi_url": request.build_absolute_uri(reverse("oruk:openapi")),
        }
    )


@csrf_exempt
def openapi(request):
    if request.method not in METHODS:
        return _method_not_allowed()
    response = FileResponse((SCHEMA / "openapi.json").open("rb"), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _services(request):
    """The public listings the query asks for, in a stable order for paging."""
    listings = Provider.public_objects.prefetch_related(
        "checks", "reviews", "districts", "audiences", "services__category", "register_records"
    ).order_by("pk")
    if search := _text(request, "search"):
        listings = listings.filter(Q(name__icontains=search) | Q(summary__icontains=search))
    if term := _uuid(request, "taxonomy_term_id"):
        listings = listings.filter(
            Q(services__open_id=term)
            | Q(services__category__open_id=term)
            | Q(audiences__open_id=term)
        ).distinct()
    if taxonomy := _uuid(request, "taxonomy_id"):
        if taxonomy not in oruk.TAXONOMIES:
            raise BadParameter("taxonomy_id is not a taxonomy of this directory.")
        field = "services" if taxonomy == oruk.HELP_TAXONOMY else "audiences"
        listings = listings.filter(**{f"{field}__isnull": False}).distinct()
    if organization := _uuid(request, "organization_id"):
        listings = listings.filter(organization_open_id=organization)
    if since := _since(request):
        listings = listings.filter(updated_at__gte=since)
    return listings


@api_view
def services(request):
    full = _yes_no(request, "full") and not _yes_no(request, "minimal")
    today = timezone.localdate()
    return _page(
        request, _services(request), lambda p: oruk.service_json(p, full=full, today=today)
    )


@api_view
def service(request, pk):
    listing = _services(request).filter(open_id=pk).first()
    if listing is None:
        raise LookupError(pk)
    return JsonResponse(oruk.service_json(listing, full=not _yes_no(request, "minimal")))


@api_view
def organizations(request):
    full = _yes_no(request, "full")
    return _page(request, _services(request), lambda p: oruk.organization_json(p, full=full))


@api_view
def organization(request, pk):
    listing = Provider.public_objects.filter(organization_open_id=pk).first()
    if listing is None:
        raise LookupError(pk)
    data = oruk.organization_json(listing)
    data["services"] = [oruk.service_json(listing, full=False)]
    return JsonResponse(data)


@api_view
def taxonomies(request):
    ids = list(oruk.TAXONOMIES)
    return _list_page(request, ids, oruk.taxonomy_json)


@api_view
def taxonomy(request, pk):
    if pk not in oruk.TAXONOMIES:
        raise LookupError(pk)
    return JsonResponse(oruk.taxonomy_json(pk))


@api_view
def taxonomy_terms(request):
    terms = oruk.all_terms()
    if taxonomy := _uuid(request, "taxonomy_id"):
        terms = [term for term in terms if oruk.taxonomy_of(term) == taxonomy]
    if search := _text(request, "search").lower():
        terms = [t for t in terms if search in t.name.lower()]
    return _list_page(request, terms, oruk.term_json)


@api_view
def taxonomy_term(request, pk):
    for model in (ServiceCategory, Service, Audience):
        term = model.objects.filter(open_id=pk).first()
        if term is not None:
            return JsonResponse(oruk.term_json(term))
    raise LookupError(pk)


def _covering(request, listings):
    """With `postcode`, only who covers it by the directory's own rules (travel radius from the
    public area centre, or a listed district), as a search does; `proximity` (metres) also
    limits how far their public area centre may be."""
    raw = _text(request, "postcode")
    proximity = _whole(request, "proximity", None, 1, 500_000)
    if not raw:
        if proximity:
            raise BadParameter("proximity needs a postcode.")
        return listings
    try:
        location = Postcode.objects.locate(raw)
    except (InvalidPostcode, PostcodeNotFound):
        raise BadParameter("postcode must be a UK postcode, like CM1 1AE.") from None
    now = snapshot.current()
    rows, distance_sq = now.covering(location)
    if proximity:
        reach = proximity / 1609.344 / geo.MILES_PER_DEGREE
        rows = rows[distance_sq <= reach * reach]
    return listings.filter(pk__in=[now.listings[row].pk for row in rows.tolist()])


@api_view
def service_at_locations(request):
    # One for each listing: its public area (the centre of its postcode sector, as on the map),
    # never the base; providers come to people.
    full = _yes_no(request, "full")
    listings = _covering(request, _services(request))
    return _page(request, listings, lambda p: oruk.service_at_location_json(p, full=full))


@api_view
def service_at_location(request, pk):
    listing = _services(request).filter(open_id=pk).first()
    if listing is None:
        raise LookupError(pk)
    return JsonResponse(oruk.service_at_location_json(listing, full=True))


class _Listed(list):
    """An in-memory list (the taxonomy is small) that pages like a queryset."""

    def count(self):
        return len(self)

    def iterator(self, chunk_size=None):
        return iter(self)


def _list_page(request, items, serialize):
    return _page(request, _Listed(items), serialize)


@csrf_exempt
def not_found(request, *args, **kwargs):
    return api_error(404, "Not found", "There is no such endpoint in this API.")


# The Open data page and the CSV ---------------------------------------------------------------


def page(request):
    return render(request, "opendata/index.html", {"columns": export.COLUMNS})


@condition(etag_func=_version_etag("csv"))
@require_GET
def listings_csv(request):
    with override(settings.LANGUAGE_CODE):
        body = export.listings_csv()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="care-directory-listings.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
