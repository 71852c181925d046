"""Published listings as Open Referral UK 3.0 objects (`opendata/schema/`, BSD-3, from the
standard's repository).

Only public values: the listing's public text and contact details, its services and who it is
for, its checks with their dates, and where it works from public coverage (the postcode districts
it lists and a circle around the centre of its postcode sector, never its base). IDs are UUIDs
stored on each row, so they survive edits; the IDs of parts of a service (its cost, areas,
schedule...) are derived from the service's own, so they are stable too.
"""

import math
import uuid

from django.conf import settings
from django.utils import timezone

from places.models import PostcodeArea
from providers.models import Audience, NewClients, Service, ServiceCategory
from registers.selectors import open_data_identifiers, public_confirmation

NAMESPACE = uuid.UUID("6f1d7d39-2f4b-4f44-9a52-6f0d3a8f2c11")  # this directory's, for derived IDs
HELP_TAXONOMY = uuid.uuid5(NAMESPACE, "taxonomy:help")
AUDIENCE_TAXONOMY = uuid.uuid5(NAMESPACE, "taxonomy:audience")
TAXONOMIES = {
    HELP_TAXONOMY: ("Types of help", "The kinds of help local care micro-enterprises give"),
    AUDIENCE_TAXONOMY: ("Who it is for", "The groups of people a provider's help is for"),
}
DAYS = {"weekdays": "MO,TU,WE,TH,FR", "weekends": "SA,SU"}
# The unit of a listing's service capacity (Open Referral's `service_capacity`, whose `updated` is
# required): new clients, available 1 while the provider says they are taking them, else 0.
NEW_CLIENTS_UNIT = {"id": str(uuid.uuid5(NAMESPACE, "unit:new-clients")), "name": "New clients"}


def part_id(parent, name):
    return str(uuid.uuid5(parent, name))


def taxonomy_json(taxonomy_id):
    name, description = TAXONOMIES[taxonomy_id]
    return {"id": str(taxonomy_id), "name": name, "description": description}


def taxonomy_of(term):
    return AUDIENCE_TAXONOMY if isinstance(term, Audience) else HELP_TAXONOMY


def term_json(term):
    """A category, a service or an audience as a taxonomy term."""
    data = {"id": str(term.open_id), "name": term.name}
    if isinstance(term, Audience):
        data["description"] = term.name
    elif isinstance(term, ServiceCategory):
        data["description"] = term.description or term.name
    else:
        data["description"] = f"{term.category.name}: {term.name}"
        data["parent_id"] = str(term.category.open_id)
    taxonomy = taxonomy_of(term)
    data["taxonomy_id"] = str(taxonomy)
    data["taxonomy"] = TAXONOMIES[taxonomy][0]
    return _clean(data)


def organization_json(provider, *, full=True):
    org = provider.organization_open_id
    data = {
        "id": str(org),
        "name": provider.name,
        "description": provider.summary,
        "email": provider.email,
        "website": provider.website,
    }
    if full:
        identifiers = []
        if provider.companies_house_number:
            identifiers.append(
                ("Companies House", "company number", provider.companies_house_number)
            )
        if provider.charity_number:
            identifiers.append(("Charity Commission", "charity number", provider.charity_number))
        # The care regulator's ID of a current registration, as the profile shows it. ORUK's
        # identifier has no date: when the register last confirmed it is in the service's
        # accreditations.
        for scheme, kind, number, _confirmed in open_data_identifiers(provider):
            identifiers.append((scheme, kind, number))
        data["organization_identifiers"] = [
            {
                "id": part_id(org, f"identifier:{scheme}"),
                "organization_id": str(org),
                "identifier_scheme": scheme,
                "identifier_type": kind,
                "identifier": number,
            }
            for scheme, kind, number in identifiers
        ]
    return _clean(data)


