"""What an officer does to a listing from the workbench's pages. Keyword-only, <thing>_<action>.

Each action takes the listing's version as the officer saw it and is refused (ListingChanged) if
someone has changed the listing since, so nobody saves over work they have not seen. Each records
who, when and why: the audit trail's entries for the rows it wrote carry the officer and, in their
`additional_data`, the reason ("why"), beside the listing's id that its timeline reads.
Status changes still go through `providers.services.provider_set_status` and its rules.
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from portal.models import Application
from providers.models import Check, Provider, Review
from providers.services import listings_apply_rules, provider_set_status
from reports.models import ProblemReport

from .models import ApplicantStage

PUBLISH_WHY = "Published: all four basic checks verified and in date"


class ListingChanged(Exception):
    """Someone changed the listing after the officer opened it."""

    def __init__(self):
        super().__init__(
            "Someone else changed this listing while you had it open, so nothing was saved. "
            "Read the listing as it is now, then do it again."
        )


def _locked(provider, seen_version):
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if seen_version is not None and locked.version != seen_version:
        raise ListingChanged
    return locked


def _last_entry():
    return LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0


def _explain(*, since, objects, by, why):
    """Put who and why on the audit entries written for `objects` since entry `since`."""
    for obj in objects:
        entries = LogEntry.objects.filter(
            pk__gt=since,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_pk=str(obj.pk),
        )
        for entry in entries:
            entry.additional_data = {**(entry.additional_data or {}), "why": why}
            if entry.actor_id is None and by is not None:
                entry.actor = by
            entry.save(update_fields=["additional_data", "actor"])


@transaction.atomic
def check_renew(*, provider, kind, verified_on, expires_on, reference, by, why, seen_version):
    """Record that the officer has seen a renewed check: verified on `verified_on` by them,
    running out on `expires_on`, with its new reference."""
    since = _last_entry()
    locked = _locked(provider, seen_version)
    check = Check.objects.filter(provider=locked, kind=kind).first() or Check(
        provider=locked, kind=kind
    )
    check.status = Check.Status.VERIFIED
    check.verified_on, check.verified_by = verified_on, by
    check.expires_on, check.reference = expires_on, reference
    check.save()
    why = why or (
        f"Renewal seen: valid until {date_format(expires_on, 'j F Y')}"
        + (f", reference {reference}" if reference else "")
    )
    _explain(since=since, objects=[check], by=by, why=why)
    # A renewal cannot break the rules, but the rest of the listing may already have: say so.
    return check, listings_apply_rules(providers=[locked], by=by)


@transaction.atomic
def listing_publish(*, provider, by, seen_version, why=PUBLISH_WHY):
    """Publish under the publishing rules (PublishingRefused says which check fails)."""
    since = _last_entry()
    locked = _locked(provider, seen_version)
    change = provider_set_status(
        provider=locked, status=Provider.Status.PUBLISHED, by=by, reason=why
    )
    _explain(since=since, objects=[locked] + ([change] if change else []), by=by, why=why)
    return change


@transaction.atomic
def listing_suspend(*, provider, by, reason, seen_version):
    since = _last_entry()
    locked = _locked(provider, seen_version)
    change = provider_set_status(
        provider=locked, status=Provider.Status.SUSPENDED, by=by, reason=reason
    )
    _explain(since=since, objects=[locked] + ([change] if change else []), by=by, why=reason)
    return change


@transaction.atomic
def review_record(*, provider, by, reviewed_on, notes, seen_version):
    """A full review of the whole listing by the officer, with what they found."""
    since = _last_entry()
    locked = _locked(provider, seen_version)
    review = Review.objects.create(
        provider=locked, reviewed_by=by, reviewed_on=reviewed_on, notes=notes
    )
    why = notes or f"Full review on {date_format(reviewed_on, 'j F Y')}"
    _explain(since=since, objects=[review], by=by, why=why)
    return review


@transaction.atomic
def report_handle(*, report, by, status, note):
    """Mark a report in progress (taking it, if no one has) or closed (saying why)."""
    since = _last_entry()
    report = ProblemReport.objects.select_for_update().get(pk=report.pk)
    if status == ProblemReport.Status.CLOSED and not note:
        raise ValueError("Say why you are closing this report")
    report.status = status
    if status == ProblemReport.Status.IN_PROGRESS and report.assigned_to_id is None:
        report.assigned_to = by
    if note:
        stamp = timezone.localtime().strftime("%-d %B %Y")
        who = by.get_username() if by else "staff"
        line = f"{stamp}, {who}: {note}"
        report.staff_note = f"{report.staff_note}\n{line}".strip()
    report.save()
    why = note or f"Marked as {report.get_status_display().lower()}"
    _explain(since=since, objects=[report], by=by, why=why)
    return report


@transaction.atomic
def applicant_stage_set(*, application, stage, by):
    """Move an applicant to a stage of the pipeline (enquiry, support, checks)."""
    since = _last_entry()
    application = Application.objects.select_for_update().get(pk=application.pk)
    row, created = ApplicantStage.objects.get_or_create(
        application=application, defaults={"stage": stage, "changed_by": by}
    )
    if not created and row.stage != stage:
        row.stage, row.since, row.changed_by = stage, timezone.now(), by
        row.save()
    why = f"Moved to {ApplicantStage.Stage(stage).label.lower()}"
    _explain(since=since, objects=[row], by=by, why=why)
    return row
