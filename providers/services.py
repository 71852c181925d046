"""Every change of a listing's status under the publishing rules (`providers.rules`), and the
provider's own answer about new clients. Keyword-only, <thing>_<action>.

A listing is published only when it meets the rules today, and `listings_apply_rules`, run daily
and after staff change a check, suspends what has fallen outside them (past the grace period) and
records why. `Provider.public_objects` applies the same rules, so nothing outside them is shown.
"""

from django.db import transaction
from django.utils import timezone

from .models import Check, NewClients, Provider, StatusChange, works_alone
from .rules import check_problem, last_good_day, regulation_problems, taken_down_reason


class PublishingRefused(Exception):
    """The listing does not meet the publishing rules; `problems` says why, a sentence each."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def provider_rule_problems(*, provider, today=None, grace=False):
    """Why this listing may not be public today: one plain sentence per basic check that fails,
    in checklist order, then the regulation rule's; empty when it may. With `grace`, a check that
    ran out within the grace period still passes (the rule for staying public, not for
    publishing)."""
    today = today or timezone.localdate()
    day = last_good_day(today, grace=grace)
    checks = {check.kind: check for check in Check.objects.filter(provider=provider)}
    problems = []
    for kind in Check.BASIC_KINDS:
        check = checks.get(kind) or Check(kind=kind)  # not provided
        label = Check.Kind(kind).label
        if problem := check_problem(label, check.status, check.expires_on, day=day):
            problems.append(problem)
    # From the services themselves, not the derived column: a bulk load refreshes that later.
    if provider.services.filter(category__regulated=True).exists():
        alone = works_alone(provider.legal_form, provider.workers)
        problems += regulation_problems(provider, checks, alone=alone, day=day)
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
        reason = taken_down_reason(problems)
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
