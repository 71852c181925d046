"""The publishing rules, each stated once: the days it counts, the test it makes and the words that
explain it, side by side.

1. The checklist: nine kinds of check, four of them basic, each with a status.
2. A check counts while it is verified and in date. One with fewer than `RUNNING_OUT_DAYS` left is
   shown as running out, and its provider is reminded `REMINDER_DAYS` before.
3. A listing meets the rules while its four basic checks count and none is rejected; and, if it
   gives personal care, while its registration with the care regulator for its nation (the CQC or
   CIW) counts or, for a sole trader working alone, its individual exemption does (see
   `providers.regulators` for the law).
4. When a basic check runs out the listing stays public for a grace period (`CHECK_GRACE_DAYS`)
   with a notice that says when it will be taken down; then the daily run suspends it, saying why.
5. Every published listing has a full review at least every `REVIEW_DAYS`.
6. A provider's answer about taking new clients is shown for `AVAILABILITY_DAYS` after they confirm
   it, and after that as "Not confirmed recently".

Where they are applied: `changes` derives each listing's `rules_met_until` (3) from its checks;
`Provider.public_objects` and the querysets in `models` compare it with the grace period (4);
`services` refuses to publish and suspends with the sentences below (2, 3, 4); the cards, the
profile, the maps and search read `check_state` and `new_clients_state` (2, 6); the workbench's
queue and reminders quote the days.

Nothing here reads the database: the rules take a check's status and dates, a listing's (kind,
status, expires_on) check rows or day numbers, so one statement serves a listing, a bulk refresh
and the search snapshot's numpy columns alike.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import day_words

# 1. The checklist -------------------------------------------------------------------------------


class CheckKind(models.TextChoices):
    DBS = "dbs", _("DBS check")
    INSURANCE = "insurance", _("Public liability insurance")
    SAFEGUARDING = "safeguarding", _("Safeguarding training")
    BUSINESS_REGISTRATION = "business_registration", _("Business registration")
    REGISTRATION = "registration", _("Registration with the care regulator")
    EXEMPTION = "exemption", _("Individual exemption confirmed")
    TERMS = "terms", _("Terms of service")
    SUPPORT_PLAN = "support_plan", _("Support plan")
    POLICIES = "policies", _("Complaints and safeguarding policy")


class CheckStatus(models.TextChoices):
    NOT_PROVIDED = "not_provided", _("Not provided")
    AWAITING = "awaiting", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    EXPIRED = "expired", _("Expired")
    REJECTED = "rejected", _("Rejected")


BASIC_KINDS = [
    CheckKind.DBS,
    CheckKind.INSURANCE,
    CheckKind.SAFEGUARDING,
    CheckKind.BUSINESS_REGISTRATION,
]
REGULATION_KINDS = [CheckKind.REGISTRATION, CheckKind.EXEMPTION]


# 2. A check counts while verified and in date ---------------------------------------------------

# A check with fewer days than this left is shown as running out, on every public page and map,
# and in the staff's lists.
RUNNING_OUT_DAYS = 30
# Days before a check runs out that its provider is emailed (`workbench.reminders`).
REMINDER_DAYS = (RUNNING_OUT_DAYS, 7)
CHECK_STATES = ("expired", "running_out", "current")  # by `check_state`'s answer


def check_current_until(status, expires_on):
    """The last day a check counts: its expiry date, `date.max` if it has none, or None if it is
    not verified. The one Python statement of "is a check current"; its SQL twin is
    `CheckQuerySet.current`, and a test holds the two to the same answers."""
    if status != CheckStatus.VERIFIED:
        return None
    return expires_on or date.max


def check_counts(status, expires_on, day):
    """Whether a check counts on `day`."""
    until = check_current_until(status, expires_on)
    return until is not None and until >= day


def check_state(until, today):
    """How a verified check stands on `today`, from the last day it counts (`check_current_until`
    as a day number, `date.toordinal()`): 0 run out, 1 running out (fewer than `RUNNING_OUT_DAYS`
    left), 2 current. Plain comparisons, so it answers for a numpy column of day numbers just as
    for one: the cards, the profile and the search map all read their states from it."""
    day = today.toordinal()
    return (until >= day) * 1 + (until >= day + RUNNING_OUT_DAYS) * 1


def check_public_words(status, verified_on, expires_on, today):
    """(state, words) the public is told about a check on `today`: "verified" only while in date,
    and nothing unverified is ever worded as checked. The words follow the label: "DBS check:
    checked by the council on 3 March 2026"."""
    until = check_current_until(status, expires_on)
    if until is not None and until >= today:
        if expires_on:
            words = gettext(
                "checked by the council on %(verified_on)s. Valid until %(expires_on)s"
            ) % {"verified_on": day_words(verified_on), "expires_on": day_words(expires_on)}
        else:
            words = gettext("checked by the council on %(verified_on)s") % {
                "verified_on": day_words(verified_on)
            }
        return CHECK_STATES[check_state(until.toordinal(), today)], words
    if status in (CheckStatus.VERIFIED, CheckStatus.EXPIRED):
        if expires_on:
            words = gettext(
                "expired on %(expires_on)s. Ask the provider for a current certificate"
            ) % {"expires_on": day_words(expires_on)}
        else:
            words = gettext("expired. Ask the provider for a current certificate")
        return "expired", words
    if status == CheckStatus.AWAITING:
        return "awaiting", gettext("sent to the council but not checked yet")
    if status == CheckStatus.REJECTED:
        return "missing", gettext("not accepted by the council")
    return "missing", gettext("not provided")


