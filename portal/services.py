"""Every write made by or for a provider's own account. Keyword-only, named <thing>_<action>.

Emails go to the outbox (`core.outbox`) in the same transaction as the change they describe.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.outbox import outbox_queue, outbox_send_on_commit
from core.ratelimit import RateLimit, rate_limit_hit
from places.models import Postcode
from places.nations import nation_of
from places.postcodes import PostcodeValue
from providers.models import Audience, Check, Provider, Service

from .models import Application, Owner, ProposedChange, ProviderFigures
from .regulation import registration_advice
from .tokens import link_url

SIGN_IN_PER_ADDRESS = RateLimit("sign-in-address", limit=5, window=timedelta(hours=1))
SIGN_IN_PER_CLIENT = RateLimit("sign-in-client", limit=20, window=timedelta(hours=1))
APPLICATIONS = RateLimit("applications", limit=5, window=timedelta(hours=1))
M2M = {"services": Service, "audiences": Audience}


class ListingOnHold(Exception):
    """The listing is suspended or archived: changes wait until the council lifts that."""


class ProposalConflict(Exception):
    """The waiting proposal changed since the form was drawn (another window or device)."""

    def __init__(self, proposal):
        super().__init__("proposal changed")
        self.proposal = proposal


class CannotApply(Exception):
    """The proposal no longer fits the listing (say, a rate now below the lowest)."""


def _site(path):
    return settings.SITE_URL + path


def _user_model():
    return get_user_model()


def account_for_email(email):
    """The active account managing a listing under this address, or None."""
    return (
        _user_model()
        .objects.filter(email__iexact=email.strip(), is_active=True, listing_owner__isnull=False)
        .first()
    )


def _account_create(email):
    user = _user_model().objects.create_user(username=email.lower()[:150], email=email.lower())
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


# Applying -----------------------------------------------------------------------------------------


def application_submit(*, answers, client_key=""):
    """A pending listing from the application's answers, with an account for the applicant (when
    the address has none yet) and an email saying what happens next. Returns the provider."""
    business, offer, where = answers["business"], answers["offer"], answers["where"]
    cost, when, contact = answers["cost"], answers["when"], answers["contact"]
    email = answers["account"]["account_email"].lower()
    nation = _nation(where["base_postcode"])
    needs, advice = registration_advice(answers["registration"], nation)
    with transaction.atomic():
        provider = Provider.objects.create(
            name=business["name"],
            summary=business["summary"],
            legal_form=business["legal_form"],
            workers=business["workers"],
            base_postcode=where["base_postcode"],
            town=where["town"],
            coverage_radius_miles=where["coverage_radius_miles"],
            is_free=cost["is_free"] == "yes",
            hourly_rate_min=_decimal(cost.get("hourly_rate_min")),
            hourly_rate_max=_decimal(cost.get("hourly_rate_max")),
            cost_notes=cost.get("cost_notes", ""),
            accepts_direct_payments=cost["accepts_direct_payments"] == "yes",
            **{f"available_{value}": value in when["availability"] for value in AVAILABLE},
            languages=when["languages"],
            contact_name=contact.get("contact_name", ""),
            phone=contact.get("phone", ""),
            email=contact.get("email", ""),
            website=contact.get("website", ""),
            status=Provider.Status.PENDING,
            staff_notes="Applied through the website.",
        )
        provider.services.set(Service.objects.filter(slug__in=offer["services"]))
        provider.audiences.set(Audience.objects.filter(slug__in=offer.get("audiences", [])))
        # The four basic checks, waiting for proof: the officer records each as they see it.
        for kind in Check.BASIC_KINDS:
            Check.objects.create(provider=provider, kind=kind, status=Check.Status.NOT_PROVIDED)
        Application.objects.create(
            provider=provider, email=email, answers=answers, regulation_advice=advice
        )
        user = _user_model().objects.filter(email__iexact=email).first()
        if user is None:
            user = _account_create(email)
        if not Owner.objects.filter(user=user).exists():
            Owner.objects.create(user=user, provider=provider)
        queued = outbox_queue(
            key=f"application:{provider.pk}",
            to=email,
            subject=f"We have your application to list {provider.name}",
            body=_application_email(provider, advice),
        )
        if queued:
            outbox_send_on_commit([queued.key])
    return provider


AVAILABLE = ("weekdays", "evenings", "weekends", "overnight")


def _nation(postcode):
    value = PostcodeValue.parse(postcode)
    found = Postcode.objects.filter(postcode=str(value)).values_list("admin_district", flat=True)
    return nation_of(value, found.first() or "")


def _decimal(value):
    return None if value in (None, "") else Decimal(str(value))


def _application_email(provider, advice):
    return (
        f"Thank you for applying to list {provider.name} in {settings.SITE_NAME}.\n\n"
        "What happens next: someone from the council will look at your application, usually "
        "within 10 working days. They will ask you for proof of 4 checks: a DBS check, public "
        "liability insurance, safeguarding training and business registration. Your listing is "
        "published when they have seen all 4.\n\n"
        f"About registering: {advice}\n\n"
        f"To see your application, sign in with this email address at "
        f"{_site('/for-providers/sign-in/')}\n\n"
        "If you did not apply, you can ignore this email."
    )


# Signing in --------------------------------------------------------------------------------------


def sign_in_link_send(*, email, client_key):
    """Email a one-time sign-in link if this address manages a listing. Says nothing either way
    (the caller shows the same page), and is limited per address and per client."""
    address_key = salted_hmac("portal.sign-in", email.strip().lower()).hexdigest()
    within = rate_limit_hit(rule=SIGN_IN_PER_CLIENT, client_key=client_key)
    within = rate_limit_hit(rule=SIGN_IN_PER_ADDRESS, client_key=address_key) and within
    if not within:
        return False
    user = account_for_email(email)
    if user is None:
        return True
    now = timezone.now()
    queued = outbox_queue(
        key=f"sign-in:{user.pk}:{now.timestamp()}",
        to=user.email,
        subject=f"Sign in to {settings.SITE_NAME}",
        body=(
            f"Use this link to sign in and manage your listing:\n\n{link_url(user)}\n\n"
            f"It works once, for {settings.SIGN_IN_LINK_MINUTES} minutes. If you did not ask "
            "to sign in, you can ignore this email: nobody can sign in without the link."
        ),
    )
    if queued:
        outbox_send_on_commit([queued.key])
    return True


def owner_invite(*, provider, email, by):
    """Invite the owner of an existing listing to manage it: an account for `email` (if it has
    none) linked to the listing, and an invitation link that lasts longer than a sign-in link."""
    email = email.strip().lower()
    with transaction.atomic():
        user = _user_model().objects.filter(email__iexact=email).first() or _account_create(email)
        owner = Owner.objects.filter(user=user).first()
        if owner and owner.provider_id != provider.pk:
            raise ValueError(f"{email} already manages another listing")
        if owner is None:
            Owner.objects.create(user=user, provider=provider)
        queued = outbox_queue(
            key=f"invite:{provider.pk}:{user.pk}:{timezone.now().timestamp()}",
            to=email,
            subject=f"Manage your listing for {provider.name}",
            body=(
                f"{settings.COUNCIL_NAME} lists {provider.name} in {settings.SITE_NAME}. You can "
                "now keep the listing up to date yourself: change your details, and tell us when "
                "a check is renewed. The council checks each change before it goes live.\n\n"
                f"Use this link to sign in:\n\n{link_url(user, 'invite')}\n\n"
                f"It works once, for {settings.INVITE_LINK_HOURS} hours. After that, ask for a "
                f"new link at {_site('/for-providers/sign-in/')}"
            ),
        )
        if queued:
            outbox_send_on_commit([queued.key])
    return user


# Proposed changes ---------------------------------------------------------------------------------


def stored(field, value):
    """A value as a proposal stores it (JSON): model choices as sorted slugs, amounts as text."""
    if field in M2M:
        return sorted(getattr(item, "slug", item) for item in value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def current_value(provider, field):
    if field in M2M:
        return stored(field, getattr(provider, field).all())
    if field.startswith("check:"):
        check = provider.checks.filter(kind=field.removeprefix("check:")).first()
        return check.expires_on.isoformat() if check and check.expires_on else None
    return stored(field, getattr(provider, field))


def proposal_save(*, provider, user, changes, seen_revision):
    """Add `changes` ({field: new value}) to the listing's waiting proposal, or start one.
    Fields whose new value is what the listing has already are left out. Returns the proposal,
    or None when nothing differs. Raises ListingOnHold, ProposalConflict."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if provider.status in (Provider.Status.SUSPENDED, Provider.Status.ARCHIVED):
            raise ListingOnHold(provider.get_status_display())
        pending = ProposedChange.objects.filter(
            provider=provider, status=ProposedChange.Status.PENDING
        ).first()
        if (pending.revision if pending else 0) != (seen_revision or 0):
            raise ProposalConflict(pending)
        wanted = dict(pending.changes) if pending else {}
        for field, value in changes.items():
            value = stored(field, value)
            old = current_value(provider, field)
            if value == old:
                wanted.pop(field, None)
            else:
                wanted[field] = {"old": old, "new": value}
        if pending is None and not wanted:
            return None
        if pending is None:
            try:
                with transaction.atomic():
                    return ProposedChange.objects.create(
                        provider=provider,
                        proposed_by=user,
                        changes=wanted,
                        listing_version=provider.version,
                    )
            except IntegrityError as error:  # another submission won the race
                raise ProposalConflict(None) from error
        pending.changes = wanted
        pending.revision += 1
        pending.proposed_by = user
        pending.listing_version = provider.version
        pending.save()
        return pending


