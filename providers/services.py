"""The publishing rules, and every change of a listing's status. Keyword-only, <thing>_<action>.

A listing can be published only when its four basic checks (DBS, public liability insurance,
safeguarding training, business registration) are verified and in date and none is rejected; and,
if it offers personal care, when it is registered with the care regulator for its nation (the CQC
or CIW) or is a sole trader working alone whose individual exemption staff have confirmed (see
`providers.regulators` for the law).
Once published it stays public while that holds, and for `CHECK_GRACE_DAYS` after a basic check
runs out (with a notice on its card and profile); `Provider.public_objects` applies the same rule,
so nothing outside it is ever shown. `listings_apply_rules`, run daily and after staff change a
check, then suspends what has fallen outside the rules and records why.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from .models import Check, NewClients, Provider, StatusChange, grace_days, works_alone


class PublishingRefused(Exception):
    """The listing does not meet the publishing rules; `problems` says why, a sentence each."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def _day(value):
    return date_format(value, "j F Y")


def provider_rule_problems(*, provider, today=None, grace=False):
    """Why this listing may not be public today: one plain sentence per basic check that fails,
    in checklist order; empty when it may. With `grace`, a check that ran out within the grace
    period still passes (the rule for staying public, not for publishing)."""
    today = today or timezone.localdate()
    last_good_day = today - timedelta(days=grace_days() if grace else 0)
    checks = {check.kind: check for check in Check.objects.filter(provider=provider)}
    problems = []
    for kind in Check.BASIC_KINDS:
        label = Check.Kind(kind).label
        check = checks.get(kind)
        status = check.status if check else Check.Status.NOT_PROVIDED
        if status == Check.Status.REJECTED:
            problems.append(f"{label} was rejected")
        elif status == Check.Status.AWAITING:
            problems.append(f"{label} has not been verified yet")
        elif status == Check.Status.NOT_PROVIDED:
            problems.append(f"{label} has not been provided")
        elif status == Check.Status.EXPIRED or (
            check.expires_on and check.expires_on < last_good_day
        ):
            when = f" on {_day(check.expires_on)}" if check.expires_on else ""
            problems.append(f"{label} ran out{when}")
    # From the services themselves, not the derived column: a bulk load refreshes that later.
    if provider.services.filter(category__regulated=True).exists():
        problems += _regulation_problems(provider, checks, last_good_day)
    return problems


def _regulation_problems(provider, checks, last_good_day):
    """Personal care: registered with the nation's regulator, or a sole trader working alone
    whose individual exemption the council has confirmed. An empty list when that holds."""
    regulator = provider.regulator

    def holds(kind):
        check = checks.get(kind)
        return (
            check is not None
            and check.status == Check.Status.VERIFIED
            and (check.expires_on is None or check.expires_on >= last_good_day)
        )

    alone = works_alone(provider.legal_form, provider.workers)
    if holds(Check.Kind.REGISTRATION) or (alone and holds(Check.Kind.EXEMPTION)):
        return []
    if alone:
        problems = [
            f"A sole trader who gives personal care must be registered with the {regulator.short}, "
            "or the council must confirm they work alone and directly for each person they help "
            "(the individual exemption)"
        ]
    else:
        form = Provider.LegalForm(provider.legal_form).label
        if provider.legal_form == Provider.LegalForm.SOLE_TRADER:
            form = f"sole trader with {provider.workers} workers"
        article = "An" if form[0].lower() in "aeiou" else "A"
        problems = [
            f"{article} {form[0].lower() + form[1:]} that gives personal care must be registered "
            f"with the {regulator.short}"
        ]
    registration = checks.get(Check.Kind.REGISTRATION)
    if registration is not None and registration.status != Check.Status.NOT_PROVIDED:
        status = registration.status
        if status == Check.Status.REJECTED:
            problems.append(f"Registration with the {regulator.short} was rejected")
        elif status == Check.Status.AWAITING:
            problems.append(f"Registration with the {regulator.short} has not been verified yet")
        else:
            when = f" on {_day(registration.expires_on)}" if registration.expires_on else ""
            problems.append(f"Registration with the {regulator.short} ran out{when}")
    return problems


@transaction.atomic
def provider_set_status(*, provider, status, by, reason, today=None):
    """Move a listing to `status`, recording who (None: the daily rules), when and why.

    Publishing is refused with PublishingRefused, and nothing changes, unless the four basic
    checks meet the rules today. Returns the StatusChange, or None if it already had `status`.
    The row is locked first, so two officers acting at once cannot both change it.
    """
    if not reason or not reason.strip():
        raise ValueError("Say why the status is changing")
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    provider.status = locked.status
    if locked.status == status:
        return None
    problems = []
    if status == Provider.Status.PUBLISHED:
        problems = provider_rule_problems(provider=locked, today=today)
    if problems:
        raise PublishingRefused(problems)
    change = StatusChange.objects.create(
        provider=locked, from_status=locked.status, to_status=status, changed_by=by, reason=reason
    )
    locked.status = status
    locked.save(update_fields=["status", "updated_at", "version"])  # a save: audited
    provider.status = status
    return change


def listings_apply_rules(*, today=None, by=None, providers=None):
    """Suspend every published listing that no longer meets the rules (a rejected, missing or
    unverified basic check, or one that ran out more than the grace period ago), saying why.

    Safe to run any number of times: a listing already suspended is left alone. Returns the
    StatusChanges made.
    """
    today = today or timezone.localdate()
    published = Provider.objects.published()
    if providers is not None:
        published = published.filter(pk__in=[provider.pk for provider in providers])
    changes = []
    for provider in published.outside_rules(today).order_by("pk"):
        problems = provider_rule_problems(provider=provider, today=today, grace=True)
        reason = "Taken down by the publishing rules: " + "; ".join(problems or ["checks"]) + "."
        if change := provider_set_status(
            provider=provider, status=Provider.Status.SUSPENDED, by=by, reason=reason, today=today
        ):
            changes.append(change)
    return changes


class NewClientsLinkUsed(Exception):
    """The listing's answer has changed since the link was made: that link has been used."""


@transaction.atomic
def provider_new_clients_set(*, provider, new_clients, via, seen=None, now=None):
    """Record the provider's own statement about taking new clients, as confirmed now.

    Not a change staff approve: it is the provider's word, shown as theirs and dated. Saved on
    the listing (so audited, and moving its version: searches, cards and maps show it at once).
    `seen` is the confirmation stamp a single-purpose link was made with (`new_clients_stamp`; None
    from the provider's own page, which needs no such check): if the listing has been confirmed
    since, the link has done its one thing and NewClientsLinkUsed is raised, changing nothing. The row is locked, so two taps of one link at
    once cannot both count.
    """
    if new_clients not in NewClients.values:
        raise ValueError(f"Not an answer about new clients: {new_clients!r}")
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if seen is not None and new_clients_stamp(locked.new_clients_confirmed_at) != seen:
        raise NewClientsLinkUsed(locked)
    locked.new_clients = new_clients
    locked.new_clients_confirmed_at = now or timezone.now()
    locked.new_clients_via = via
    locked.save(
        update_fields=[
            "new_clients",
            "new_clients_confirmed_at",
            "new_clients_via",
            "updated_at",
            "version",
        ]
    )  # a save: audited, and the directory's version moves when it commits
    for field in ("new_clients", "new_clients_confirmed_at", "new_clients_via", "version"):
        setattr(provider, field, getattr(locked, field))
    return locked


def new_clients_stamp(moment):
    """A confirmation time as whole seconds since the epoch (0 for none): what a link carries."""
    return int(moment.timestamp()) if moment else 0