def service_json(provider, *, full=True, today=None):
    """One published listing as an ORUK service; `full` adds the nested objects."""
    today = today or timezone.localdate()
    sid = provider.open_id
    profile = settings.SITE_URL.rstrip("/") + provider.get_absolute_url()
    reviewed = provider.last_full_review
    fees = _fees(provider)
    data = {
        "id": str(sid),
        "organization_id": str(provider.organization_open_id),
        "name": provider.name,
        "description": "\n\n".join(filter(None, [provider.summary, provider.description])),
        "url": provider.website or profile,
        "email": provider.email,
        "status": "active",
        "fees": fees,
        "accreditations": _accreditations(provider, today),
        "assured_date": reviewed.isoformat() if reviewed else "",
        "assurer_email": settings.COUNCIL_EMAIL,
        "last_modified": provider.updated_at.isoformat(),
    }
    if not full:
        return _clean(data)
    data["organization"] = organization_json(provider)
    data["service_areas"] = _service_areas(provider)
    data["cost_options"] = _cost_options(provider, fees)
    data["schedules"] = _schedules(provider)
    # Its public area with coordinates, so a neighbour's harvest or proximity search can place it.
    data["service_at_locations"] = [service_at_location_json(provider)]
    data["contacts"] = _contacts(provider)
    data["capacities"] = _capacities(provider, today)
    data["attributes"] = [
        {
            "id": part_id(sid, f"term:{term.open_id}"),
            "link_id": str(sid),
            "link_type": "service",
            "taxonomy_term_id": str(term.open_id),
            "taxonomy_term": term_json(term),
        }
        for term in [*provider.services.all(), *provider.audiences.all()]
    ]
    return _clean(data)


def service_at_location_json(provider, *, full=False):
    """The listing at its public area: the centre of its postcode sector, as on the map (or of
    its postcode district when the sector's centre is not known), so every location has
    coordinates for proximity searches, never the base's."""
    area = part_id(provider.open_id, "area")
    latitude, longitude = public_point(provider)
    location = {
        "id": area,
        "location_type": "virtual",
        "name": f"Based in {provider.area_label}",
        "description": "The centre of the postcode sector the provider is based in, not an "
        "address: providers come to people's homes.",
        "latitude": latitude,
        "longitude": longitude,
    }
    data = {
        "id": str(provider.open_id),  # one per service, so it shares the service's ID
        "service_id": str(provider.open_id),
        "location_id": area,
        "location": _clean(location),
    }
    if full:
        data["service"] = service_json(provider, full=False)
    return data


def public_point(provider):
    """(latitude, longitude) of the listing's public area: its sector's centre, else its postcode
    district's, else (None, None)."""
    if provider.area_latitude is not None:
        return provider.area_latitude, provider.area_longitude
    district = provider.area_sector.split(" ")[0]
    found = PostcodeArea.objects.filter(code=district).values_list("latitude", "longitude").first()
    return found or (None, None)


def _fees(provider):
    if provider.is_free:
        return "Free"
    parts = []
    if provider.hourly_rate_min is not None:
        high = provider.hourly_rate_max
        rate = f"£{provider.hourly_rate_min}" + (f" to £{high}" if high else "")
        parts.append(f"{rate} an hour")
    if provider.cost_notes:
        parts.append(provider.cost_notes)
    if provider.accepts_direct_payments:
        parts.append("Accepts Direct Payments")
    return ". ".join(parts)


def _accreditations(provider, today):
    rows = [row["sentence"] for row in provider.public_checklist(today)]
    regulation = provider.regulation(today)
    if registration := regulation["registration"]:
        rows.append(
            f"Registered with the {regulation['regulator'].full_name}: {registration.reference}"
        )
        if confirmed := public_confirmation(provider, today):
            rows.append(f"Last confirmed on the CQC register on {confirmed['on'].isoformat()}")
    elif regulation["exempt"]:
        rows.append(
            "Relies on the individual exemption from registration, confirmed by the council"
        )
    return "; ".join(str(row) for row in rows)