def proposal_withdraw(*, provider):
    ProposedChange.objects.filter(provider=provider, status=ProposedChange.Status.PENDING).delete()


def proposal_approve(*, proposal, by):
    """Make the proposed changes to the listing (only those fields, so nothing else anyone
    changed meanwhile is undone), record who approved it, and tell the provider."""
    with transaction.atomic():
        proposal = ProposedChange.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposedChange.Status.PENDING:
            raise CannotApply("This change has already been decided")
        provider = Provider.objects.select_for_update().get(pk=proposal.provider_id)
        today = timezone.localdate()
        m2m = {}
        for field, change in proposal.changes.items():
            new = change["new"]
            if field.startswith("check:"):
                _check_renew(provider, field.removeprefix("check:"), new, by, today)
            elif field in M2M:
                m2m[field] = M2M[field].objects.filter(slug__in=new)
            else:
                model_field = Provider._meta.get_field(field)
                setattr(provider, field, model_field.to_python(new))
        try:
            with transaction.atomic():
                provider.save()
                for field, items in m2m.items():
                    getattr(provider, field).set(items)
        except IntegrityError as error:
            raise CannotApply(
                "These changes no longer fit the listing as it is now (for example, a rate "
                "below the lowest rate). Reject it with a reason, or change the listing first."
            ) from error
        proposal.status = ProposedChange.Status.APPROVED
        proposal.decided_by, proposal.decided_at = by, timezone.now()
        proposal.save()
        _tell_provider(
            proposal,
            f"Your changes to {provider.name} are approved",
            "The council has approved your changes. They are on your listing now"
            + (" and the public can see them." if provider.status == "published" else "."),
        )
    return proposal


