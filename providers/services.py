"""Writes that touch more than one model. Keyword-only, named <thing>_<action>."""

from .models import Provider, basics_current_until


def provider_refresh_checks(*, provider):
    """Recompute the provider's `basic_checks_current_until` from its checks."""
    rows = provider.checks.values_list("kind", "status", "expires_on")
    until = basics_current_until(rows)
    Provider.objects.filter(pk=provider.pk).update(basic_checks_current_until=until)
    provider.basic_checks_current_until = until
