"""The work queue: what needs an officer today, each with the list that explains it and, for
each item, the page where it is resolved. Read by the work queue page and the daily digest.

Each section is declared once in `HEADINGS`, in the order an officer should take them: what it
counts and in what order, the list behind the count, and what each row says."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince

from core.dates import day_words
from portal.models import ProposedChange
from providers.models import Provider
from providers.rules import REMINDER_DAYS, RUNNING_OUT_DAYS, takedown_day, taken_down_why
from providers.services import provider_rule_problems
from registers.models import RegisterRecord
from registers.selectors import queue_items
from reports.models import ProblemReport

from .listings import duplicates, expiring_checks, listing_label, ran_out

SHOWN = 10  # items listed under each heading; the count and its link cover the rest


@dataclass
class Item:
    text: str
    url: str
    detail: str = ""
    urgent: bool = False


@dataclass
class Section:
    key: str
    title: str
    explanation: str
    count: int
    url: str  # the filtered list behind the count
    items: list = field(default_factory=list)


@dataclass(frozen=True)
class Heading:
    """One section of the queue, declared: `rows(today)` is what needs doing, most pressing first (a
    queryset, or a list); `item(row, today)` the Item each row is shown as; the list behind the
    count is the page `list_url` names, filtered by `query`."""

    key: str
    title: str
    explanation: str
    rows: Callable
    item: Callable
    query: dict = field(default_factory=dict)
    list_url: str = "workbench:listings"

    def section(self, today):
        rows = self.rows(today)
        count = len(rows) if isinstance(rows, list) else rows.count()
        url = reverse(self.list_url) + ("?" + urlencode(self.query) if self.query else "")
        items = [self.item(row, today) for row in rows[:SHOWN]]
        return Section(self.key, self.title, self.explanation, count, url, items)


def work_queue(today=None):
    """The sections of the work queue, in the order an officer should take them."""
    today = today or timezone.localdate()
    return [heading.section(today) for heading in HEADINGS]


# What each row says ------------------------------------------------------------------------------

QUEUE = "/staff/"  # where the pages an item opens come back to


def _back(url):
    return url + "?" + urlencode({"next": QUEUE})


def _provider_url(pk):
    return _back(reverse("workbench:listing", args=[pk]))


def _waiting(since):
    return f"waiting {timesince(since)}"


def _listing(detail=None):
    """A row that is a listing: its name, town and reference, opening the listing, and
    `detail(provider, today)` beside it."""

    def item(provider, today):
        return Item(
            listing_label(provider),
            _provider_url(provider.pk),
            detail(provider, today) if detail else "",
        )

    return item


def _report(report, today):
    listing = (
        listing_label(report.provider)
        if report.provider
        else f"{report.provider_name} (listing deleted)"
    )
    assigned = f", with {report.assigned_to}" if report.assigned_to_id else ", not assigned"
    return Item(
        f"{report.get_topic_display()}: {listing}",
        _back(reverse("workbench:report", args=[report.pk])),
        _waiting(report.created_at) + assigned,
        urgent=report.urgent,
    )


def _register(waiting, today):
    record, words = waiting
    return Item(
        listing_label(record.provider),
        _provider_url(record.provider_id) + "#register-panel",
        words,
        urgent=record.needs_officer and record.outcome == RegisterRecord.Outcome.OFF_REGISTER,
    )


def _proposal(proposal, today):
    changes = len(proposal.changes)
    renewed = any(name.startswith("check:") for name in proposal.changes)
    return Item(
        f"{listing_label(proposal.provider)}: {changes} change{'s' * (changes != 1)}",
        _back(reverse("workbench:proposal", args=[proposal.pk])),
        _waiting(proposal.updated_at) + (", includes a renewed check" if renewed else ""),
    )


def _rule_problems(provider, today):
    return "; ".join(provider_rule_problems(provider=provider, today=today, grace=True))


def _pending(provider, today):
    application = getattr(provider, "application", None)
    in_use = application is not None and application.email_in_use
    return (
        _waiting(provider.updated_at)
        + (", this email is already used by another account" if in_use else "")
        + _duplicate_words(provider)
    )


def _duplicate_words(provider):
    found = duplicates(provider)
    if not found:
        return ""
    other, reasons = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return f". Possible duplicate of {listing_label(other)}{more}: {' and '.join(reasons)}"


def _renew(check, detail):
    """A check to renew: the listing and the check, opening its renewal page."""
    return Item(
        f"{listing_label(check.provider)}: {check.get_kind_display()}",
        _back(reverse("workbench:check-renew", args=[check.provider_id, check.kind])),
        detail,
    )


def _grace(provider, today):
    check = ran_out(provider, today)
    down = day_words(takedown_day(provider.rules_met_until))
    if check is None:  # pragma: no cover - in grace means a check ran out
        return Item(listing_label(provider), _provider_url(provider.pk), f"taken down on {down}")
    return _renew(check, f"ran out on {day_words(check.expires_on)}, taken down on {down}")


def _expiring(check, today):
    return _renew(check, f"runs out on {day_words(check.expires_on)}")


def _taken_down(provider, today):
    """When the rules took it down, and why (the check that ran out and its date)."""
    change = provider.status_changes.filter(to_status=Provider.Status.SUSPENDED).first()
    if change is None:  # pragma: no cover - suspended by the rules means a change says so
        return ""
    return f"taken down on {day_words(change.changed_at)}: {taken_down_why(change.reason)}"


# The sections ------------------------------------------------------------------------------------

HEADINGS = [
    Heading(
        "reports",
        "Reports from the public",
        "Open reports, urgent safety concerns first, then the longest waiting.",
        rows=lambda today: (
            ProblemReport.objects.open()
            .select_related("provider")
            .order_by("-urgent", "created_at")
        ),
        item=_report,
        list_url="workbench:reports",
    ),
    # What the nightly check of the CQC and Companies House registers found: a listing the CQC
    # no longer has registered (already taken down by the rules), a company not active, another
    # difference for an officer to decide, or a register we could not ask.
    Heading(
        "registers",
        "Differences with the registers",
        "What the CQC or Companies House register says differs from the listing, or we could "
        "not check last night. A CQC deregistration has already taken the listing down under "
        "the publishing rules. Look at the register beside the listing, act on the listing, "
        "then mark it looked at.",
        rows=lambda today: queue_items(),
        item=_register,
        list_url="registers:differences",
    ),
    Heading(
        "proposals",
        "Changes sent by providers",
        "Providers' own changes to their listings, and checks they say they have renewed. The "
        "public listing stays as it is until you approve. Renewed checks need the new "
        "certificate: they are awaiting verification.",
        rows=lambda today: (
            ProposedChange.objects.filter(status=ProposedChange.Status.PENDING)
            .select_related("provider")
            .order_by("updated_at")
        ),
        item=_proposal,
        list_url="workbench:proposals",
    ),
    Heading(
        "outside_rules",
        "Published but hidden by the publishing rules",
        "A basic check or a personal care registration is rejected, missing or long run out. "
        "The public no longer sees these; the daily run suspends them.",
        rows=lambda today: Provider.objects.published().outside_rules(today).order_by("name"),
        item=_listing(_rule_problems),
        query={"checks": "outside_rules"},
    ),
    Heading(
        "pending",
        "Waiting for review",
        "New listings and listings sent back for review. Check them, then publish.",
        rows=lambda today: (
            Provider.objects.filter(status=Provider.Status.PENDING)
            .select_related("application")
            .order_by("updated_at")
        ),
        item=_listing(_pending),
        query={"status": "pending"},
    ),
    Heading(
        "grace",
        "In their grace period",
        "A check has run out. The listing shows a warning and will be taken down unless it is "
        "renewed.",
        rows=lambda today: (
            Provider.objects.published()
            .in_grace(today)
            .order_by("rules_met_until")
            .prefetch_related("checks")
        ),
        item=_grace,
        query={"checks": "in_grace"},
    ),
    Heading(
        "expiring",
        f"Checks running out in the next {RUNNING_OUT_DAYS} days",
        "Ask the provider for the new one before the listing enters its grace period. Providers "
        f"with an email address are reminded {' and '.join(map(str, REMINDER_DAYS))} days before.",
        rows=lambda today: (
            expiring_checks(today).select_related("provider").order_by("expires_on", "pk")
        ),
        item=_expiring,
        query={"checks": "expiring"},
    ),
    Heading(
        "suspended",
        "Suspended by the publishing rules",
        "Taken down by the daily run. They come back when the checks are verified again and "
        "you publish them.",
        rows=lambda today: Provider.objects.suspended_by_rules().order_by("-updated_at"),
        item=_listing(_taken_down),
        query={"checks": "suspended_by_rules"},
    ),
    Heading(
        "review_due",
        "No full review for a year",
        "Published listings no one has reviewed in full in the last 12 months. Record a full "
        "review on the listing when you have.",
        rows=lambda today: (
            Provider.objects.published().review_due(today).order_by("last_checked_on", "name")
        ),
        item=_listing(),
        query={"checks": "review_due"},
    ),
]
