"""Reads for the workbench's listing pages: how each check stands, look-alike applications, the
listings index's filters, and a listing's words in lists (name, town and reference, so no two
entries look alike)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.dates import day_words
from places.postcodes import InvalidPostcode, PostcodeValue
from providers.models import Check, Provider
from providers.rules import RUNNING_OUT_DAYS

CARD_KINDS = Check.BASIC_KINDS + Check.REGULATION_KINDS


def reference(provider_id):
    return f"ref. {provider_id}"


def listing_label(provider):
    """'Flint Friendship Club, Flint (ref. 42)': two clubs of the same name never look alike."""
    town = f", {provider.town}" if provider.town else ""
    return f"{provider.name}{town} ({reference(provider.pk)})"


@dataclass
class CheckCard:
    kind: str
    label: str
    state: str  # words
    colour: str  # GOV.UK tag modifier
    check: Check | None
    problem: bool


def check_card(kind, check, today):
    label = Check.Kind(kind).label
    if check is None or check.status == Check.Status.NOT_PROVIDED:
        return CheckCard(kind, label, "Not provided", "grey", check, kind in Check.BASIC_KINDS)
    if check.status == Check.Status.AWAITING:
        return CheckCard(kind, label, "Awaiting verification", "blue", check, True)
    if check.status == Check.Status.REJECTED:
        return CheckCard(kind, label, "Rejected", "red", check, True)
    if check.status == Check.Status.EXPIRED or (check.expires_on and check.expires_on < today):
        words = f"Ran out on {day_words(check.expires_on)}" if check.expires_on else "Ran out"
        return CheckCard(kind, label, words, "red", check, True)
    if check.expires_on and check.expires_on < today + timedelta(days=RUNNING_OUT_DAYS):
        return CheckCard(
            kind, label, f"Runs out on {day_words(check.expires_on)}", "yellow", check, True
        )
    return CheckCard(kind, label, "Current", "green", check, False)


def check_cards(provider, today=None):
    """One card for each basic and regulation check the listing has or needs, then any other
    checks it has (terms, support plan, policies)."""
    today = today or timezone.localdate()
    checks = {check.kind: check for check in provider.checks.select_related("verified_by")}
    kinds = list(Check.BASIC_KINDS)
    kinds += [kind for kind in Check.Kind.values if kind in checks and kind not in kinds]
    if provider.gives_personal_care and Check.Kind.REGISTRATION not in kinds:
        kinds.append(Check.Kind.REGISTRATION)
    return [check_card(kind, checks.get(kind), today) for kind in kinds]


def ran_out(provider, today=None):
    """The check that ran out first among those the rules read, or None."""
    today = today or timezone.localdate()
    gone = [
        check
        for check in provider.checks.all()
        if check.kind in CARD_KINDS
        and check.status in (Check.Status.VERIFIED, Check.Status.EXPIRED)
        and check.expires_on
        and check.expires_on < today
    ]
    return min(gone, key=lambda check: check.expires_on, default=None)


# Look-alike applications ----------------------------------------------------------------------


def phone_digits(text):
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits


def duplicates(provider):
    """Other listings that may be the same applicant: [(listing, [reasons])], oldest first.
    The same email (the listing's or the application's), the same phone number however it is
    written, or the same name at the same postcode."""
    application = getattr(provider, "application", None)
    emails = {e.lower() for e in [provider.email, application and application.email] if e}
    others = Provider.objects.exclude(pk=provider.pk)
    found = {}

    def add(listings, reason):
        for other in listings:
            found.setdefault(other.pk, (other, []))[1].append(reason)

    if emails:
        same = Q()
        for email in emails:
            same |= Q(email__iexact=email) | Q(application__email__iexact=email)
        add(others.filter(same).distinct(), "the same email address")
    digits = phone_digits(provider.phone)
    if len(digits) >= 9:
        near = others.filter(phone__contains=digits[-3:])
        add([p for p in near if phone_digits(p.phone) == digits], "the same phone number")
    if provider.base_postcode:
        add(
            others.filter(name__iexact=provider.name.strip(), base_postcode=provider.base_postcode),
            "the same name and postcode",
        )
    return sorted(found.values(), key=lambda pair: pair[0].pk)


# The listings index ---------------------------------------------------------------------------

CHECK_FILTERS = {
    "current": "All four basic checks current",
    "expiring": f"A check runs out in the next {RUNNING_OUT_DAYS} days",
    "expired": "Has a check that ran out",
    "incomplete": "Basic checks not all current",
    "outside_rules": "Published but hidden by the publishing rules",
    "in_grace": "In their grace period",
    "suspended_by_rules": "Suspended by the publishing rules",
    "review_due": "Published, no full review for a year",
}


def expiring_checks(today):
    return Check.objects.current(today).filter(
        kind__in=CARD_KINDS,
        expires_on__lte=today + timedelta(days=RUNNING_OUT_DAYS),
        provider__status=Provider.Status.PUBLISHED,
    )


def listings_filter(queryset, *, text="", status="", checks="", today=None):
    today = today or timezone.localdate()
    if text:
        words = Q(name__icontains=text) | Q(town__icontains=text) | Q(email__iexact=text)
        number = text.lower().removeprefix("ref.").removeprefix("ref").strip()
        if number.isdigit() and len(number) <= 12:
            words |= Q(pk=int(number))
        try:
            value = PostcodeValue.parse(text)
        except InvalidPostcode:
            pass
        else:
            words |= Q(base_postcode=str(value)) | Q(area_sector=str(value)[:-2].strip())
        queryset = queryset.filter(words)
    if status:
        queryset = queryset.filter(status=status)
    if checks == "current":
        queryset = queryset.with_basic_checks_current(today)
    elif checks == "expiring":
        soon = expiring_checks(today).filter(provider=OuterRef("pk"))
        queryset = queryset.filter(Exists(soon))
    elif checks == "expired":
        queryset = queryset.with_expired_checks(today)
    elif checks == "incomplete":
        queryset = queryset.without_basic_checks_current(today)
    elif checks == "outside_rules":
        queryset = queryset.published().outside_rules(today)
    elif checks == "in_grace":
        queryset = queryset.published().in_grace(today)
    elif checks == "suspended_by_rules":
        queryset = queryset.suspended_by_rules()
    elif checks == "review_due":
        queryset = queryset.published().review_due(today)
    return queryset


def waited_days(since, today=None):
    """Whole days from `since` (a date or a time) to today."""
    today = today or timezone.localdate()
    start = timezone.localtime(since).date() if isinstance(since, datetime) else since
    return max((today - start).days, 0)
