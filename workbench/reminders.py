"""The emails the daily run decides to send: each is queued in the outbox under a key that says
what it is for, so running twice, or sending late after a failure, never sends one twice."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import day_words
from core.names import site_names
from core.outbox import outbox_queue
from places.nations import WALES
from portal.services import new_clients_emails_queue
from providers.models import Check, Provider
from providers.rules import REMINDER_DAYS, takedown_day

from .queue import work_queue


def reminders_queue(*, today=None):
    """Queue today's reminders to providers (checks running out, and the monthly question about
    taking new clients) and the staff digest; returns the emails queued."""
    today = today or timezone.localdate()
    queued = [email for email in _expiry_reminders(today) if email]
    queued += new_clients_emails_queue(today=today)
    queued.append(_digest(today))
    return [email for email in queued if email]


def _expiry_reminders(today):
    checks = (
        Check.objects.current(today)
        .filter(
            kind__in=Check.BASIC_KINDS + [Check.Kind.REGISTRATION],
            expires_on__lte=today + timedelta(days=max(REMINDER_DAYS)),
            provider__status=Provider.Status.PUBLISHED,
        )
        .exclude(provider__email="")
        .select_related("provider")
    )
    for check in checks:
        days_left = (check.expires_on - today).days
        # The nearest reminder point not yet passed: 7 days out, else 30. A run missed on the
        # day itself still reminds, late, and never twice.
        stage = min(days for days in REMINDER_DAYS if days >= days_left)
        # In Wales, in Welsh first and then English (the Welsh Language Standards).
        languages = ["cy", settings.LANGUAGE_CODE]
        if not (settings.WELSH and check.provider.nation == WALES):
            languages = [settings.LANGUAGE_CODE]
        emails = [_reminder(check, language) for language in languages]
        yield outbox_queue(
            key=f"expiry:{check.pk}:{check.expires_on}:{stage}",
            to=check.provider.email,
            subject=" / ".join(subject for subject, _body in emails),
            body="\n----------\n\n".join(body for _subject, body in emails),
        )


def _reminder(check, language):
    """(subject, body) of a reminder in one language."""
    with translation.override(language):
        provider, label = check.provider, str(check.get_kind_display()).lower()
        council = site_names()["COUNCIL_NAME"]
        runs_out = day_words(check.expires_on)
        takedown = day_words(takedown_day(check.expires_on))
        words = {"check": label, "name": provider.name, "date": runs_out, "council": council}
        send = (
            _("Please send %(council)s (%(email)s) a copy of the new one before then.")
            % {"council": council, "email": settings.COUNCIL_EMAIL}
            if settings.COUNCIL_EMAIL
            else _("Please send %(council)s a copy of the new one before then.")
            % {"council": council}
        )
        subject = _("Your %(check)s runs out on %(date)s") % words
        body = (
            _("Dear %(person)s,") % {"person": provider.contact_name or provider.name}
            + "\n\n"
            + _("The %(check)s the council has on record for %(name)s runs out on %(date)s.")
            % words
            + "\n\n"
            + send
            + " "
            + _(
                "If we do not have it, your listing will show a warning that the check has run "
                "out, and it will be taken down on %(date)s."
            )
            % {"date": takedown}
            + "\n\n"
            + _("Your listing: %(url)s") % {"url": settings.SITE_URL + provider.get_absolute_url()}
            + "\n\n"
            + council
            + "\n"
        )
    return subject, body


def _digest(today):
    if not settings.STAFF_DIGEST_EMAIL:
        return None
    sections = work_queue(today)
    lines = [f"The work queue for {day_words(today)}:", ""]
    for section in sections:
        lines.append(f"{section.title}: {section.count}")
        lines += [f"  - {item.text} ({item.detail})" if item.detail else f"  - {item.text}"
                  for item in section.items[:5]]  # fmt: skip
    lines += ["", f"Open the work queue: {settings.SITE_URL}{reverse('workbench:queue')}"]
    total = sum(section.count for section in sections)
    return outbox_queue(
        key=f"digest:{today.isoformat()}",
        to=settings.STAFF_DIGEST_EMAIL,
        subject=f"Directory work queue: {total} thing{'s' * (total != 1)} to look at",
        body="\n".join(lines) + "\n",
    )
