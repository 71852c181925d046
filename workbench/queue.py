"""The work queue: what needs an officer today, each with the list that explains it and, for
each item, the page where it is resolved. Read by the work queue page and the daily digest."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince

from core.dates import day_words
from portal.models import ProposedChange
from providers.models import Provider
from providers.rules import RUNNING_OUT_DAYS, takedown_day, taken_down_why
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


QUEUE = "/staff/"  # where the pages an item opens come back to


def _listings(**filters):
    return reverse("workbench:listings") + ("?" + urlencode(filters) if filters else "")


def _provider_url(pk):
    return reverse("workbench:listing", args=[pk]) + "?" + urlencode({"next": QUEUE})


def _renew_url(pk, kind):
    return reverse("workbench:check-renew", args=[pk, kind]) + "?" + urlencode({"next": QUEUE})


def work_queue(today=None):
    """The sections of the work queue, in the order an officer should take them."""
    today = today or timezone.localdate()
    return [
        _reports(today),
        _registers(),
        _proposals(),
        _outside_rules(today),
        _pending(),
        _grace(today),
        _expiring(today),
        _suspended_by_rules(),
        _review_due(today),
    ]


def _reports(today):
    reports = (
        ProblemReport.objects.open().select_related("provider").order_by("-urgent", "created_at")
    )
    items = [
        Item(
            text=f"{report.get_topic_display()}: "
            + (
                listing_label(report.provider)
                if report.provider
                else f"{report.provider_name} (listing deleted)"
            ),
            url=reverse("workbench:report", args=[report.pk]) + "?" + urlencode({"next": QUEUE}),
            detail=f"waiting {timesince(report.created_at)}"
            + (f", with {report.assigned_to}" if report.assigned_to_id else ", not assigned"),
            urgent=report.urgent,
        )
        for report in reports[:SHOWN]
    ]
    return Section(
        "reports",
        "Reports from the public",
        "Open reports, urgent safety concerns first, then the longest waiting.",
        reports.count(),
        reverse("workbench:reports"),
        items,
    )


def _registers():
    """What the nightly check of the CQC and Companies House registers found: a listing the CQC
    no longer has registered (already taken down by the rules), a company not active, another
    difference for an officer to decide, or a register we could not ask."""
    waiting = queue_items()
    return Section(
        "registers",
        "Differences with the registers",
        "What the CQC or Companies House register says differs from the listing, or we could "
        "not check last night. A CQC deregistration has already taken the listing down under "
        "the publishing rules. Look at the register beside the listing, act on the listing, "
        "then mark it looked at.",
        len(waiting),
        reverse("registers:differences"),
        [
            Item(
                listing_label(record.provider),
                _provider_url(record.provider_id) + "#register-panel",
                words,
                urgent=record.needs_officer
                and record.outcome == RegisterRecord.Outcome.OFF_REGISTER,
            )
            for record, words in waiting[:SHOWN]
        ],
    )


def _proposals():
    proposals = (
        ProposedChange.objects.filter(status=ProposedChange.Status.PENDING)
        .select_related("provider")
        .order_by("updated_at")
    )
    return Section(
        "proposals",
        "Changes sent by providers",
        "Providers' own changes to their listings, and checks they say they have renewed. The "
        "public listing stays as it is until you approve. Renewed checks need the new "
        "certificate: they are awaiting verification.",
        proposals.count(),
        reverse("workbench:proposals"),
        [
            Item(
                f"{listing_label(p.provider)}: {len(p.changes)} change{'s' * (len(p.changes) != 1)}",
                reverse("workbench:proposal", args=[p.pk]) + "?" + urlencode({"next": QUEUE}),
                f"waiting {timesince(p.updated_at)}"
                + (
                    ", includes a renewed check"
                    if any(f.startswith("check:") for f in p.changes)
                    else ""
                ),
            )
            for p in proposals[:SHOWN]
        ],
    )


def _outside_rules(today):
    listings = Provider.objects.published().outside_rules(today).order_by("name")
    return Section(
        "outside_rules",
        "Published but hidden by the publishing rules",
        "A basic check or a personal care registration is rejected, missing or long run out. "
        "The public no longer sees these; the daily run suspends them.",
        listings.count(),
        _listings(checks="outside_rules"),
        [
            Item(
                listing_label(p),
                _provider_url(p.pk),
                "; ".join(provider_rule_problems(provider=p, today=today, grace=True)),
            )
            for p in listings[:SHOWN]
        ],
    )


def _pending():
    listings = (
        Provider.objects.filter(status=Provider.Status.PENDING)
        .select_related("application")
        .order_by("updated_at")
    )
    return Section(
        "pending",
        "Waiting for review",
        "New listings and listings sent back for review. Check them, then publish.",
        listings.count(),
        _listings(status="pending"),
        [
            Item(
                listing_label(p),
                _provider_url(p.pk),
                f"waiting {timesince(p.updated_at)}"
                + (", this email is already used by another account" if _in_use(p) else "")
                + _duplicate_words(p),
                urgent=False,
            )
            for p in listings[:SHOWN]
        ],
    )


def _duplicate_words(provider):
    found = duplicates(provider)
    if not found:
        return ""
    other, reasons = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return f". Possible duplicate of {listing_label(other)}{more}: {' and '.join(reasons)}"


def _in_use(provider):
    application = getattr(provider, "application", None)
    return application is not None and application.email_in_use


def _grace(today):
    listings = (
        Provider.objects.published()
        .in_grace(today)
        .order_by("rules_met_until")
        .prefetch_related("checks")
    )
    return Section(
        "grace",
        "In their grace period",
        "A check has run out. The listing shows a warning and will be taken down unless it is "
        "renewed.",
        listings.count(),
        _listings(checks="in_grace"),
        [_grace_item(p, today) for p in listings[:SHOWN]],
    )


def _grace_item(provider, today):
    check = ran_out(provider, today)
    gone = day_words(provider.rules_met_until + timedelta(days=1))
    down = day_words(takedown_day(provider.rules_met_until))
    if check is None:  # pragma: no cover - in grace means a check ran out
        return Item(listing_label(provider), _provider_url(provider.pk), f"taken down on {down}")
    return Item(
        f"{listing_label(provider)}: {check.get_kind_display()}",
        _renew_url(provider.pk, check.kind),
        f"ran out on {day_words(check.expires_on)}, taken down on {down}"
        if check.expires_on
        else gone,
    )


def _expiring(today):
    checks = expiring_checks(today).select_related("provider").order_by("expires_on", "pk")
    return Section(
        "expiring",
        f"Checks running out in the next {RUNNING_OUT_DAYS} days",
        "Ask the provider for the new one before the listing enters its grace period. Providers "
        "with an email address are reminded 30 and 7 days before.",
        checks.count(),
        _listings(checks="expiring"),
        [
            Item(
                f"{listing_label(c.provider)}: {c.get_kind_display()}",
                _renew_url(c.provider_id, c.kind),
                f"runs out on {day_words(c.expires_on)}",
            )
            for c in checks[:SHOWN]
        ],
    )


def _suspended_by_rules():
    listings = Provider.objects.suspended_by_rules().order_by("-updated_at")
    return Section(
        "suspended",
        "Suspended by the publishing rules",
        "Taken down by the daily run. They come back when the checks are verified again and "
        "you publish them.",
        listings.count(),
        _listings(checks="suspended_by_rules"),
        [Item(listing_label(p), _provider_url(p.pk), _taken_down(p)) for p in listings[:SHOWN]],
    )


def _taken_down(provider):
    """When the rules took it down, and why (the check that ran out and its date)."""
    change = provider.status_changes.filter(to_status=Provider.Status.SUSPENDED).first()
    if change is None:  # pragma: no cover - suspended by the rules means a change says so
        return ""
    return f"taken down on {day_words(change.changed_at)}: {taken_down_why(change.reason)}"


def _review_due(today):
    listings = Provider.objects.published().review_due(today).order_by("last_checked_on", "name")
    return Section(
        "review_due",
        "No full review for a year",
        "Published listings no one has reviewed in full in the last 12 months. Record a full "
        "review on the listing when you have.",
        listings.count(),
        _listings(checks="review_due"),
        [Item(listing_label(p), _provider_url(p.pk)) for p in listings[:SHOWN]],
    )
