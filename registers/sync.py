"""The nightly check against the registers (`manage.py sync_registers`, run by `manage.py daily`).

CQC: every listing whose registration check gives a CQC ID (England) is looked up on the first
run; after that, only locations the CQC's change feed says changed since the last run, listings
not answered for `REFRESH_DAYS`, new or changed IDs, and those we could not check last time.
- Registered, at the listing's postcode district, with a home care service type: confirmed.
  The profile says "Checked against the CQC register on ...".
- Deregistered, or no such location: the registration check is marked run out, so the
  publishing rules hide the listing at once (unless it rests on a confirmed individual
  exemption), a published listing is suspended with the register's words as the reason, and
  it goes to the work queue.
- Another postcode district, no home care service type, or a provider's ID where a location's
  should be: the work queue, for an officer to decide. Nothing public changes.
- No answer in time, a 5xx or an answer we cannot read: nothing changes but the record's
  "could not check", which the work queue shows.
Companies House: every limited company and CIC with a company number. Dissolved, in
liquidation, with an active proposal to strike off, or not found: the work queue, and the
business registration check is flagged in the officer's register panel. Nothing public changes
until an officer acts: the company number is only one piece of the business registration check.

Without a key a register is skipped and nothing is called.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.dates import day_words
from places.nations import ENGLAND
from places.postcodes import InvalidPostcode, PostcodeValue
from providers.models import Check, Provider
from providers.rules import TAKEN_DOWN
from providers.services import provider_set_status

from . import companies_house, cqc
from .http import NotFound, RegisterUnavailable
from .models import RegisterRecord, SyncCursor

CQC_CURSOR = "cqc-location-changes"
REFRESH_DAYS = 30  # look again at least this often, whatever the change feed says
SYNCED_STATUSES = [Provider.Status.PENDING, Provider.Status.PUBLISHED, Provider.Status.SUSPENDED]
COMPANY_FORMS = [Provider.LegalForm.LIMITED_COMPANY, Provider.LegalForm.CIC]
Outcome = RegisterRecord.Outcome


@dataclass
class Answer:
    """What one register said about one listing, worked out before anything is written."""

    outcome: str
    differences: list
    facts: dict = field(default_factory=dict)  # RegisterRecord fields
    words: str = ""  # one plain sentence for the command's output


@dataclass
class Run:
    dry_run: bool
    now: object
    say: object  # a callable taking one line
    counts: dict = field(default_factory=dict)

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1


def registers_sync(*, dry_run=False, now=None, say=print):
    """Check every register we have a key for. Returns {what: how many} for the summary."""
    run = Run(dry_run=dry_run, now=now or timezone.now(), say=say)
    if cqc.configured():
        _sync_cqc(run)
    else:
        say("CQC: skipped, CQC_API_KEY is not set. Nothing was called.")
    if companies_house.configured():
        _sync_companies_house(run)
    else:
        say("Companies House: skipped, COMPANIES_HOUSE_API_KEY is not set. Nothing was called.")
    return run.counts


# The CQC ----------------------------------------------------------------------------------------


def cqc_targets():
    """Registration checks with a CQC ID on listings in England that are, or may soon be, public."""
    return (
        Check.objects.filter(
            kind=Check.Kind.REGISTRATION,
            status__in=[Check.Status.VERIFIED, Check.Status.AWAITING],
            provider__nation=ENGLAND,
            provider__status__in=SYNCED_STATUSES,
        )
        .exclude(reference="")
        .select_related("provider")
        .order_by("provider__name", "provider_id")
    )


def _sync_cqc(run):
    targets = list(cqc_targets())
    records = {
        record.provider_id: record
        for record in RegisterRecord.objects.filter(kind=RegisterRecord.Kind.CQC)
    }
    cursor = SyncCursor.objects.filter(name=CQC_CURSOR).first()
    if cursor is None:
        run.say(f"CQC: first run, looking up all {len(targets)} listings with a CQC ID.")
        due = targets
    else:
        run.say(f"CQC: reading the change feed since {day_words(cursor.last_run_at)}.")
        try:
            changed = cqc.changed_locations(cursor.last_run_at, run.now)
        except RegisterUnavailable as error:
            run.say(f"CQC: could not read the change feed ({error}). Nothing changed.")
            for check in targets:
                _unavailable(run, check.provider, RegisterRecord.Kind.CQC, check.reference, error)
            return
        stale = run.now - timedelta(days=REFRESH_DAYS)
        due = [
            check
            for check in targets
            if check.reference.strip() in changed
            or (record := records.get(check.provider_id)) is None
            or record.register_id != check.reference.strip()
            or record.could_not_check
            or record.answered_at is None
            or record.answered_at < stale
        ]
        run.say(
            f"CQC: {len(changed)} locations changed on the register; {len(due)} of our "
            f"{len(targets)} listings with a CQC ID to look up."
        )
    for number, check in enumerate(due, 1):
        reference = check.reference.strip()
        try:
            answer = _cqc_answer(check.provider, reference)
        except RegisterUnavailable as error:
            _unavailable(run, check.provider, RegisterRecord.Kind.CQC, reference, error)
            continue
        _apply(run, check.provider, RegisterRecord.Kind.CQC, reference, answer, check=check)
        if number % 50 == 0:
            run.say(f"CQC: {number} of {len(due)} looked up.")
    if not run.dry_run:
        SyncCursor.objects.update_or_create(name=CQC_CURSOR, defaults={"last_run_at": run.now})


def _cqc_answer(provider, reference):
    try:
        registration = cqc.location(reference)
    except NotFound:
        try:
            registration = cqc.provider(reference)
        except NotFound:
            return Answer(
                Outcome.OFF_REGISTER,
                [f"The CQC register has no location or provider with the ID {reference}."],
                {"status": "Not found"},
                "not on the register (404)",
            )
    facts = {
        "name": registration.name[:200],
        "status": registration.status[:60],
        "status_detail": "",
        "registration_date": registration.registration_date,
        "deregistration_date": registration.deregistration_date,
        "postcode": registration.postcode[:10],
        "regulated_activities": registration.regulated_activities,
        "service_types": registration.service_types,
        "raw": registration.raw,
    }
    if not registration.registered:
        when = registration.deregistration_date
        status = registration.status.lower() + (f" on {day_words(when)}" if when else "")
        return Answer(
            Outcome.OFF_REGISTER,
            [f"The CQC register says {reference} was {status}."],
            facts,
            status,
        )
    differences = []
    if registration.level == "provider":
        differences.append(
            f"{reference} is a CQC provider ID, not a location ID: record the ID of the location "
            "that gives the care on the registration check."
        )
    else:
        if not registration.gives_home_care:
            listed = ", ".join(registration.service_types) or "none"
            differences.append(
                f"The register lists no home care service type for {reference} (it lists: "
                f"{listed})."
            )
        if difference := _postcode_difference(provider, registration.postcode):
            differences.append(difference)
    if differences:
        return Answer(Outcome.DIFFERS, differences, facts, "registered, but " + _join(differences))
    return Answer(Outcome.CONFIRMED, [], facts, "registered and matches the listing")


def _postcode_difference(provider, postcode):
    """A sentence when the register's postcode is outside the listing's postcode district.

    Districts, not full postcodes: an agency is often registered at its office, a few streets
    from where its owner lives; another district is worth an officer's look."""
    try:
        theirs = PostcodeValue.parse(postcode)
        ours = PostcodeValue.parse(provider.base_postcode)
    except InvalidPostcode:
        return f"The register's postcode ({postcode or 'none'}) could not be read."
    if theirs.outward != ours.outward:
        return (
            f"The register's postcode, {theirs}, is in {theirs.outward}, not the listing's "
            f"district {ours.outward}."
        )
    return None


