"""Writing problem reports, and the per-client rate limit that guards the public form."""

import ipaddress
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import ProblemReport

logger = logging.getLogger(__name__)

# At most REPORTS_PER_WINDOW reports from one client in any RATE_WINDOW.
REPORTS_PER_WINDOW = 5
RATE_WINDOW = timedelta(hours=1)
RATE_LIMIT_MESSAGE = "You have sent a lot of reports. Try again in an hour"


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def request_client_ip(request):
    """The client's IP address: REMOTE_ADDR, unless settings.TRUST_X_FORWARDED_FOR is True.

    Only trust X-Forwarded-For behind a proxy that sets it. We take its last (right-most) entry,
    the address our own proxy saw: the entries before it are whatever the client chose to send.
    """
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = _valid_ip(forwarded.split(",")[-1]) if forwarded else ""
        if last:
            return last
    return _valid_ip(request.META.get("REMOTE_ADDR", "")) or request.META.get("REMOTE_ADDR", "")


def request_client_key(request):
    """A keyed SHA-256 hash (HMAC with SECRET_KEY) of the client's IP: 64 hex characters.

    Enough to count one client's reports; the IP itself is never stored, and without the
    secret key the hash cannot be matched back to an address by trying them all.
    """
    return salted_hmac(
        "reports.client_key", request_client_ip(request), algorithm="sha256"
    ).hexdigest()


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