def _check_renew(provider, kind, expires_on, by, today):
    """A renewal the provider reported, now seen by an officer: verified from today."""
    check, _ = Check.objects.get_or_create(provider=provider, kind=kind)
    check.status = Check.Status.VERIFIED
    check.verified_on = today
    check.verified_by = by
    check.expires_on = date.fromisoformat(expires_on)
    check.save()


def proposal_reject(*, proposal, by, reason):
    with transaction.atomic():
        proposal = ProposedChange.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposedChange.Status.PENDING:
            raise CannotApply("This change has already been decided")
        proposal.status = ProposedChange.Status.REJECTED
        proposal.reason = reason
        proposal.decided_by, proposal.decided_at = by, timezone.now()
        proposal.save()
        _tell_provider(
            proposal,
            f"Your changes to {proposal.provider.name} were not approved",
            f"The council did not approve your changes, for this reason:\n\n{reason}\n\n"
            "Your listing has not changed. You can sign in and send the changes again.",
        )
    return proposal


def _tell_provider(proposal, subject, words):
    emails = [owner.user.email for owner in proposal.provider.owners.select_related("user")]
    keys = []
    for email in emails:
        queued = outbox_queue(
            key=f"proposal:{proposal.pk}:{proposal.status}:{email}",
            to=email,
            subject=subject,
            body=f"{words}\n\nSign in to see your listing: {_site('/for-providers/sign-in/')}",
        )
        if queued:
            keys.append(queued.key)
    if keys:
        outbox_send_on_commit(keys)


# Programme figures ------------------------------------------------------------------------------


def figures_save(*, provider, people_supported, hours_a_week):
    figures, _ = ProviderFigures.objects.update_or_create(
        provider=provider,
        defaults={"people_supported": people_supported, "hours_a_week": hours_a_week},
    )
    return figures
