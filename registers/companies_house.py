"""The Companies House public data API: one company's profile.

GET /company/{company_number}, with the API key from Companies House's developer hub as the
user name of HTTP basic authentication and an empty password. Documented fields we read:
company_number, company_name, company_status ("active", "dissolved", "liquidation",
"receivership", "administration", "voluntary-arrangement", "converted-closed",
"insolvency-proceedings", ...), company_status_detail ("active-proposal-to-strike-off",
"petition-to-restore-dissolved", ...), type, subtype ("community-interest-company"),
date_of_creation, date_of_cessation, registered_office_address.postal_code.
Companies House data is published under the Open Government Licence v3.0.
"""

import base64
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from .http import RegisterUnavailable, get_json, segment

STATUS_WORDS = {
    "active": "active",
    "dissolved": "dissolved",
    "liquidation": "in liquidation",
    "receivership": "in receivership",
    "administration": "in administration",
    "voluntary-arrangement": "under a voluntary arrangement",
    "converted-closed": "converted or closed",
    "insolvency-proceedings": "in insolvency proceedings",
    "closed": "closed",
    "removed": "removed",
}
DETAIL_WORDS = {
    "active-proposal-to-strike-off": "has an active proposal to strike it off the register",
    "petition-to-restore-dissolved": "has a petition to restore it after it was dissolved",
}


@dataclass
class Company:
    number: str
    name: str = ""
    status: str = ""
    status_detail: str = ""
    created: date | None = None
    ceased: date | None = None
    postcode: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def active(self):
        return self.status == "active" and self.status_detail != "active-proposal-to-strike-off"

    @property
    def words(self):
        """ "dissolved on 3 March 2026", "active, but has an active proposal to strike it off"."""
        words = STATUS_WORDS.get(self.status, self.status.replace("-", " ") or "of unknown status")
        if self.ceased and self.status == "dissolved":
            words += f" on {self.ceased:%-d %B %Y}"
        if self.status_detail:
            detail = DETAIL_WORDS.get(self.status_detail, self.status_detail.replace("-", " "))
            words += f", and {detail}" if self.status != "active" else f", but {detail}"
        return words


def configured():
    return bool(settings.COMPANIES_HOUSE_API_KEY)


def company(number):
    """The company's profile. Raises NotFound or RegisterUnavailable."""
    token = base64.b64encode(f"{settings.COMPANIES_HOUSE_API_KEY}:".encode()).decode()
    data = get_json(
        settings.COMPANIES_HOUSE_API_URL,
        f"/company/{segment(number)}",
        headers={"Authorization": f"Basic {token}"},
        timeout=settings.REGISTER_TIMEOUT,
    )
    status = data.get("company_status")
    if not isinstance(status, str):
        raise RegisterUnavailable("Companies House's answer had no company_status")
    office = data.get("registered_office_address")
    return Company(
        number=str(data.get("company_number") or number),
        name=str(data.get("company_name") or ""),
        status=status,
        status_detail=str(data.get("company_status_detail") or ""),
        created=_date(data.get("date_of_creation")),
        ceased=_date(data.get("date_of_cessation")),
        postcode=str(office.get("postal_code") or "") if isinstance(office, dict) else "",
        raw={
            key: data[key]
            for key in (
                "company_number",
                "company_name",
                "company_status",
                "company_status_detail",
                "type",
                "subtype",
                "date_of_creation",
                "date_of_cessation",
            )
            if key in data
        },
    )


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
