"""Who is asking: a client key for per-client rate limits that never stores an IP address."""

import ipaddress

from django.conf import settings
from django.utils.crypto import salted_hmac


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

    Enough to count one client's reports or shared links; the IP itself is never stored, and without the
    secret key the hash cannot be matched back to an address by trying them all.
    """
    return salted_hmac(
        "directory.client_key", request_client_ip(request), algorithm="sha256"
    ).hexdigest()
