"""Writing problem reports, and the per-client rate limit that guards the public form."""

import logging
from datetime import timedelta

from core.ratelimit import RateLimit

from .models import ProblemReport

logger = logging.getLogger(__name__)

# At most 5 reports from one client an hour: people report one or two, a script thousands.
REPORTS = RateLimit("reports", limit=5, window=timedelta(hours=1))
RATE_LIMIT_MESSAGE = "You have sent a lot of reports. Try again in an hour"


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
    return report