# Companies House --------------------------------------------------------------------------------


def company_targets():
    return (
        Provider.objects.filter(legal_form__in=COMPANY_FORMS, status__in=SYNCED_STATUSES)
        .exclude(companies_house_number="")
        .order_by("name", "pk")
    )


def _sync_companies_house(run):
    targets = list(company_targets())
    run.say(f"Companies House: looking up {len(targets)} companies.")
    for provider in targets:
        number = provider.companies_house_number.strip().upper()
        try:
            answer = _company_answer(number)
        except RegisterUnavailable as error:
            _unavailable(run, provider, RegisterRecord.Kind.COMPANIES_HOUSE, number, error)
            continue
        _apply(run, provider, RegisterRecord.Kind.COMPANIES_HOUSE, number, answer)


def _company_answer(number):
    try:
        company = companies_house.company(number)
    except NotFound:
        return Answer(
            Outcome.NOT_ACTIVE,
            [f"Companies House has no company numbered {number}."],
            {"status": "not found"},
            "not on the register (404)",
        )
    facts = {
        "name": company.name[:200],
        "status": company.status[:60],
        "status_detail": company.status_detail[:120],
        "registration_date": company.created,
        "deregistration_date": company.ceased,
        "postcode": company.postcode[:10],
        "raw": company.raw,
    }
    if company.active:
        return Answer(Outcome.CONFIRMED, [], facts, "active")
    sentence = f"Companies House says the company is {company.words}."
    return Answer(Outcome.NOT_ACTIVE, [sentence], facts, company.words)


