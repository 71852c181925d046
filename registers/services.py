"""Officers' writes about the registers. Keyword-only, <thing>_<action>; every write is a save of
an audited model (django-auditlog records who, through its middleware)."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from .models import RegisterRecord

STATUS_WORDS = {"registered": "Registered", "cancelled": "Cancelled", "not_found": "Not found"}


@transaction.atomic
def register_record_mark_seen(*, record, by, notes=""):
    """An officer has looked at what the register says and decided (the listing's own pages are
    where they act on it). It leaves the work queue until the register says something new."""
    record = RegisterRecord.objects.select_for_update().get(pk=record.pk)
    record.seen_by, record.seen_at = by, timezone.now()
    if notes.strip():
        stamp = f"{timezone.localdate():%-d %B %Y}, {by.get_username()}"
        record.officer_notes = f"{record.officer_notes.rstrip()}\n{stamp}: {notes.strip()}".strip()
    record.save()
    return record


@transaction.atomic
def ciw_record_save(*, provider, register_id, status, service_types, seen_on, notes, by):
    """What an officer saw on Care Inspectorate Wales's register search. CIW has no API, so this
    is the only way a CIW record is written: by hand, dated, with who saw it."""
    record = (
        RegisterRecord.objects.select_for_update()
        .filter(provider=provider, kind=RegisterRecord.Kind.CIW)
        .first()
    ) or RegisterRecord(provider=provider, kind=RegisterRecord.Kind.CIW)
    seen_at = timezone.make_aware(datetime.combine(seen_on, time(12)))
    record.register_id = register_id.strip()
    record.status = STATUS_WORDS.get(status, status)
    record.service_types = [kind.strip() for kind in service_types.split(",") if kind.strip()]
    record.outcome = RegisterRecord.Outcome.RECORDED
    record.differences = []
    record.checked_at = record.answered_at = seen_at
    record.last_confirmed_at = seen_at if status == "registered" else None
    record.outcome_changed_at = timezone.now()
    record.could_not_check = ""
    record.seen_by, record.seen_at = by, timezone.now()
    if notes.strip():
        stamp = f"{seen_on:%-d %B %Y}, {by.get_username()}"
        record.officer_notes = f"{record.officer_notes.rstrip()}\n{stamp}: {notes.strip()}".strip()
    record.save()
    return record
