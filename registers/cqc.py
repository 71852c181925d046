"""The Care Quality Commission's public API (CQC Syndication, v1): a location, a provider, and
the feed of locations changed between two times.

Every request sends the subscription key from the CQC API portal in the
`Ocp-Apim-Subscription-Key` header. Documented answers (fields we read):
- GET /locations/{locationId}: locationId, providerId, name, registrationStatus ("Registered" or
  "Deregistered"), registrationDate, deregistrationDate, postalCode, regulatedActivities
  [{name, code}], gacServiceTypes [{name, description}];
- GET /providers/{providerId}: providerId, name, registrationStatus, registrationDate,
  postalCode, regulatedActivities, locationIds;
- GET /changes/location?startTimestamp=...&endTimestamp=...&page=...&perPage=...: {changes:
  [locationId, ...], page, totalPages, total}. Each run starts where the last one ended.
CQC data is published under the Open Government Licence v3.0.
"""

from dataclasses import dataclass, field
from datetime import UTC, date

from django.conf import settings

from .http import RegisterUnavailable, get_json, segment

KEY_HEADER = "Ocp-Apim-Subscription-Key"
PER_PAGE = 1000
MAX_PAGES = 50  # 50,000 changed locations in one night is a feed gone wrong, not a busy day

# The service types (gacServiceTypes) under which the CQC registers care in people's homes.
HOME_CARE_SERVICE_TYPES = {
    "homecare agencies",
    "domiciliary care service",
    "supported living",
    "supported living service",
    "extra care housing services",
    "shared lives",
}


@dataclass
class Registration:
    """What the CQC register says about one location (or, failing that, one provider)."""

    register_id: str
    level: str  # "location" or "provider"
    name: str = ""
    status: str = ""
    registration_date: date | None = None
    deregistration_date: date | None = None
    postcode: str = ""
    regulated_activities: list = field(default_factory=list)
    service_types: list = field(default_factory=list)
    provider_id: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def registered(self):
        return self.status.strip().lower() == "registered"

    @property
    def gives_home_care(self):
        return any(kind.strip().lower() in HOME_CARE_SERVICE_TYPES for kind in self.service_types)


def configured():
    return bool(settings.CQC_API_KEY)


def _get(path, params=None):
    return get_json(
        settings.CQC_API_URL,
        path,
        params=params,
        headers={KEY_HEADER: settings.CQC_API_KEY},
        timeout=settings.REGISTER_TIMEOUT,
    )


def location(location_id):
    """The location's registration. Raises NotFound or RegisterUnavailable."""
    return _registration(_get(f"/locations/{segment(location_id)}"), "location")


def provider(provider_id):
    """A provider's registration, for an ID that turns out not to be a location's."""
    return _registration(_get(f"/providers/{segment(provider_id)}"), "provider")


def changed_locations(start, end):
    """The IDs of every location the CQC changed between `start` and `end` (aware datetimes),
    read page by page. Raises RegisterUnavailable if any page fails: a partial list would let a
    deregistration slip past."""
    params = {
        "startTimestamp": _timestamp(start),
        "endTimestamp": _timestamp(end),
        "perPage": PER_PAGE,
    }
    changed, page = set(), 1
    while True:
        data = _get("/changes/location", {**params, "page": page})
        ids = data.get("changes")
        if not isinstance(ids, list):
            raise RegisterUnavailable("the change feed's answer had no list of changes")
        changed.update(str(item) for item in ids if isinstance(item, str | int))
        total_pages = data.get("totalPages") or 1
        if not isinstance(total_pages, int) or page >= min(total_pages, MAX_PAGES):
            return changed
        page += 1


def _timestamp(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _registration(data, level):
    id_field = "locationId" if level == "location" else "providerId"
    register_id = data.get(id_field)
    status = data.get("registrationStatus")
    if not isinstance(register_id, str) or not isinstance(status, str):
        raise RegisterUnavailable(f"the CQC's answer had no {id_field} or registrationStatus")
    activities = _names(data.get("regulatedActivities"))
    service_types = _names(data.get("gacServiceTypes"), also="description")
    return Registration(
        register_id=register_id,
        level=level,
        name=str(data.get("name") or ""),
        status=status,
        registration_date=_date(data.get("registrationDate")),
        deregistration_date=_date(data.get("deregistrationDate")),
        postcode=str(data.get("postalCode") or ""),
        regulated_activities=activities,
        service_types=service_types,
        provider_id=str(data.get("providerId") or ""),
        # Only the documented fields we read: never the named contacts (registered managers).
        raw={
            key: data[key]
            for key in (
                id_field,
                "providerId",
                "name",
                "registrationStatus",
                "registrationDate",
                "deregistrationDate",
                "postalCode",
                "type",
            )
            if key in data
        }
        | {"regulatedActivities": activities, "gacServiceTypes": service_types},
    )


def _names(items, also=None):
    """["Personal care", ...] from [{"name": ..., "code": ..., "contacts": [...]}, ...]."""
    names = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        for key in ("name", also):
            if key and isinstance(item.get(key), str) and item[key] not in names:
                names.append(item[key])
    return names


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
