"""Writing problem reports, and the per-client rate limit that guards the public form."""

import logging
from datetime import timedelta

from django.utils import timezone

from .models import ProblemReport

logger = logging.getLogger(__name__)

# At most REPORTS_PER_WINDOW reports from one client in any RATE_WINDOW.
REPORTS_PER_WINDOW = 5
RATE_WINDOW = timedelta(hours=1)
RATE_LIMIT_MESSAGE = "You have sent a lot of reports. Try again in an hour"


def report_rate_limited(*, client_key, now=None):
    """True when this client has already sent the most reports allowed in the last hour."""
    now = now or timezone.now()
    recent = ProblemReport.objects.from_client_since(client_key, now - RATE_WINDOW)
    return recent.count() >= REPORTS_PER_WINDOW


def report_create(*, provider, topic, message, name="", contact="", client_key):
    """Save a report first; only then tell anyone about it (today: a log line, no personal data).

    The count-then-insert of the rate limit is not locked, so two reports sent at the same
    instant can both get in: the limit is there to stop floods, not to count exactly.
    """
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
