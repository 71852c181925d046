"""Reading a neighbour's Open Referral UK 3.0 feed: plain HTTP from the standard library, short
timeouts, and only an allow-list of public fields kept from each service (`public_service`).

A feed is trusted for nothing: every value is checked for its type and shape, text is cut to a
length, links must be http(s), and where a service works is kept at public precision only (a
postcode district, a point on a 0.01 degree grid, a circle round such a point), whatever the feed
sends. An address line, a contact's name or a precise point is never stored.
"""

import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from places import geo

USER_AGENT = "care-directory harvest_neighbours (Open Referral UK 3.0)"
PER_PAGE = 100
MAX_PAGES = 200  # 20,000 services: far more than a council lists
GRID = 2  # decimal places of a public point: 0.01 degree, about 1.1 km north to south
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?) ?[0-9][A-Z]{2}$")
COMPANY = re.compile(r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6})$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,25}$")
LIMITS = {"name": 300, "description": 4000, "organisation_name": 300, "accreditations": 2000}


class FeedProblem(Exception):
    """The feed could not be read; the message says why in plain words."""


class ModifiedAfterRefused(FeedProblem):
    """The feed answered 400 to modified_after: it cannot be read incrementally."""


def get_json(url, *, timeout):
    """GET a JSON document, or FeedProblem (no answer, not 200, not JSON)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FeedProblem(f"{url} is not an http or https address")
    request = urllib.request.Request(  # noqa: S310 (http/https checked)
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = answer.read(50_000_000)
    except urllib.error.HTTPError as error:
        if error.code == 400 and "modified_after=" in url:
            raise ModifiedAfterRefused(f"{url} answered HTTP 400") from None
        raise FeedProblem(f"{url} answered HTTP {error.code}") from None
    except (OSError, ValueError) as error:  # URLError, timeouts, refused connections
        reason = getattr(error, "reason", error)
        raise FeedProblem(f"cannot reach {url}: {reason}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise FeedProblem(f"{url} did not answer JSON") from None


def services_pages(base, *, timeout, since=None, deadline=None):
    """Every service of the feed, with its nested parts (`full=true`), page by page; only those
    changed since `since` when given."""
    params = {"full": "true", "per_page": PER_PAGE}
    if since:
        params["modified_after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for number in range(1, MAX_PAGES + 1):
        if deadline and time.monotonic() > deadline:
            raise FeedProblem("the feed took too long to read; stopped")
        url = f"{base}/services?" + urllib.parse.urlencode({**params, "page": number})
        data = get_json(url, timeout=timeout)
        if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
            raise FeedProblem(f"{url} is not a page of services")
        yield from (item for item in data["contents"] if isinstance(item, dict))
        if data.get("last_page", True) or not data["contents"]:
            return
    raise FeedProblem(f"more than {MAX_PAGES} pages of services; stopped")


def one_service(base, service_id, *, timeout):
    url = f"{base}/services/{urllib.parse.quote(str(service_id), safe='')}"
    data = get_json(url, timeout=timeout)
    if not isinstance(data, dict):
        raise FeedProblem(f"{url} is not a service")
    return data


# The allow-list ------------------------------------------------------------------------------


def public_service(item, *, near_miles):
    """The fields we keep from a feed's service, checked and at public precision, or None when it
    has no id or name. Anything not named here is dropped."""
    service_id, name = _text(item.get("id"), 100), _text(item.get("name"), LIMITS["name"])
    if not service_id or not name:
        return None
    organisation = item.get("organization") if isinstance(item.get("organization"), dict) else {}
    districts, circles, points, postcode_district = _where(item)
    fields = {
        "oruk_id": service_id,
        "name": name,
        "description": _text(item.get("description"), LIMITS["description"]),
        "organisation_name": _text(organisation.get("name"), LIMITS["organisation_name"]),
        "company_number": _company_number(organisation),
        "url": _link(item.get("url")),
        "email": _email(item.get("email")),
        "phone": _phone(item),
        "accreditations": _text(item.get("accreditations"), LIMITS["accreditations"]),
        "assured_on": _date(item.get("assured_date")),
        "last_modified": _moment(item.get("last_modified")),
        "postcode_district": postcode_district,
        "districts": f" {' '.join(sorted(districts))} " if districts else "",
        "circles": circles,
        "points": points,
        **_box(circles, points, near_miles),
    }
    return fields


def has_parts(item):
    """Whether a service from a list came with its nested parts (areas, locations, contacts)."""
    return any(key in item for key in ("service_areas", "service_at_locations", "organization"))


def _text(value, limit):
    if not isinstance(value, str | int) or isinstance(value, bool):
        return ""
    text = str(value).replace("\x00", "").strip()
    return text[:limit]


def _link(value):
    text = _text(value, 500)
    parts = urllib.parse.urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else ""


def _email(value):
    text = _text(value, 254)
    try:
        validate_email(text)
    except ValidationError:
        return ""
    return text


def _phone(item):
    """The first phone number of the service's public contacts."""
    for contact in _list(item.get("contacts")):
        for phone in _list(contact.get("phones")):
            number = _text(phone.get("number"), 30)
            if PHONE.match(number):
                return number
    return ""


