"""Every published listing as one CSV row: the same public values as the pages and the ORUK API
(through `Provider.public_objects`), under the Open Government Licence. The columns are listed,
with what each holds, on the Open data page (`COLUMNS`)."""

import csv
import io

from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from providers.models import Check, Provider

BASIC = [
    (Check.Kind.DBS, "dbs"),
    (Check.Kind.INSURANCE, "insurance"),
    (Check.Kind.SAFEGUARDING, "safeguarding"),
    (Check.Kind.BUSINESS_REGISTRATION, "business_registration"),
]
COLUMNS = [
    ("service_id", _("The listing's ORUK service ID (a UUID that never changes)")),
    ("organization_id", _("The ORUK organisation ID of the business")),
    ("name", _("Business name")),
    ("summary", _("One or two sentences about the help")),
    ("description", _("Longer description")),
    ("area", _("Where it is based, as a town and postcode sector, such as Chelmsford (CM1 1)")),
    ("travels_miles", _("How far it travels from the centre of that sector")),
    ("covers_districts", _("Postcode districts it also covers, separated by spaces")),
    ("services", _("Services, separated by semicolons")),
    ("who_for", _("Who it is for, separated by semicolons")),
    ("free", _("yes if free")),
    ("hourly_rate_min", _("Lowest hourly rate in pounds")),
    ("hourly_rate_max", _("Highest hourly rate in pounds")),
    ("accepts_direct_payments", _("yes or no")),
    ("welsh_spoken", _("yes if it offers its help in Welsh")),
    ("availability", _("When it can help, separated by semicolons")),
    ("phone", _("Public phone number")),
    ("email", _("Public email address")),
    ("website", _("Website")),
    *[
        (f"{slug}_{part}", format_lazy("{}: {}", label, words))
        for kind, slug in BASIC
        for label in [Check.Kind(kind).label]
        for part, words in [
            ("checked", _("the date council staff saw proof")),
            ("valid_until", _("the date it runs out")),
        ]
    ],
    ("regulator_registration", _("Registration with the care regulator and its ID, if registered")),
    ("last_reviewed", _("The date of the council's last full review")),
    ("last_modified", _("When the listing last changed")),
    ("profile_url", _("The listing on this site")),
]
RISKY = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """As text, and never something a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(RISKY) else text


def _row(provider, today):
    checks = {check.kind: check for check in provider.checks.all()}
    regulation = provider.regulation(today)
    registration = regulation["registration"]
    row = {
        "service_id": provider.open_id,
        "organization_id": provider.organization_open_id,
        "name": provider.name,
        "summary": provider.summary,
        "description": provider.description,
        "area": provider.area_label,
        "travels_miles": provider.coverage_radius_miles,
        "covers_districts": " ".join(d.outward for d in provider.districts.all()),
        "services": "; ".join(s.name for s in provider.services.all()),
        "who_for": "; ".join(a.name for a in provider.audiences.all()),
        "free": "yes" if provider.is_free else "no",
        "hourly_rate_min": provider.hourly_rate_min,
        "hourly_rate_max": provider.hourly_rate_max,
        "accepts_direct_payments": "yes" if provider.accepts_direct_payments else "no",
        "welsh_spoken": "yes" if provider.welsh_spoken else "no",
        "availability": "; ".join(provider.availability),
        "phone": provider.phone,
        "email": provider.email,
        "website": provider.website,
        "regulator_registration": registration
        and f"{regulation['regulator'].full_name} {registration.reference}",
        "last_reviewed": provider.last_full_review,
        "last_modified": provider.updated_at.isoformat(timespec="seconds"),
        "profile_url": settings.SITE_URL.rstrip("/") + provider.get_absolute_url(),
    }
    for kind, slug in BASIC:
        check = checks.get(kind)
        verified = check is not None and check.status == Check.Status.VERIFIED
        row[f"{slug}_checked"] = check.verified_on if verified else ""
        row[f"{slug}_valid_until"] = check.expires_on if verified else ""
    return [_cell(row[name]) for name, _words in COLUMNS]


def listings_csv():
    today = timezone.localdate()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _words in COLUMNS])
    listings = Provider.public_objects.prefetch_related(
        "checks", "reviews", "districts", "services", "audiences"
    ).order_by("name", "pk")
    for provider in listings:
        writer.writerow(_row(provider, today))
    return out.getvalue()
