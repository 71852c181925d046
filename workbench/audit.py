"""The audit trail: django-auditlog records every create, change and delete of these models with
who made it and each field's old and new value, from request, command or shell alike.

Chosen over django-simple-history because it keeps one table of field-level diffs (old and new
value per field) rather than a copy of every model's table, records the signed-in user through its
middleware, follows many-to-many changes, and its admin is read-only.

Parts of a listing (checks, districts, reviews, status changes, reports) name their listing in
`additional_data`, so its timeline keeps them even after they are deleted. Notes people write on
shared shortlists and the keyed client hashes are left out: they are not council records. Nor is
a share link's token: anyone who reads the trail could open the shortlist with it.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from portal.models import Application, Owner, ProposedChange, ProviderFigures
from providers.models import (
    Audience,
    Check,
    CoverageDistrict,
    Provider,
    Review,
    Service,
    ServiceCategory,
    StatusChange,
)
from reports.models import ProblemReport
from shortlist.models import SharedShortlist

# Columns recomputed from other rows by providers.changes: their source rows are audited.
DERIVED = [
    "area_sector",
    "area_latitude",
    "area_longitude",
    "nation",
    "basic_checks_current_until",
    "gives_personal_care",
    "registered_until",
    "rules_met_until",
    "last_checked_on",
    "updated_at",
    "version",
]


def register():
    auditlog.register(Provider, m2m_fields={"services", "audiences"}, exclude_fields=DERIVED)
    for model in (
        Check,
        CoverageDistrict,
        Review,
        StatusChange,
        Service,
        ServiceCategory,
        Audience,
    ):
        auditlog.register(model, exclude_fields=["updated_at"])
    auditlog.register(ProblemReport, exclude_fields=["client_key", "updated_at"])
    auditlog.register(SharedShortlist, exclude_fields=["entries", "client_key", "token"])
    # Providers' own side: who manages what, what they asked for and what was decided.
    for model in (Owner, Application, ProposedChange, ProviderFigures):
        auditlog.register(model, exclude_fields=["updated_at"])
    # Where each applicant stands in the programme's pipeline.
    from .models import ApplicantStage

    auditlog.register(ApplicantStage)


def timeline(provider):
    """Every audit entry about a listing and its parts, newest first."""
    return (
        LogEntry.objects.filter(
            Q(content_type=ContentType.objects.get_for_model(Provider), object_pk=str(provider.pk))
            | Q(additional_data__provider=provider.pk)
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
