"""Writes that touch more than one model. Keyword-only, named <thing>_<action>."""

from django.db import transaction

from search import geo

from .models import CoverageKey, Provider, basics_current_until


@transaction.atomic
def provider_refresh_coverage(*, provider):
    """Rebuild the provider's coverage keys from its base, radius and listed districts."""
    keys = geo.coverage_keys(
        provider.latitude,
        provider.longitude,
        provider.coverage_radius_miles,
        provider.districts.values_list("outward", flat=True),
    )
    existing = set(provider.coverage_keys.values_list("key", flat=True))
    provider.coverage_keys.filter(key__in=existing - keys).delete()
    CoverageKey.objects.bulk_create(
        [CoverageKey(provider=provider, key=key) for key in keys - existing]
    )


def provider_refresh_checks(*, provider):
    """Recompute the provider's `basic_checks_current_until` from its checks."""
    rows = provider.checks.values_list("kind", "status", "expires_on")
    until = basics_current_until(rows)
    Provider.objects.filter(pk=provider.pk).update(basic_checks_current_until=until)
    provider.basic_checks_current_until = until
