"""Builders for test data. Everything is saved to the real test database."""

from datetime import timedelta

from auditlog.context import disable_auditlog
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
    once at the end, not after each of its parts, with the same result. Test data is not an
    action anyone took, so it leaves no audit log entries (a third of its cost); tests of the
    audit log see only the writes they make."""
    with changes.collecting(), disable_auditlog():
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
    provider.services.add(*(services if services is not None else Service.objects.all()[:2]))
    provider.audiences.add(*(audiences if audiences is not None else Audience.objects.all()[:1]))
    made = []  # a new provider has no checks yet: each is made, not looked up and replaced
    if registered:
        made.append(_check(provider, "registration", reference=registered))
    if checks and provider.status == Provider.Status.PUBLISHED:
        expires_on = timezone.localdate() + timedelta(days=300)
        made += [_check(provider, kind, expires_on=expires_on) for kind in Check.BASIC_KINDS]
        if provider.services.filter(category__regulated=True).exists() and not registered:
            if works_alone(provider.legal_form, provider.workers):
                made.append(_check(provider, "exemption"))
            else:
                made.append(_check(provider, "registration", reference="1-000000001"))
    for check in made:
        check.save()
    if reviewed_on:
        Review.objects.create(provider=provider, reviewed_on=reviewed_on)
    return provider


def add_check(
    provider, kind, status=Check.Status.VERIFIED, verified_on=None, expires_on=None, reference=""
):
    """Set the provider's check of this kind (made or replaced) to this state."""
    check = _check(provider, kind, status, verified_on, expires_on, reference)
    check, _ = Check.objects.update_or_create(
        provider=provider,
        kind=kind,
        defaults={
            field: getattr(check, field)
            for field in ("status", "verified_on", "expires_on", "reference")
        },
    )
    return check


def _check(
    provider, kind, status=Check.Status.VERIFIED, verified_on=None, expires_on=None, reference=""
):
    """The check, unsaved: verified a month ago unless told otherwise."""
    if status == Check.Status.VERIFIED and verified_on is None:
        verified_on = timezone.localdate() - timedelta(days=30)
        if expires_on and expires_on < verified_on:
            verified_on = expires_on - timedelta(days=365)
    return Check(
        provider=provider,
        kind=kind,
        status=status,
        verified_on=verified_on,
        expires_on=expires_on,
        reference=reference,
    )


def add_basic_checks(provider, expires_on=None):
    expires_on = expires_on or (timezone.localdate() + timedelta(days=300))
    for kind in Check.BASIC_KINDS:
        add_check(provider, kind, expires_on=expires_on)
