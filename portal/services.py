"""Every write made by or for a provider's own account. Keyword-only, named <thing>_<action>.

Emails go to the outbox (`core.outbox`) in the same transaction as the change they describe.
The emails to providers are written in the language active at the time (the request's: an
application made on the Welsh pages gets its email in Welsh), links included.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core.after_response import after_response
from core.names import site_names
from core.notify import notify_texts_on, uk_mobile_number
from core.outbox import LINK, listing_link, outbox_queue, outbox_send, outbox_send_on_commit
from core.ratelimit import RateLimit, rate_limit_hit
from places.models import Postcode
from places.nations import WALES, nation_of
from places.postcodes import PostcodeValue
from providers.models import Audience, Check, NewClients, Provider, Service
from providers.rules import AVAILABILITY_DAYS

from .models import Application, Owner, ProposedChange, ProviderFigures, is_staff_account
from .regulation import registration_advice
from .tokens import may_use_links

# One link an address every 5 minutes, however many ask; 20 requests an hour from one client.
SIGN_IN_PER_ADDRESS = RateLimit("sign-in-address", limit=1, window=timedelta(minutes=5))
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


def _sign_in_url():
    """The sign-in page in the active language (/cy/... in Welsh)."""
    return _site(reverse("portal:sign-in"))


def _user_model():
    return get_user_model()


def account_for_email(email):
    """The provider's account managing a listing under this address, or None. Never a staff
    account, whatever its address."""
    user = (
        _user_model()
        .objects.filter(email__iexact=email.strip(), is_active=True, listing_owner__isnull=False)
        .first()
    )
    return user if user and may_use_links(user) else None


def _address_in_use(email):
    """Some account already has this address (as its email or its user name)."""
    return (
        _user_model()
        .objects.filter(Q(email__iexact=email) | Q(username__iexact=email[:150]))
        .exists()
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
    with translation.override(settings.LANGUAGE_CODE):
        staff_advice = str(registration_advice(answers["registration"], nation)[1])
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
        # An address another account has (staff's, or another provider's) is never attached:
        # the officer sees the flag and invites the applicant with an address of their own.
        in_use = _address_in_use(email)
        Application.objects.create(
            provider=provider,
            email=email,
            email_in_use=in_use,
            answers=answers,
            # Kept for staff, in English; the applicant's email below is in their language.
            regulation_advice=staff_advice,
        )
        if not in_use:
            Owner.objects.create(user=_account_create(email), provider=provider)
        queued = outbox_queue(
            key=f"application:{provider.pk}",
            to=email,
            subject=_("We have your application to list %(name)s") % {"name": provider.name},
            body=_application_email(provider, advice, in_use=in_use),
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


def _application_email(provider, advice, *, in_use):
    paragraphs = [
        _("Thank you for applying to list %(name)s in %(site)s.")
        % {"name": provider.name, "site": site_names()["SITE_NAME"]},
        _(
            "What happens next: someone from the council will look at your application, usually "
            "within 10 working days. They will ask you for proof of 4 checks: a DBS check, public "
            "liability insurance, safeguarding training and business registration. Your listing "
            "is published when they have seen all 4."
        ),
        _("About registering: %(advice)s") % {"advice": advice},
        _(
            "This email address is already used by another account here, so you cannot sign in "
            "with it to manage this listing. Someone from the council will contact you to set "
            "up your own sign-in."
        )
        if in_use
        else _("To see your application, sign in with this email address at %(url)s")
        % {"url": _sign_in_url()},
        _("If you did not apply, you can ignore this email."),
    ]
    return "\n\n".join(paragraphs)


# Signing in --------------------------------------------------------------------------------------


def sign_in_link_request(*, email, client_key):
    """Someone asked for a sign-in link. Counts the client's requests (False once over its
    limit); everything else, even whether the address has an account, happens after the response
    (`sign_in_link_send`), so known and unknown addresses take the same time."""
    if not rate_limit_hit(rule=SIGN_IN_PER_CLIENT, client_key=client_key):
        return False
    email, language = email.strip().lower(), translation.get_language()

    def send():
        with translation.override(language):
            sign_in_link_send(email=email)

    after_response(send)
    return True


def sign_in_link_send(*, email):
    """Email a one-time sign-in link if this address belongs to a provider's account. At most one
    link an address every few minutes: asking again (whoever asks) sends nothing more, and the
    link already sent still works, so nobody can use up a provider's links."""
    address_key = salted_hmac("portal.sign-in", email).hexdigest()
    if not rate_limit_hit(rule=SIGN_IN_PER_ADDRESS, client_key=address_key):
        return None
    user = account_for_email(email)
    if user is None:
        return None
    with transaction.atomic():
        queued = outbox_queue(
            key=f"sign-in:{user.pk}:{timezone.now().timestamp()}",
            to=user.email,
            subject=_("Sign in to %(site)s") % {"site": site_names()["SITE_NAME"]},
            body="\n\n".join(
                [
                    _("Use this link to sign in and manage your listing:"),
                    LINK,
                    _(
                        "It works once, for %(minutes)s minutes. If you did not ask to sign in, "
                        "you can ignore this email: nobody can sign in without the link."
                    )
                    % {"minutes": settings.SIGN_IN_LINK_MINUTES},
                ]
            ),
            link_kind="sign-in",
            link_user=user,
        )
    if queued:
        outbox_send(keys=[queued.key])
    return queued