def check_problem(label, status, expires_on, *, day):
    """Why a check does not count on `day`, in one sentence for staff ("DBS check ran out on 3
    March 2026"); None when it counts (`check_counts`)."""
    if status == CheckStatus.REJECTED:
        return f"{label} was rejected"
    if status == CheckStatus.AWAITING:
        return f"{label} has not been verified yet"
    if status == CheckStatus.NOT_PROVIDED:
        return f"{label} has not been provided"
    if status == CheckStatus.EXPIRED or (expires_on and expires_on < day):
        when = f" on {day_words(expires_on)}" if expires_on else ""
        return f"{label} ran out{when}"
    return None


# 3. A listing meets the rules -------------------------------------------------------------------


def basics_current_until(rows):
    """From a provider's (kind, status, expires_on) check rows: the day the first of the four
    basic checks runs out when all four are verified (date.max if none expire), else None."""
    until = {
        kind: check_current_until(status, expires_on)
        for kind, status, expires_on in rows
        if kind in BASIC_KINDS
    }
    if len(until) < len(BASIC_KINDS) or None in until.values():
        return None
    return min(until.values())


def rules_met_until(*, basics_until, gives_personal_care, alone, registered_until, exempt_until):
    """The last day a listing meets the publishing rules: its four basic checks, and for personal
    care a current registration with the regulator or, for a sole trader working alone
    (`models.works_alone`), a confirmed individual exemption. None if it does not meet them."""
    if basics_until is None or not gives_personal_care:
        return basics_until
    allowed = [registered_until, exempt_until if alone else None]
    regulation_until = max((day for day in allowed if day is not None), default=None)
    return None if regulation_until is None else min(basics_until, regulation_until)


def public_checks_until(rows, *, gives_personal_care, alone):
    """[(kind, last day it counts or None), ...] of the checks a listing's state is read from, from
    its (kind, status, expires_on) check rows: the four basic checks, then for personal care the
    registration or (working alone) the individual exemption, whichever lasts longer, as
    `rules_met_until` counts them."""
    until = {kind: check_current_until(status, expires_on) for kind, status, expires_on in rows}
    days = [(kind, until.get(kind)) for kind in BASIC_KINDS]
    if gives_personal_care:
        allowed = [CheckKind.REGISTRATION, *([CheckKind.EXEMPTION] if alone else [])]
        kind = max(allowed, key=lambda kind: until.get(kind) or date.min)
        days.append((kind, until.get(kind)))
    return days