def _service_areas(provider):
    sid = provider.open_id
    areas = [
        {
            "id": part_id(sid, f"district:{district.outward}"),
            "service_id": str(sid),
            "name": f"Postcode district {district.outward}",
            "extent": district.outward,
            "extent_type": "postcode district",
        }
        for district in provider.districts.all()
    ]
    if provider.coverage_radius_miles and provider.area_latitude is not None:
        areas.append(
            {
                "id": part_id(sid, "circle"),
                "service_id": str(sid),
                "name": f"Within {provider.coverage_radius_miles} miles of {provider.area_label}",
                "extent": _circle(
                    provider.area_latitude, provider.area_longitude, provider.coverage_radius_miles
                ),
                "extent_type": "geojson",
            }
        )
    return areas


def _circle(latitude, longitude, miles, points=32):
    """A GeoJSON polygon close to a circle round the sector centre (public precision only)."""
    lat_step = miles / 69.0
    lon_step = miles / (69.0 * math.cos(math.radians(latitude)))
    ring = [
        [
            round(longitude + lon_step * math.cos(2 * math.pi * i / points), 5),
            round(latitude + lat_step * math.sin(2 * math.pi * i / points), 5),
        ]
        for i in range(points)
    ]
    ring.append(ring[0])
    return '{"type":"Polygon","coordinates":[' + str(ring).replace(" ", "") + "]}"


def _cost_options(provider, fees):
    sid = provider.open_id
    if provider.is_free:
        return [{"id": part_id(sid, "cost"), "service_id": str(sid), "option": "Free", "amount": 0}]
    if provider.hourly_rate_min is None:
        return []
    option = {
        "id": part_id(sid, "cost"),
        "service_id": str(sid),
        "option": "Hourly rate",
        "amount": float(provider.hourly_rate_min),
        "amount_description": fees,
    }
    return [option]


def _schedules(provider):
    sid = provider.open_id
    schedules = []
    for name in provider.availability:
        schedule = {
            "id": part_id(sid, f"schedule:{name}"),
            "service_id": str(sid),
            "freq": "WEEKLY",
            "description": name.capitalize(),
        }
        if name in DAYS:
            schedule["byday"] = DAYS[name]
        schedules.append(schedule)
    return schedules


def _capacities(provider, today):
    """Whether the listing is taking new clients, as a service capacity labelled as the provider's
    own statement with the time they confirmed it; none once it is no longer current
    (`Provider.new_clients_public`): an old answer is never published as today's."""
    shown = provider.new_clients_public(today)
    if shown.confirmed_on is None:
        return []
    confirmed = provider.new_clients_confirmed_at
    return [
        {
            "id": part_id(provider.open_id, "capacity:new-clients"),
            "service_id": str(provider.open_id),
            "unit": NEW_CLIENTS_UNIT,
            "available": 1 if shown.state == NewClients.TAKING else 0,
            "description": f"{NewClients(shown.state).label}: the provider's own statement, "
            f"confirmed on {shown.confirmed_on.isoformat()}. Not checked by the council.",
            "updated": confirmed.isoformat(timespec="milliseconds"),
        }
    ]


def _contacts(provider):
    sid = provider.open_id
    if not (provider.contact_name or provider.phone):
        return []
    contact = {"id": part_id(sid, "contact"), "service_id": str(sid), "name": provider.contact_name}
    if provider.phone:
        contact["phones"] = [
            {"id": part_id(sid, "phone"), "contact_id": contact["id"], "number": provider.phone}
        ]
    return [_clean(contact)]


def _clean(data):
    """Empty optional values are left out, never sent as null or ""."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def all_terms():
    """Every taxonomy term: categories, their services, and audiences."""
    return [
        *ServiceCategory.objects.all(),
        *Service.objects.select_related("category"),
        *Audience.objects.all(),
    ]