def _company_number(organisation):
    for identifier in _list(organisation.get("organization_identifiers")):
        scheme = (
            f"{identifier.get('identifier_scheme', '')} {identifier.get('identifier_type', '')}"
        )
        if re.search(r"companies house|company number|GB-COH", scheme, re.IGNORECASE):
            number = _text(identifier.get("identifier"), 20).upper().replace(" ", "")
            if COMPANY.match(number):
                return number
    return ""


def _date(value):
    text = _text(value, 40)
    try:
        return parse_date(text[:10]) if text else None
    except ValueError:
        return None


def _moment(value):
    text = _text(value, 40)
    try:
        moment = parse_datetime(text) if text else None
    except ValueError:
        return None
    if moment and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _list(value):
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _number(value, low, high):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def public_point(latitude, longitude):
    """A point on the 0.01 degree grid (about 1.1 km by 0.7 km in Britain): never finer than a
    postcode sector, whatever the feed sends."""
    latitude, longitude = _number(latitude, -90, 90), _number(longitude, -180, 180)
    if latitude is None or longitude is None:
        return None
    return [round(latitude, GRID), round(longitude, GRID)]


def _where(item):
    """(postcode districts covered, circles [lat, lon, miles], public points [lat, lon], the
    postcode district it is based in) from the service's areas and locations."""
    districts, circles, points, based = set(), [], [], ""
    for area in _list(item.get("service_areas")):
        kind = _text(area.get("extent_type"), 50).lower()
        extent = area.get("extent")
        if "district" in kind or "outward" in kind:
            for part in re.split(r"[\s,;]+", _text(extent, 1000).upper()):
                if OUTWARD.match(part):
                    districts.add(part)
        elif "geojson" in kind:
            circles += _circles(extent)
    for link in _list(item.get("service_at_locations")):
        location = link.get("location") if isinstance(link.get("location"), dict) else {}
        if point := public_point(location.get("latitude"), location.get("longitude")):
            points.append(point)
        for address in _list(location.get("addresses")):
            found = POSTCODE.match(_text(address.get("postal_code"), 10).upper())
            based = based or (found[1] if found else "")
    unique = []
    for point in points:
        if point not in unique:
            unique.append(point)
    return districts, circles[:20], unique[:20], based


def _circles(extent):
    """Each polygon of a GeoJSON extent as the smallest circle we draw round it: its centre put
    on the public grid, its radius (rounded up to a tenth of a mile) reaching every corner from
    there. A circle a feed draws round someone's home tells us no more than the grid square."""
    try:
        shape = json.loads(extent) if isinstance(extent, str) else extent
    except ValueError:
        return []
    if not isinstance(shape, dict):
        return []
    kind, coordinates = shape.get("type"), shape.get("coordinates")
    polygons = (
        [coordinates]
        if kind == "Polygon"
        else coordinates
        if kind == "MultiPolygon" and isinstance(coordinates, list)
        else []
    )
    circles = []
    for polygon in polygons[:20]:
        ring = polygon[0] if isinstance(polygon, list) and polygon else []
        corners = [
            (lat, lon)
            for corner in (ring if isinstance(ring, list) else [])[:2000]
            if isinstance(corner, list) and len(corner) >= 2
            for lon, lat in [(_number(corner[0], -180, 180), _number(corner[1], -90, 90))]
            if lat is not None and lon is not None
        ]
        if len(corners) > 1 and corners[0] == corners[-1]:
            corners.pop()  # a ring is closed by repeating its first corner
        if len(corners) < 3:
            continue
        centre = public_point(
            sum(c[0] for c in corners) / len(corners), sum(c[1] for c in corners) / len(corners)
        )
        reach = max(geo.distance_miles(*centre, lat, lon) for lat, lon in corners)
        if reach <= 200:
            circles.append([*centre, math.ceil(reach * 10) / 10])
    return circles


def _box(circles, points, near_miles):
    """The smallest box holding every circle, and every point with `near_miles` round it."""
    reaches = [(lat, lon, miles) for lat, lon, miles in circles]
    reaches += [(lat, lon, near_miles) for lat, lon in points]
    if not reaches:
        return {"south": None, "north": None, "west": None, "east": None}
    boxes = [geo.bounding_box(lat, lon, miles) for lat, lon, miles in reaches]
    return {
        "south": min(box[0] for box in boxes),
        "north": max(box[1] for box in boxes),
        "west": min(box[2] for box in boxes),
        "east": max(box[3] for box in boxes),
    }


def covers(service, latitude, longitude, outward, *, near_miles):
    """Whether a stored service covers a place: a district it lists, a circle the place is in,
    or, when it states no area at all, a point of its within `near_miles`. Returns the distance in
    miles from its nearest point or circle centre (0 for a district), or None."""
    if outward and f" {outward} " in service.districts:
        return min([0.0, *_distances(service, latitude, longitude)])
    inside = [
        geo.distance_miles(lat, lon, latitude, longitude)
        for lat, lon, miles in service.circles
        if geo.distance_miles(lat, lon, latitude, longitude) <= miles
    ]
    if inside:
        return min(inside)
    if not service.districts and not service.circles:
        near = [d for d in _distances(service, latitude, longitude) if d <= near_miles]
        if near:
            return min(near)
    return None


def _distances(service, latitude, longitude):
    return [
        geo.distance_miles(lat, lon, latitude, longitude)
        for lat, lon, *_ in [*service.points, *service.circles]
    ]
