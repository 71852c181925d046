"""Builders for test data. Everything is saved to the real test database."""

from datetime import timedelta

from django.utils import timezone

from providers import changes
from providers.models import Audience, Check, Provider, Review, Service, works_alone


def make_provider(*, checks=True, reviewed_on=None, registered=None, **overrides):
    """A saved provider. A published one gets its four basic checks, verified and in date, and
    if it offers personal care, what the law needs (a confirmed individual exemption for a sole
    trader working alone, a registration otherwise), so it meets the publishing rules and is
    public; `checks=False` leaves all that out. `registered` gives it a verified registration
    with that ID. `reviewed_on` records a full review by staff on that day.

    Built as a bulk write (`changes.collecting`): the listing's derived columns are worked out
    once at the end, not after each of its parts, with the same result."""
    with changes.collecting():
        return _make_provider(checks, reviewed_on, registered, overrides)


def _make_provider(checks, reviewed_on, registered, overrides):
    services = overrides.pop("services", None)
    audiences = overrides.pop("audiences", None)
    fields = {
        "name": "Test Helping Hands",
        "summary": "Help at home in Chelmsford.",
        "legal_form": Provider.LegalForm.SOLE_TRADER,
        "workers": 1,
        "base_postcode": "CM1 1RW",
        "town": "Chelmsford",
        "coverage_radius_miles": 5,
        "status": Provider.Status.PUBLISHED,
        "phone": "01632 960001",
        "email": "hello@test-helping-hands.example.org",
        "staff_notes": "PRIVATE-STAFF-NOTE",
    }
    fields.update(overrides)
    provider = Provider(**fields)
    provider.save()
    provider.services.set(services if services is not None else Service.objects.all()[:2])
    provider.audiences.set(audiences if audiences is not None else Audience.objects.all()[:1])
    if registered:
        add_check(provider, "registration", reference=registered)
    if checks and provider.status == Provider.Status.PUBLISHED:
        add_basic_checks(provider)
        if provider.services.filter(category__regulated=True).exists() and not registered:
            if works_alone(provider.legal_form, provider.workers):
                add_check(provider, "exemption")
            else:
                add_check(provider, "registration", reference="1-000000001")
    if reviewed_on:
        Review.objects.create(provider=provider, reviewed_on=reviewed_on)
    return provider


def add_check(
    provider, kind, status=Check.Status.VERIFIED, verified_on=None, expires_on=None, reference=""
):
    """Set the provider's check of this kind (made or replaced) to this state."""
    if status == Check.Status.VERIFIED and verified_on is None:
        verified_on = timezone.localdate() - timedelta(days=30)
        if expires_on and expires_on < verified_on:
            verified_on = expires_on - timedelta(days=365)
    check, _ = Check.objects.update_or_create(
        provider=provider,
        kind=kind,
        defaults={
            "status": status,
            "verified_on": verified_on,
            "expires_on": expires_on,
            "reference": reference,
        },
    )
    return check


def add_basic_checks(provider, expires_on=None):
    expires_on = expires_on or (timezone.localdate() + timedelta(days=300))
    for kind in Check.BASIC_KINDS:
        add_check(provider, kind, expires_on=expires_on)
