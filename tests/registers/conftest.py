"""The registers' APIs, served by a real local HTTP server (pytest-httpserver) in each API's
documented format, and the settings that point the real clients at it."""

import pytest

from providers.models import Service

from ..factories import make_provider

CQC_KEY = "test-cqc-subscription-key"
CH_KEY = "test-companies-house-key"


@pytest.fixture
def registers(settings, httpserver):
    """Both registers configured, at the local server."""
    settings.CQC_API_URL = httpserver.url_for("/cqc/public/v1")
    settings.CQC_API_KEY = CQC_KEY
    settings.COMPANIES_HOUSE_API_URL = httpserver.url_for("/ch")
    settings.COMPANIES_HOUSE_API_KEY = CH_KEY
    settings.REGISTER_TIMEOUT = 0.5
    return httpserver


def location_json(location_id, *, status="Registered", postcode="CM1 1AF", home_care=True, **extra):
    """GET /locations/{id}, as the CQC's API documents it (a domiciliary care agency)."""
    data = {
        "locationId": location_id,
        "providerId": "1-900000001",
        "organisationType": "Location",
        "type": "Social Care Org",
        "name": "Alpha Care",
        "registrationStatus": status,
        "registrationDate": "2019-04-01",
        "postalAddressLine1": "1 Example Street",
        "postalAddressTownCity": "Chelmsford",
        "region": "East",
        "postalCode": postcode,
        "careHome": "N",
        "regulatedActivities": [
            {
                "name": "Personal care",
                "code": "RA1",
                "contacts": [
                    {
                        "personTitle": "Ms",
                        "personGivenName": "Private",
                        "personFamilyName": "Person",
                        "personRoles": ["Registered Manager"],
                    }
                ],
            }
        ],
        "gacServiceTypes": [
            {"name": "Homecare agencies", "description": "Domiciliary care service"}
            if home_care
            else {"name": "Residential homes", "description": "Care home service without nursing"}
        ],
        "specialisms": [{"name": "Caring for adults over 65 yrs"}],
    }
    if status != "Registered":
        data["deregistrationDate"] = "2026-01-15"
    return data | extra


def company_json(number, *, status="active", detail=None, **extra):
    """GET /company/{company_number}, as Companies House documents it."""
    data = {
        "company_number": number,
        "company_name": "BRAVO HELP LIMITED",
        "company_status": status,
        "type": "ltd",
        "date_of_creation": "2018-06-01",
        "registered_office_address": {"address_line_1": "2 Example Road", "postal_code": "CM2 8QB"},
        "jurisdiction": "england-wales",
        "has_insolvency_history": False,
    }
    if detail:
        data["company_status_detail"] = detail
    if status == "dissolved":
        data["date_of_cessation"] = "2026-02-03"
    return data | extra


def changes_json(ids, page=1, total_pages=1):
    """GET /changes/location: one page of changed location IDs."""
    return {
        "total": len(ids),
        "page": page,
        "perPage": 1000,
        "totalPages": total_pages,
        "changes": ids,
        "firstPageUri": "/changes/location?page=1&perPage=1000",
        "lastPageUri": f"/changes/location?page={total_pages}&perPage=1000",
    }


def personal_care_listing(name="Alpha Care", reference="1-101", **overrides):
    """A published partnership giving personal care, registered with the CQC as `reference`:
    without the registration it may not be public."""
    overrides.setdefault("legal_form", "partnership")
    overrides.setdefault("workers", 3)
    return make_provider(
        name=name,
        services=Service.objects.filter(slug="washing-and-bathing"),
        registered=reference,
        **overrides,
    )
