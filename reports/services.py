"""Writing problem reports, and the per-client rate limit that guards the public form."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core.outbox import outbox_queue, outbox_send_on_commit
from core.ratelimit import RateLimit

from .models import ProblemReport

logger = logging.getLogger(__name__)

# At most 5 reports from one client an hour: people report one or two, a script thousands.
REPORTS = RateLimit("reports", limit=5, window=timedelta(hours=1))
RATE_LIMIT_MESSAGE = "You have sent a lot of reports. Try again in an hour"


@transaction.atomic
def report_create(*, provider, topic, message, name="", contact="", client_key):
    """Save a report first; only then tell anyone about it (today: a log line, no personal data)."""
    report = ProblemReport.objects.create(
        provider=provider,
        provider_name=provider.name,
        topic=topic,
        message=message,
        name=name,
        contact=contact,
        urgent=topic == ProblemReport.Topic.SAFETY,
        client_key=client_key,
    )
    logger.info(
        "Problem report %s received for provider %s (%s)%s",
        report.pk,
        provider.pk,
        report.topic,
        ": URGENT" if report.urgent else "",
    )
    if report.urgent and settings.SAFEGUARDING_EMAIL:
        # Into the outbox with the report, in one transaction; sent once both are saved.
        key = f"report:{report.pk}"
        outbox_queue(
            key=key,
            to=settings.SAFEGUARDING_EMAIL,
            subject=f"Urgent: a concern about quality or safety at {provider.name}",
            body=_urgent_body(report),
        )
        outbox_send_on_commit([key])
    return report


def _urgent_body(report):
    url = settings.SITE_URL + reverse("admin:reports_problemreport_change", args=[report.pk])
    return (
        f"Someone has reported a concern about quality or safety at {report.provider_name}.\n\n"
        f"What they told us:\n{report.message}\n\n"
        f"Their name: {report.name or 'not given'}\n"
        f"How to contact them: {report.contact or 'not given'}\n\n"
        f"Open the report: {url}\n"
    )
