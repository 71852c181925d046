"""Clearly fictional demo listings on real postcodes, for a first run and for trying the site.

Names are invented, phone numbers are in Ofcom's ranges reserved for drama (01632 960xxx,
07700 900xxx) and every email and website is on example.org, so nothing here reaches a real person.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.roles import ADMIN_GROUP, STAFF_GROUP

from . import changes
from .models import Audience, Check, CoverageDistrict, Provider, Review, Service, ServiceCategory
from .services import provider_set_status

# Real postcodes (Code-Point Open) spread across each programme's towns.
TOWNS = {
    "Chelmsford": "CM1 1RW CM1 3AX CM1 4GJ CM1 6GB CM2 0RJ CM2 6QU CM2 7PN CM2 8QB",
    "Colchester": "CO1 1NN CO1 2FN CO2 7BG CO2 8EP CO3 0RE CO3 3WG CO4 3BP CO4 5FB",
    "Basildon": "SS13 1HS SS13 2DY SS14 1JE SS14 2GL SS15 4JZ SS15 5QR SS16 4LP SS16 5JB",
    "Taunton": "TA1 1NR TA1 2LG TA1 3HN TA1 4NN TA2 6FB TA2 6TX TA2 7NE TA2 8DP",
    "Yeovil": "BA20 1EQ BA20 1RX BA20 2ED BA20 2LY BA21 3EY BA21 3RP BA21 4HJ BA21 5DA",
    "Frome": "BA11 1FB BA11 1QT BA11 2JE BA11 2SY BA11 3EP BA11 3SD BA11 4JX BA11 5EB",
    "Bridgwater": "TA6 3JA TA6 3UR TA6 4JH TA6 4UD TA6 5HB TA6 6DS TA6 6PN TA6 6ZH",
    "Mold": "CH7 1DA CH7 1GW CH7 1NG CH7 1RJ CH7 6BX CH7 6HB CH7 6NU CH7 6SL",
    "Flint": "CH6 5BG CH6 5EQ CH6 5GL CH6 5JL CH6 5NP CH6 5QJ CH6 5SF CH6 5UA",
    "Buckley": "CH7 2BA CH7 2EN CH7 2JF CH7 2NG CH7 3BA CH7 3EF CH7 3HA CH7 3LF",
    "Holywell": "CH8 7AW CH8 7DL CH8 7FA CH8 7HU CH8 7LH CH8 7PE CH8 7QT CH8 7SN",
}
NEIGHBOURS = {
    "Chelmsford": "CM1 CM2 CM3",
    "Colchester": "CO1 CO2 CO3 CO4",
    "Basildon": "SS13 SS14 SS15 SS16",
    "Taunton": "TA1 TA2 TA3",
    "Yeovil": "BA20 BA21 BA22",
    "Frome": "BA11",
    "Bridgwater": "TA5 TA6 TA7",
    "Mold": "CH7",
    "Flint": "CH6",
    "Buckley": "CH7",
    "Holywell": "CH8",
}
WELSH_TOWNS = {"Mold", "Flint", "Buckley", "Holywell"}

FIRST_NAMES = [
    "Ann",
    "Bev",
    "Carys",
    "Dilys",
    "Eve",
    "Fay",
    "Gwen",
    "Hazel",
    "Ivy",
    "Jan",
    "Kath",
    "Lin",
    "Mair",
    "Nia",
    "Olu",
    "Pam",
    "Rhian",
    "Sue",
    "Tess",
    "Val",
    "Amir",
    "Ben",
    "Colin",
    "Dev",
    "Emyr",
    "Frank",
    "Gareth",
    "Huw",
    "Ian",
    "Joe",
    "Kofi",
    "Len",
    "Marek",
    "Neil",
    "Owen",
    "Raj",
    "Steve",
    "Tom",
]
SURNAMES = [
    "Abbott",
    "Baxter",
    "Carter",
    "Davies",
    "Ellis",
    "Fowler",
    "Griffiths",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lloyd",
    "Morgan",
    "Nowak",
    "Okafor",
    "Parry",
    "Quinn",
    "Roberts",
    "Shah",
    "Thomas",
    "Usher",
    "Vaughan",
    "Walsh",
    "Yates",
]
PATTERNS = {
    "personal-care": ["{first}'s Home Care", "{surname} Personal Care", "Gentle Hands {town}"],
    "help-at-home": ["{first}'s Helping Hands", "{town} Home Help", "{surname} Home Support"],
    "carer-respite": ["{town} Carers' Breaks", "Time Out with {first}", "{surname} Respite Care"],
    "out-and-about": ["Out and About {town}", "{first}'s Days Out", "{town} Friendship Club"],
}
SUMMARIES = {
    "personal-care": "Help with washing, dressing and getting ready for the day, in your own home.",
    "help-at-home": "Cleaning, shopping, meals and a friendly face around the home.",
    "carer-respite": "A few hours off for unpaid carers, knowing the person you care for is safe.",
    "out-and-about": "Company and transport to get out, try hobbies and meet people nearby.",
}

# Listings that speak Welsh have their summary in Welsh too.
SUMMARIES_CY = {
    "personal-care": "Help gydag ymolchi, gwisgo a pharatoi at y dydd, yn eich cartref eich hun.",
    "help-at-home": "Glanhau, siopa, prydau bwyd a wyneb cyfeillgar o gwmpas y cartref.",
    "carer-respite": "Ychydig oriau o seibiant i ofalwyr di-dâl, gan wybod bod y person rydych chi’n gofalu amdano’n ddiogel.",
    "out-and-about": "Cwmni a chludiant i fynd allan, rhoi cynnig ar ddiddordebau a chwrdd â phobl gerllaw.",
}

STATUS_WEIGHTS = [
    (Provider.Status.PUBLISHED, 74),
    (Provider.Status.PENDING, 8),
    (Provider.Status.DRAFT, 8),
    (Provider.Status.SUSPENDED, 6),
    (Provider.Status.ARCHIVED, 4),
]
LEGAL_FORMS = [
    (Provider.LegalForm.SOLE_TRADER, 55),
    (Provider.LegalForm.PARTNERSHIP, 10),
    (Provider.LegalForm.LIMITED_COMPANY, 15),
    (Provider.LegalForm.CIC, 12),
    (Provider.LegalForm.CHARITY, 8),
]

STAFF_USERNAME = "staff"
STAFF_PASSWORD = "demo-staff-password"  # noqa: S105 - documented demo login, development only
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "demo-admin-password"  # noqa: S105 - documented demo login, development only


def weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


LIFETIME_DAYS = {Check.Kind.DBS: 1095, Check.Kind.INSURANCE: 365}  # others: 730
GRACE_EVERY = 9  # about one published listing in nine is in its grace period


def _good_checks(rng, today):
    """Four basic checks verified and in date; half the time the optional documents too."""
    states = {}
    for kind in Check.BASIC_KINDS:
        lifetime = LIFETIME_DAYS.get(kind, 730)
        verified = today - timedelta(days=rng.randint(20, min(lifetime - 40, 500)))
        states[kind] = (Check.Status.VERIFIED, verified, verified + timedelta(days=lifetime))
    if rng.random() < 0.5:
        for kind in (Check.Kind.TERMS, Check.Kind.SUPPORT_PLAN, Check.Kind.POLICIES):
            verified = today - timedelta(days=rng.randint(30, 400))
            states[kind] = (Check.Status.VERIFIED, verified, None)
    return states


def _final_checks(rng, today, status, number):
    """The checks a listing of this status ends with, and the reason for its status.

    Published listings follow the publishing rules (a few in their grace period, so the notice
    can be seen); suspended ones have a rejected or long-lapsed check; drafts and listings waiting
    for review have checks still to verify.
    """
    states = _good_checks(rng, today)
    kind = rng.choice(Check.BASIC_KINDS)
    label = Check.Kind(kind).label
    if status == Provider.Status.PUBLISHED:
        if number % GRACE_EVERY == 0:
            lapsed = today - timedelta(days=rng.randint(1, 20))
            states[kind] = (Check.Status.VERIFIED, lapsed - timedelta(days=365), lapsed)
        return states, "Demo data: all four basic checks verified and in date"
    if status == Provider.Status.SUSPENDED:
        if rng.random() < 0.5:
            states[kind] = (Check.Status.REJECTED, None, None)
            return states, f"Demo data: {label} was rejected"
        lapsed = today - timedelta(days=rng.randint(40, 120))
        states[kind] = (Check.Status.VERIFIED, lapsed - timedelta(days=365), lapsed)
        return states, f"Demo data: {label} ran out and was not renewed"
    if status in (Provider.Status.PENDING, Provider.Status.DRAFT):
        for kind in rng.sample(Check.BASIC_KINDS, rng.randint(1, 3)):
            states[kind] = (
                rng.choice([Check.Status.AWAITING, Check.Status.NOT_PROVIDED]),
                None,
                None,
            )
        if status == Provider.Status.PENDING:
            return states, "Demo data: sent for review"
        return states, "Demo data: returned to draft"
    return states, "Demo data: the provider has stopped trading"


def _save_checks(provider, states, staff):
    provider.checks.exclude(kind__in=states).delete()
    for kind, (status, verified_on, expires_on, *reference) in states.items():
        Check.objects.update_or_create(
            provider=provider,
            kind=kind,
            defaults={
                "status": status,
                "verified_on": verified_on,
                "expires_on": expires_on,
                "reference": reference[0] if reference else "",
                "verified_by": staff if verified_on else None,
            },
        )


def _move_to(provider, status, reason, staff, good_checks):
    """Bring the listing to `status` the way staff would: through `provider_set_status`. A
    listing that was ever public is first published with good checks."""
    if provider.status == status:
        return
    was_public = status in (Provider.Status.SUSPENDED, Provider.Status.ARCHIVED)
    if status == Provider.Status.PUBLISHED or (was_public and provider.status != "published"):
        _save_checks(provider, good_checks, staff)
        provider_set_status(
            provider=provider,
            status=Provider.Status.PUBLISHED,
            by=staff,
            reason="Demo data: all four basic checks verified and in date",
        )
    if status != Provider.Status.PUBLISHED:
        provider_set_status(provider=provider, status=status, by=staff, reason=reason)


def _demo_user(username, password, group_name, email):
    """A demo login in a staff role. The roles' permissions are set after every migrate
    (`workbench.roles`); here the group is only found, or made to be filled then."""
    group, _ = Group.objects.get_or_create(name=group_name)
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": email, "first_name": "Demo"}
    )
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(group)
    return user


def _ensure_staff():
    """The demo logins, with passwords everyone can read: only ever in development."""
    if not settings.DEBUG:
        return None
    _demo_user(ADMIN_USERNAME, ADMIN_PASSWORD, ADMIN_GROUP, "admin@example.org")
    return _demo_user(STAFF_USERNAME, STAFF_PASSWORD, STAFF_GROUP, "staff@example.org")


@transaction.atomic
def demo_load(*, seed=2026, progress=None):
    """Create or refresh the demo listings. Same seed, same data: safe to run again."""
    with changes.collecting():  # each listing's derived columns worked out once, at the end
        return _load(seed, progress)


def _load(seed, progress):
    rng = random.Random(seed)
    today = timezone.localdate()
    staff = _ensure_staff()
    categories = {c.slug: list(c.services.all()) for c in ServiceCategory.objects.all()}
    audiences = list(Audience.objects.all())
    all_services = list(Service.objects.select_related("category"))
    postcodes = [(town, pc) for town, codes in TOWNS.items() for pc in _pairs(codes)]
    written = 0
    for number, (town, postcode) in enumerate(postcodes, start=1):
        focus = rng.choice(list(PATTERNS))
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        name = rng.choice(PATTERNS[focus]).format(first=first, surname=surname, town=town)
        slug = f"{slugify(name)}-{number}"
        legal_form = weighted(rng, LEGAL_FORMS)
        free = legal_form == Provider.LegalForm.CHARITY or rng.random() < 0.05
        low = None if free else Decimal(rng.randrange(1500, 2400, 50)) / 100
        high = None if free else low + Decimal(rng.choice([0, 200, 300, 500])) / 100
        radius = rng.choice([0, 3, 5, 5, 8, 10, 10, 15, 20])
        personal = focus == "personal-care"
        # Personal care is regulated: an organisation is registered with the regulator; a sole
        # trader working alone relies on the individual exemption, which staff confirm.
        regulation = None
        if personal:
            if legal_form == Provider.LegalForm.SOLE_TRADER:
                regulation = (Check.Kind.EXEMPTION, "")
            else:
                regulation = (Check.Kind.REGISTRATION, f"1-{rng.randint(100000000, 999999999)}")
        defaults = {
            "name": name,
            "summary": SUMMARIES[focus],
            "description": (
                f"We are a small {town} {Provider.LegalForm(legal_form).label.lower()} run by "
                f"{first} {surname}. {SUMMARIES[focus]} We take time to get to know you and "
                "work around what you want. This listing is demonstration data."
            ),
            "legal_form": legal_form,
            "workers": 1 if legal_form == Provider.LegalForm.SOLE_TRADER else rng.randint(2, 8),
            "contact_name": f"{first} {surname}",
            "phone": rng.choice([f"01632 960{number:03d}", f"07700 900{number:03d}"]),
            "email": f"hello@{slugify(name)}.example.org",
            "website": rng.choice(["", f"https://{slugify(name)}.example.org/"]),
            "base_postcode": postcode,
            "town": town,
            "coverage_radius_miles": radius,
            "is_free": free,
            "hourly_rate_min": low,
            "hourly_rate_max": high,
            "cost_notes": "Free, donations welcome"
            if free
            else rng.choice(
                [
                    "",
                    "Minimum one hour visit",
                    "Mileage charged at 45p a mile",
                    "Weekend rates higher",
                ]
            ),
            "accepts_direct_payments": rng.random() < 0.7,
            "available_weekdays": rng.random() < 0.9,
            "available_evenings": rng.random() < 0.4,
            "available_weekends": rng.random() < 0.45,
            "available_overnight": personal and rng.random() < 0.3,
            "languages": "English, Welsh"
            if town in WELSH_TOWNS and rng.random() < 0.5
            else rng.choice(
                ["English", "English", "English", "English, Polish", "English, Punjabi"]
            ),
            "staff_notes": "Demo listing. Staff note: never shown publicly.",
        }
        defaults["welsh_spoken"] = "Welsh" in defaults["languages"]
        defaults["summary_cy"] = SUMMARIES_CY[focus] if defaults["welsh_spoken"] else ""
        status = weighted(rng, STATUS_WEIGHTS)
        provider, _ = Provider.objects.update_or_create(slug=slug, defaults=defaults)
        services = rng.sample(categories[focus], k=min(len(categories[focus]), rng.randint(2, 4)))
        # Each listing offers services of its own kind only, so a filter never shows a day-out
        # group under personal care. The draw for other help is still made (and dropped) so
        # the same seed gives the same listings, checks and statuses as before.
        extra = rng.sample(
            [service for service in all_services if personal or not service.category.regulated],
            k=rng.randint(0, 2),
        )
        services += [s for s in extra if s.category.slug == focus and s not in services]
        provider.services.set(services)
        provider.audiences.set(rng.sample(audiences, k=rng.randint(1, 3)))
        districts = [] if radius and rng.random() < 0.6 else NEIGHBOURS[town].split()
        provider.districts.exclude(outward__in=districts).delete()
        for outward in districts:
            CoverageDistrict.objects.get_or_create(provider=provider, outward=outward)
        good = _good_checks(rng, today)
        states, reason = _final_checks(rng, today, status, number)
        if regulation:
            kind, reference = regulation
            good[kind] = (Check.Status.VERIFIED, today - timedelta(days=90), None, reference)
            if status == Provider.Status.PENDING and number % 3 == 0:
                # Waiting for staff: the registration or exemption not yet confirmed.
                states[kind] = (Check.Status.AWAITING, None, None, reference)
            else:
                states[kind] = good[kind]
        _move_to(provider, status, reason, staff, good)
        _save_checks(provider, states, staff)
        if status == Provider.Status.PUBLISHED and rng.random() < 0.7:
            Review.objects.update_or_create(
                provider=provider,
                notes="Demo data: full review of the listing",
                defaults={
                    "reviewed_on": today - timedelta(days=rng.randint(5, 200)),
                    "reviewed_by": staff,
                },
            )
        written += 1
        if progress:
            progress(written, len(postcodes))
    return written


def demo_postcodes():
    return [pc for codes in TOWNS.values() for pc in _pairs(codes)]


def _pairs(codes):
    """ "CM1 1RW CM1 3AX" -> ["CM1 1RW", "CM1 3AX"]."""
    parts = codes.split()
    return [f"{parts[i]} {parts[i + 1]}" for i in range(0, len(parts), 2)]
