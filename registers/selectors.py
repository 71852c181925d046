"""Reads of what the registers said: the officer's panel beside a listing, the work queue's
items, the public "Checked against the CQC register on ..." and open data's identifiers."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from places.nations import ENGLAND, WALES
from providers.models import Check, Provider

from . import companies_house, cqc
from .models import RegisterRecord

CQC_PAGE = "https://www.cqc.org.uk/location/{id}"
COMPANY_PAGE = "https://find-and-update.company-information.service.gov.uk/company/{id}"
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _records(provider):
    """From a prefetch of `register_records` when there is one."""
    return {record.kind: record for record in provider.register_records.all()}


def _registration(provider):
    for check in provider.checks.all():
        if check.kind == Check.Kind.REGISTRATION:
            return check
    return None


def public_confirmation(provider, today=None):
    """{"register", "on"} when the CQC register last confirmed the listing's current registration
    (same ID, registered, matching); None otherwise. Read from prefetched checks and records."""
    registration = _registration(provider)
    if registration is None or not registration.is_current(today or timezone.localdate()):
        return None
    record = _records(provider).get(RegisterRecord.Kind.CQC)
    if (
        record is None
        or record.last_confirmed_at is None
        or record.register_id != registration.reference.strip()
        or record.outcome not in (RegisterRecord.Outcome.CONFIRMED, RegisterRecord.Outcome.UNKNOWN)
    ):
        return None
    # After a night the register could not answer, the date stays that of its last answer.
    return {"register": "CQC", "on": timezone.localdate(record.last_confirmed_at)}


def open_data_identifiers(provider, today=None):
    """[(scheme, type, identifier, last confirmed date or None), ...]: the regulator's ID of a
    current registration, as the public profile shows it."""
    registration = _registration(provider)
    if registration is None or not registration.is_current(today or timezone.localdate()):
        return []
    regulator = provider.regulator
    reference = registration.reference.strip()
    confirmed = public_confirmation(provider, today)
    kind = "location ID" if regulator.short == "CQC" else "registration ID"
    rows = [
        (str(regulator.name), f"{regulator.short} {kind}", reference, confirmed and confirmed["on"])
    ]
    record = _records(provider).get(RegisterRecord.Kind.CQC)
    if confirmed and record.raw.get("providerId") and record.raw["providerId"] != reference:
        rows.append((str(regulator.name), "CQC provider ID", record.raw["providerId"], None))
    return rows


def register_panel(provider):
    """What the registers say about this listing, for the officer: one entry per register that
    applies, with when it said it, any difference, and what to do."""
    provider = Provider.objects.prefetch_related("checks", "register_records").get(pk=provider.pk)
    records = _records(provider)
    registration = _registration(provider)
    entries = []
    if provider.nation == ENGLAND and (
        registration is not None
        or provider.gives_personal_care
        or RegisterRecord.Kind.CQC in records
    ):
        entries.append(
            _entry(
                RegisterRecord.Kind.CQC,
                records.get(RegisterRecord.Kind.CQC),
                expected_id=registration.reference.strip() if registration else "",
                configured=cqc.configured(),
                key="CQC_API_KEY",
                page=CQC_PAGE,
                check_label="Registration with the care regulator",
            )
        )
    if provider.companies_house_number or RegisterRecord.Kind.COMPANIES_HOUSE in records:
        entries.append(
            _entry(
                RegisterRecord.Kind.COMPANIES_HOUSE,
                records.get(RegisterRecord.Kind.COMPANIES_HOUSE),
                expected_id=provider.companies_house_number,
                configured=companies_house.configured(),
                key="COMPANIES_HOUSE_API_KEY",
                page=COMPANY_PAGE,
                check_label="Business registration",
            )
        )
    ciw = None
    if provider.nation == WALES:
        ciw = {
            "search_url": settings.CIW_REGISTER_URL,
            "record": records.get(RegisterRecord.Kind.CIW),
            "form_url": reverse("registers:ciw", args=[provider.pk]),
            "expected_id": registration.reference.strip() if registration else "",
        }
    return {"provider": provider, "entries": entries, "ciw": ciw}


def _entry(kind, record, *, expected_id, configured, key, page, check_label):
    entry = {
        "kind": kind,
        "title": RegisterRecord.Kind(kind).label,
        "record": record,
        "expected_id": expected_id,
        "check_label": check_label,
        "page_url": page.format(id=record.register_id if record else expected_id)
        if (record or expected_id)
        else "",
        "not_configured": "" if configured else f"Not checked: {key} is not set.",
        "id_changed": bool(record and expected_id and record.register_id != expected_id),
        "flagged": bool(record and record.outcome in RegisterRecord.NEEDS_OFFICER),
        "seen_url": reverse("registers:seen", args=[record.pk]) if record else "",
    }
    return entry


def queue_items():
    """Records an officer should look at: a difference not yet seen, or a register we could not
    ask last night. Listings being kept (not archived or drafts) only, most serious first."""
    records = (
        RegisterRecord.objects.filter(
            provider__status__in=[
                Provider.Status.PENDING,
                Provider.Status.PUBLISHED,
                Provider.Status.SUSPENDED,
            ]
        )
        .exclude(kind=RegisterRecord.Kind.CIW)
        .select_related("provider")
    )
    waiting = [record for record in records if record.needs_officer or record.could_not_check]
    order = {
        RegisterRecord.Outcome.OFF_REGISTER: 0,
        RegisterRecord.Outcome.NOT_ACTIVE: 1,
        RegisterRecord.Outcome.DIFFERS: 2,
    }
    waiting.sort(
        key=lambda r: (
            order.get(r.outcome, 3) if r.needs_officer else 3,
            r.provider.name,
            r.kind,
        )
    )
    return [(record, _queue_words(record)) for record in waiting]


def _queue_words(record):
    short = "CQC" if record.kind == RegisterRecord.Kind.CQC else "Companies House"
    if record.needs_officer:
        words = f"{short}: " + " ".join(record.differences or [record.get_outcome_display()])
        if record.could_not_check:
            words += " Could not check again last night."
        return words
    since = record.answered_at or record.checked_at
    return f"{short}: could not check ({record.could_not_check})" + (
        f"; last answered {timezone.localdate(since):%-d %B %Y}" if record.answered_at else ""
    )