def owner_invite(*, provider, email, by):
    """Invite the owner of an existing listing to manage it: an account for `email` (if it has
    none) linked to the listing, and an invitation link that lasts longer than a sign-in link."""
    email = email.strip().lower()
    with transaction.atomic():
        user = _user_model().objects.filter(email__iexact=email).first() or _account_create(email)
        if is_staff_account(user):
            raise ValueError(
                f"{email} belongs to a council staff account: a provider needs an address of "
                "their own"
            )
        owner = Owner.objects.filter(user=user).first()
        if owner and owner.provider_id != provider.pk:
            raise ValueError(f"{email} already manages another listing")
        if owner is None:
            Owner.objects.create(user=user, provider=provider)
        queued = outbox_queue(
            key=f"invite:{provider.pk}:{user.pk}:{timezone.now().timestamp()}",
            to=email,
            subject=_("Manage your listing for %(name)s") % {"name": provider.name},
            body="\n\n".join(
                [
                    _(
                        "%(council)s lists %(name)s in %(site)s. You can now keep the listing up "
                        "to date yourself: change your details, and tell us when a check is "
                        "renewed. The council checks each change before it goes live."
                    )
                    % {
                        "council": site_names()["COUNCIL_NAME"],
                        "name": provider.name,
                        "site": site_names()["SITE_NAME"],
                    },
                    _("Use this link to sign in:"),
                    LINK,
                    _(
                        "It works once, for %(hours)s hours. After that, ask for a new link at "
                        "%(url)s"
                    )
                    % {"hours": settings.INVITE_LINK_HOURS, "url": _sign_in_url()},
                ]
            ),
            link_kind="invite",
            link_user=user,
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
            _("Your changes to %(name)s are approved") % {"name": provider.name},
            _(
                "The council has approved your changes. They are on your listing now and the "
                "public can see them."
            )
            if provider.status == "published"
            else _("The council has approved your changes. They are on your listing now."),
        )
    return proposal


def _check_renew(provider, kind, expires_on, by, today):
    """A renewal the provider reported, now seen by an officer: verified from today."""
    if kind not in Check.Kind.values:
        raise CannotApply(f"This listing cannot have a check called {kind[:40]!r}.")
    check = Check.objects.filter(provider=provider, kind=kind).first() or Check(
        provider=provider, kind=kind
    )
    if kind == Check.Kind.REGISTRATION and not check.reference:
        raise CannotApply(
            "The listing has no registration number, so this renewal cannot be recorded as "
            "verified. Record the registration on the listing first (with its number), or "
            "reject this change with a reason."
        )
    if date.fromisoformat(expires_on) < today:
        raise CannotApply("The new expiry date has passed. Reject this change with a reason.")
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
            _("Your changes to %(name)s were not approved") % {"name": proposal.provider.name},
            "\n\n".join(
                [
                    _("The council did not approve your changes, for this reason:"),
                    reason,
                    _("Your listing has not changed. You can sign in and send the changes again."),
                ]
            ),
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
            body=words
            + "\n\n"
            + _("Sign in to see your listing: %(url)s") % {"url": _sign_in_url()},
        )
        if queued:
            keys.append(queued.key)
    if keys:
        outbox_send_on_commit(keys)


# Programme figures ------------------------------------------------------------------------------


def figures_save(*, provider, people_supported, hours_a_week):
    figures, _created = ProviderFigures.objects.update_or_create(
        provider=provider,
        defaults={"people_supported": people_supported, "hours_a_week": hours_a_week},
    )
    return figures


# Taking new clients: the provider's own answer, by link or from their own page ---------------------

NEW_CLIENTS_PER_ADDRESS = RateLimit("new-clients-address", limit=1, window=timedelta(minutes=5))
NEW_CLIENTS_PER_CLIENT = RateLimit("new-clients-client", limit=20, window=timedelta(hours=1))