def regulation_problems(provider, checks, *, alone, day):
    """Why a listing that gives personal care falls short of the regulation rule on `day`, in
    sentences for staff; empty when its registration with its nation's regulator counts, or it
    works alone and its individual exemption counts. `checks`: the provider's checks by kind."""

    def counts(kind):
        check = checks.get(kind)
        return check is not None and check_counts(check.status, check.expires_on, day)

    if counts(CheckKind.REGISTRATION) or (alone and counts(CheckKind.EXEMPTION)):
        return []
    regulator = provider.regulator.short
    if alone:
        problems = [
            f"A sole trader who gives personal care must be registered with the {regulator}, "
            "or the council must confirm they work alone and directly for each person they help "
            "(the individual exemption)"
        ]
    else:
        form = provider.get_legal_form_display()
        if provider.legal_form == provider.LegalForm.SOLE_TRADER:
            form = f"sole trader with {provider.workers} workers"
        article = "An" if form[0].lower() in "aeiou" else "A"
        problems = [
            f"{article} {form[0].lower() + form[1:]} that gives personal care must be registered "
            f"with the {regulator}"
        ]
    registration = checks.get(CheckKind.REGISTRATION)
    if registration is not None and registration.status != CheckStatus.NOT_PROVIDED:
        label = f"Registration with the {regulator}"
        if problem := check_problem(label, registration.status, registration.expires_on, day=day):
            problems.append(problem)
    return problems


# 4. The grace period, and taking a listing down -------------------------------------------------


def grace_days():
    """Days a listing stays public after a basic check runs out (settings.CHECK_GRACE_DAYS)."""
    return settings.CHECK_GRACE_DAYS


def last_good_day(today, *, grace=True):
    """The day a check or a listing must count on to pass the rules `today`: with `grace`, the rule
    for staying public (it may have run out within the grace period); without, for publishing."""
    return today - timedelta(days=grace_days() if grace else 0)


def takedown_day(until):
    """The day a listing that meets the rules until `until` is taken down: the day after its grace
    period ends."""
    return until + timedelta(days=grace_days() + 1)


def _in_sentence(label):
    """ "Public liability insurance" -> "public liability insurance"; "DBS check" stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def grace_notice(checks, basics_until, today):
    """While a basic check has run out but the grace period has not: which checks, the day the
    listing will be taken down, and the public notice saying so. None otherwise. `checks`: the
    listing's checks; `basics_until`: its `basic_checks_current_until`."""
    if basics_until is None or basics_until >= today:
        return None
    lapsed = [
        check
        for check in checks
        if check.kind in BASIC_KINDS and check.expires_on and check.expires_on < today
    ]
    lapsed.sort(key=lambda check: check.expires_on)
    ran_out = ""
    for check in lapsed:
        item = gettext("%(check)s ran out on %(date)s") % {
            "check": _in_sentence(check.get_kind_display()),
            "date": day_words(check.expires_on),
        }
        ran_out = (
            gettext("%(earlier)s and %(later)s") % {"earlier": ran_out, "later": item}
            if ran_out
            else item
        )
    takedown_on = takedown_day(basics_until)
    return {
        "checks": lapsed,
        "takedown_on": takedown_on,
        "sentence": gettext(
            "Their %(checks)s. The council has asked them for a current one. Unless it is "
            "renewed, this listing will be taken down on %(date)s."
        )
        % {"checks": ran_out, "date": day_words(takedown_on)},
    }


# What a suspension by the rules records as its reason, before why.
TAKEN_DOWN = "Taken down by the publishing rules: "


def taken_down_reason(problems):
    """The reason recorded when the daily run suspends a listing: its problems, or "checks"."""
    return TAKEN_DOWN + "; ".join(problems or ["checks"]) + "."


def taken_down_why(reason):
    """Only the why of a reason `taken_down_reason` wrote."""
    return reason.removeprefix(TAKEN_DOWN).rstrip(".")


# 5. A full review every year --------------------------------------------------------------------

REVIEW_DAYS = 365


# 6. An answer about new clients is current for 45 days ------------------------------------------

# Confirmed longer ago than this, an answer is never shown as current: "Not confirmed recently".
AVAILABILITY_DAYS = 45


def new_clients_state(code, confirmed_day, today):
    """The public answer on `today`: the code said (`models.NEW_CLIENTS_CODES`) while it was
    confirmed within AVAILABILITY_DAYS of `today` (`confirmed_day` a day number,
    `date.toordinal()`), else 0, "not confirmed recently". The one rule for cards, popups,
    profiles, the shortlist, search and open data; plain arithmetic, so it answers for numpy
    columns just as for one listing."""
    return code * (confirmed_day >= today.toordinal() - AVAILABILITY_DAYS)