# Writing what they said -------------------------------------------------------------------------


def _label(provider, kind, register_id):
    short = "CQC" if kind == RegisterRecord.Kind.CQC else "Companies House"
    return f"{provider.name} ({short} {register_id})"


def _unavailable(run, provider, kind, register_id, error):
    run.count("could not check")
    run.say(f"{_label(provider, kind, register_id)}: could not check ({error}). Nothing changed.")
    if run.dry_run:
        return
    record = RegisterRecord.objects.filter(provider=provider, kind=kind).first()
    if record is None:
        record = RegisterRecord(provider=provider, kind=kind, register_id=register_id)
    record.checked_at = run.now
    record.could_not_check = str(error)[:200]
    record.save()


def _apply(run, provider, kind, register_id, answer, check=None):
    record = RegisterRecord.objects.filter(provider=provider, kind=kind).first()
    before = (record.outcome, record.differences) if record else (Outcome.UNKNOWN, [])
    changed = before != (answer.outcome, answer.differences)
    takes_down = (
        answer.outcome == Outcome.OFF_REGISTER
        and check is not None
        and check.status == Check.Status.VERIFIED
    )
    run.count(answer.outcome)
    words = f"{_label(provider, kind, register_id)}: {answer.words}."
    if takes_down:
        words += " Its registration check is marked run out; the publishing rules take it down."
    elif answer.outcome in RegisterRecord.NEEDS_OFFICER:
        words += " For an officer to look at."
    if not changed and not takes_down:
        words += " (As before.)"
    run.say(("Would record: " if run.dry_run else "") + words)
    if run.dry_run:
        return
    with transaction.atomic():
        if record is None:
            record = RegisterRecord(provider=provider, kind=kind)
        record.register_id = register_id
        for name, value in answer.facts.items():
            setattr(record, name, value)
        record.outcome, record.differences = answer.outcome, answer.differences
        record.checked_at = record.answered_at = run.now
        record.could_not_check = ""
        if answer.outcome == Outcome.CONFIRMED:
            record.last_confirmed_at = run.now
        if changed:
            record.outcome_changed_at = run.now
        record.save()
        if takes_down:
            _take_down(run, provider, check, answer)


def _take_down(run, provider, check, answer):
    """Mark the registration check run out, in the register's words; suspend the listing if the
    publishing rules no longer hold it up (a sole trader working alone may still rest on a
    confirmed individual exemption)."""
    today = timezone.localdate(run.now)
    said = " ".join(answer.differences)
    check.status = Check.Status.EXPIRED
    note = f"{day_words(today)}: {said} Marked run out by the nightly check of the CQC register."
    check.staff_notes = f"{check.staff_notes.rstrip()}\n{note}".strip()
    check.save()  # audited; providers.changes works the listing's derived columns out again
    listing = Provider.objects.get(pk=provider.pk)
    if (
        listing.status == Provider.Status.PUBLISHED
        and Provider.objects.filter(pk=listing.pk).outside_rules(today).exists()
    ):
        provider_set_status(
            provider=listing,
            status=Provider.Status.SUSPENDED,
            by=None,
            reason=f"{TAKEN_DOWN}{said} (checked on {day_words(today)})",
            today=today,
        )
        run.count("taken down")
        run.say(f"{provider.name}: suspended.")


def _join(sentences):
    text = " ".join(sentences).rstrip(".")
    return text[0].lower() + text[1:] if text else text