def new_clients_emails_queue(*, today=None):
    """The monthly question: queue an email with the three links to each published listing whose
    answer was last confirmed NEW_CLIENTS_ASK_DAYS or more ago (or never), once a calendar month,
    and a text message too where the council texts through GOV.UK Notify and the listing's phone
    is a UK mobile. Called by the daily run; returns the messages queued."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=settings.NEW_CLIENTS_ASK_DAYS)
    due = Provider.objects.published().filter(
        Q(new_clients_confirmed_at__isnull=True) | Q(new_clients_confirmed_at__lte=since)
    )
    queued = []
    for provider in due.order_by("pk").iterator():
        email = new_clients_email_queue(
            provider=provider, key=f"new-clients:{provider.pk}:{today:%Y-%m}"
        )
        if email:
            queued.append(email)
        text = new_clients_text_queue(
            provider=provider, key=f"new-clients-text:{provider.pk}:{today:%Y-%m}"
        )
        if text:
            queued.append(text)
    return queued


def new_clients_text_queue(*, provider, key):
    """Queue the text message with one link to a page of the three answers (`portal.tokens`,
    made only when it is sent), to the listing's phone if it is a UK mobile number, when the
    council texts through GOV.UK Notify; None otherwise. Short: Welsh first in Wales."""
    from .tokens import NEW_CLIENTS_CHOICE_LINK

    mobile = uk_mobile_number(provider.phone)
    if not (mobile and notify_texts_on()):
        return None
    languages = [settings.LANGUAGE_CODE]
    if settings.WELSH and provider.nation == WALES:
        languages = ["cy", settings.LANGUAGE_CODE]
    lines = []
    for language in languages:
        with translation.override(language):
            lines.append(
                _(
                    "%(council)s: is %(name)s taking new clients? Tell people looking for help "
                    "here, with no sign-in:"
                )
                % {"council": site_names()["COUNCIL_NAME"], "name": provider.name}
            )
    return outbox_queue(
        key=key,
        channel="text",
        to=mobile,
        subject="Text message: are you taking new clients?",
        body="\n".join([*lines, listing_link(NEW_CLIENTS_CHOICE_LINK, provider.pk)]),
    )


def _new_clients_address(provider):
    """Where a listing's question goes: its public email, else its owner's account."""
    if provider.email:
        return provider.email
    owner = Owner.objects.filter(provider=provider, user__is_active=True).select_related("user")
    return next((o.user.email for o in owner if may_use_links(o.user) and o.user.email), "")


def new_clients_email_queue(*, provider, key):
    """Queue the email with the listing's three single-purpose links (made only when it is sent,
    never stored: `portal.tokens`). In Wales, in Welsh first and then English."""
    languages = [settings.LANGUAGE_CODE]
    if settings.WELSH and provider.nation == WALES:
        languages = ["cy", settings.LANGUAGE_CODE]
    parts = [_new_clients_email(provider, language) for language in languages]
    return outbox_queue(
        key=key,
        to=_new_clients_address(provider),
        subject=" / ".join(subject for subject, _body in parts),
        body="\n----------\n\n".join(body for _subject, body in parts),
    )


def _new_clients_email(provider, language):
    from .tokens import NEW_CLIENTS_LINKS

    with translation.override(language):
        council = site_names()["COUNCIL_NAME"]
        answers = [
            (NewClients(answer).label, listing_link(kind, provider.pk))
            for answer, kind in NEW_CLIENTS_LINKS.items()
        ]
        subject = _("Are you taking new clients? One tap to tell people")
        body = "\n\n".join(
            [
                _("Dear %(person)s,") % {"person": provider.contact_name or provider.name},
                _(
                    "People looking for help see beside %(name)s whether you are taking new "
                    "clients, as you last told us. Your answer shows for %(days)s days; after "
                    "that it says “Not confirmed recently”."
                )
                % {"name": provider.name, "days": AVAILABILITY_DAYS},
                _(
                    "Choose the link that is true today. It opens a page with one Confirm button. "
                    "You do not need to sign in, and the council does not need to approve it."
                ),
                *(f"{label}:\n{link}" for label, link in answers),
                _(
                    "The links work once and for %(days)s days. They can only say whether you are "
                    "taking new clients, and only for this listing. You can also change your "
                    "answer on your own page: %(url)s"
                )
                % {
                    "days": settings.NEW_CLIENTS_LINK_DAYS,
                    "url": settings.SITE_URL + reverse("portal:listing"),
                },
                council,
            ]
        )
    return subject, body + "\n"


def new_clients_links_request(*, email, client_key):
    """Someone asked for the links by email address. Counts the client's requests (False once
    over its limit); the rest happens after the response, so whether the address belongs to a
    listing takes no longer to answer either way and is never told."""
    if not rate_limit_hit(rule=NEW_CLIENTS_PER_CLIENT, client_key=client_key):
        return False
    email, language = email.strip().lower(), translation.get_language()

    def send():
        with translation.override(language):
            new_clients_links_send(email=email)

    after_response(send)
    return True


def new_clients_links_send(*, email):
    """Email the links to every listing with this public address or managed by this account: at
    most one email an address every few minutes, however many ask."""
    address_key = salted_hmac("portal.new-clients", email).hexdigest()
    if not rate_limit_hit(rule=NEW_CLIENTS_PER_ADDRESS, client_key=address_key):
        return []
    user = account_for_email(email)
    listings = Provider.objects.exclude(status=Provider.Status.ARCHIVED).filter(
        Q(email__iexact=email) | Q(owners__user=user) if user else Q(email__iexact=email)
    )
    queued = []
    with transaction.atomic():
        for provider in listings.distinct().order_by("pk"):
            sent = new_clients_email_queue(
                provider=provider,
                key=f"new-clients-asked:{provider.pk}:{timezone.now().timestamp()}",
            )
            if sent:
                queued.append(sent)
    if queued:
        outbox_send(keys=[email.key for email in queued])
    return queued
