import uuid
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from places import geo
from places.models import Postcode, PostcodeArea, PostcodeNotFound
from places.nations import ENGLAND, NATIONS, nation_of
from places.postcodes import InvalidPostcode, PostcodeValue, normalise

from .regulators import regulator_for
from .rules import (
    BASIC_KINDS,
    REGULATION_KINDS,
    REVIEW_DAYS,
    CheckKind,
    CheckStatus,
    check_counts,
    check_public_words,
    check_state,
    grace_notice,
    last_good_day,
    new_clients_state,
    public_checks_until,
)

# Sent by `update()` on providers and checks, which Django sends no signal for, with the ids of
# the providers whose rows it touched. `providers.changes` is the one receiver.
rows_updated = Signal()


def in_language(english, welsh):
    """Words staff or providers wrote in both languages: the Welsh on a Welsh page when there is
    some, otherwise the English."""
    return welsh if welsh and get_language() == "cy" else english


# Stable public identifiers for open data (Open Referral UK): made once, never changed by edits.
OPEN_ID = {"default": uuid.uuid4, "unique": True, "editable": False}

WELSH_NAME = {"blank": True, "help_text": _("Shown on Welsh pages; the English name if empty")}


class ServiceCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    name_cy = models.CharField(_("name in Welsh"), max_length=80, **WELSH_NAME)
    slug = models.SlugField(max_length=80, unique=True)
    open_id = models.UUIDField("open data ID", **OPEN_ID)
    description = models.TextField(blank=True)
    description_cy = models.TextField("description in Welsh", blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on public pages")
    regulated = models.BooleanField(
        "personal care (a regulated activity)",
        default=False,
        help_text="Providers offering any of these services must be registered with the care "
        "regulator, or be a sole trader working alone whose exemption the council has confirmed",
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "service categories"

    def __str__(self):
        return in_language(self.name, self.name_cy)


class Service(models.Model):
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=120)
    name_cy = models.CharField(_("name in Welsh"), max_length=120, **WELSH_NAME)
    slug = models.SlugField(max_length=80, unique=True)
    open_id = models.UUIDField("open data ID", **OPEN_ID)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="unique_service_per_category")
        ]

    def __str__(self):
        return in_language(self.name, self.name_cy)


class Audience(models.Model):
    """Who a provider's services are for: older people, dementia, unpaid carers..."""

    name = models.CharField(max_length=80, unique=True)
    name_cy = models.CharField(_("name in Welsh"), max_length=80, **WELSH_NAME)
    slug = models.SlugField(max_length=80, unique=True)
    open_id = models.UUIDField("open data ID", **OPEN_ID)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return in_language(self.name, self.name_cy)


# What the profile page shows for each `available_<name>` field, in the page's language.
AVAILABILITY_WORDS = {
    "weekdays": _("weekdays"),
    "evenings": _("evenings"),
    "weekends": _("weekends"),
    "overnight": _("overnight"),
}


def area_label(town, sector):
    return f"{town} ({sector})" if town else sector


def sector_centre(sector):
    """(latitude, longitude) of a postcode sector's centre, or (None, None)."""
    found = PostcodeArea.objects.filter(code=sector).values_list("latitude", "longitude").first()
    return found or (None, None)


class NewClients(models.TextChoices):
    """What a provider says about taking on new clients (`Provider.new_clients`)."""

    TAKING = "taking", _("Taking new clients")
    WAITING_LIST = "waiting_list", _("Waiting list")
    FULL = "full", _("Not taking new clients")


class NewClientsVia(models.TextChoices):
    """How the provider last told us: the statement is always theirs."""

    LINK = "link", _("a link emailed to them")
    ACCOUNT = "account", _("their own page")


# `new_clients_state` codes, by index: 0 not confirmed recently (or never said).
NEW_CLIENTS_CODES = ("", NewClients.TAKING, NewClients.WAITING_LIST, NewClients.FULL)
NEW_CLIENTS_UNCONFIRMED = "unconfirmed"


def new_clients_code(new_clients):
    """A `Provider.new_clients` value as its code in NEW_CLIENTS_CODES (0 for none)."""
    return NEW_CLIENTS_CODES.index(new_clients) if new_clients in NEW_CLIENTS_CODES else 0


class NewClientsShown(NamedTuple):
    """What the public is told about new clients on one day (`Provider.new_clients_public`)."""

    state: str  # a NewClients value, or NEW_CLIENTS_UNCONFIRMED
    words: str
    confirmed_on: date | None  # only while current: an old answer's date is never shown with it


class ProviderQuerySet(models.QuerySet):
    def update(self, **kwargs):
        pks = list(self.values_list("pk", flat=True))
        # A change by update() is a change like any other: a form opened before it is refused,
        # and the listing's cached search card (keyed by version) is drawn again.
        kwargs.setdefault("version", models.F("version") + 1)
        rows = super().update(**kwargs)
        rows_updated.send(sender=Provider, provider_ids=pks, fields=set(kwargs))
        return rows

    def update_derived(self, **kwargs):
        """For `providers.changes` only: write derived columns without reporting it back."""
        return super().update(**kwargs)

    def published(self):
        return self.filter(status=Provider.Status.PUBLISHED)

    def within_rules(self, today=None):
        """All four basic checks verified and none rejected, and (for personal care) registered
        or exempt, each in date or run out no longer than the grace period ago. One indexed
        comparison on the derived column `rules_met_until`."""
        today = today or timezone.localdate()
        return self.filter(rules_met_until__gte=last_good_day(today))

    def outside_rules(self, today=None):
        return self.exclude(pk__in=self.model.objects.within_rules(today).values("pk"))

    def in_grace(self, today=None):
        """Within the rules only thanks to the grace period: a check has run out."""
        today = today or timezone.localdate()
        return self.within_rules(today).filter(rules_met_until__lt=today)

    def suspended_by_rules(self):
        """Suspended by the daily run of the rules (no officer made the change)."""
        by_rules = StatusChange.objects.filter(
            provider=OuterRef("pk"), to_status=Provider.Status.SUSPENDED, changed_by__isnull=True
        )
        return self.filter(status=Provider.Status.SUSPENDED).filter(Exists(by_rules))

    def review_due(self, today=None, days=REVIEW_DAYS):
        """No full review recorded in the last `days` days."""
        today = today or timezone.localdate()
        recent = Review.objects.filter(
            provider=OuterRef("pk"), reviewed_on__gte=today - timedelta(days=days)
        )
        return self.exclude(Exists(recent))

    def with_basic_checks_current(self, today=None):
        """Providers whose DBS, insurance, safeguarding training and registration are all current.

        One indexed comparison: `basic_checks_current_until` is kept up to date from the checks.
        """
        return self.filter(basic_checks_current_until__gte=today or timezone.localdate())

    def without_basic_checks_current(self, today=None):
        return self.exclude(pk__in=self.model.objects.with_basic_checks_current(today).values("pk"))

    def with_expired_checks(self, today=None):
        today = today or timezone.localdate()
        return self.filter(Exists(Check.objects.expired(today).filter(provider=OuterRef("pk"))))


class PublicProviderManager(models.Manager.from_queryset(ProviderQuerySet)):
    """The only way public pages read providers: drafts, suspended and archived never leak, nor
    does a published listing whose basic checks fail the publishing rules today."""

    def get_queryset(self):
        return super().get_queryset().published().within_rules()


class Provider(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending review")
        PUBLISHED = "published", _("Published")
        SUSPENDED = "suspended", _("Suspended")
        ARCHIVED = "archived", _("Archived")

    class LegalForm(models.TextChoices):
        SOLE_TRADER = "sole_trader", _("Sole trader")
        PARTNERSHIP = "partnership", _("Partnership")
        LIMITED_COMPANY = "limited_company", _("Limited company")
        CIC = "cic", _("Community interest company (CIC)")
        CHARITY = "charity", _("Charity or voluntary group")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    # Open data IDs of the service and of the business that runs it (Open Referral UK).
    open_id = models.UUIDField("open data service ID", **OPEN_ID)
    organization_open_id = models.UUIDField("open data organisation ID", **OPEN_ID)
    companies_house_number = models.CharField(
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{8}$", "Enter the 8-character company number")],
        help_text="For a limited company or CIC: published as the organisation's identifier",
    )
    charity_number = models.CharField(
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{6,8}$", "Enter the charity number, 6 to 8 digits")],
        help_text="Registered charity number, if it has one",
    )
    summary = models.CharField(max_length=240, help_text="One or two sentences for search results")
    description = models.TextField(blank=True)
    # The listing in Welsh, all optional: Welsh pages show the English where these are empty.
    name_cy = models.CharField(_("name in Welsh"), max_length=120, **WELSH_NAME)
    summary_cy = models.CharField(
        _("summary in Welsh"),
        max_length=240,
        blank=True,
        help_text=_("One or two sentences in Welsh, if you can; the English is shown if empty"),
    )
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    welsh_spoken = models.BooleanField(
        _("Welsh spoken"),
        default=False,
        help_text=_("You offer your help in Welsh without people having to ask"),
    )
    legal_form = models.CharField(max_length=20, choices=LegalForm.choices)
    workers = models.PositiveSmallIntegerField(
        _("number of workers"),
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text="Paid or unpaid, including the owner. A micro-enterprise has 8 at most.",
    )

    contact_name = models.CharField(_("public contact name"), max_length=120, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    base_postcode = models.CharField(
        max_length=8, help_text="Private: where the provider is based. Never shown to the public."
    )
    # The public point: the centre of the base's postcode sector (CM1 1). Every public output
    # (coverage, distances, order, maps) is worked out from it, never from the base, so no series
    # of searches can find the base more closely than its sector.
    area_sector = models.CharField("area (postcode sector)", max_length=6, editable=False)
    area_latitude = models.FloatField(null=True, editable=False)
    area_longitude = models.FloatField(null=True, editable=False)
    town = models.CharField(
        max_length=80, help_text="Public: the town or village, shown with the outward code"
    )

    coverage_radius_miles = models.PositiveSmallIntegerField(
        _("travel radius in miles"),
        default=5,
        validators=[MaxValueValidator(50)],
        help_text="0 if they only cover the postcode districts listed below",
    )

    services = models.ManyToManyField(Service, related_name="providers")
    audiences = models.ManyToManyField(
        Audience, related_name="providers", verbose_name=_("who it is for")
    )

    is_free = models.BooleanField(_("free of charge"), default=False)
    hourly_rate_min = models.DecimalField(
        _("lowest hourly rate (£)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    hourly_rate_max = models.DecimalField(
        _("highest hourly rate (£)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    cost_notes = models.CharField(max_length=240, blank=True)
    accepts_direct_payments = models.BooleanField(default=False)

    available_weekdays = models.BooleanField(_("weekdays"), default=True)
    available_evenings = models.BooleanField(_("evenings"), default=False)
    available_weekends = models.BooleanField(_("weekends"), default=False)
    available_overnight = models.BooleanField(_("overnight"), default=False)

    languages = models.CharField(
        _("languages spoken"), max_length=200, default="English", help_text="Separate with commas"
    )

    nation = models.CharField(
        max_length=8,
        choices=NATIONS,
        default=ENGLAND,
        editable=False,
        help_text="From the base postcode: decides the care regulator",
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    basic_checks_current_until = models.DateField(
        null=True,
        editable=False,
        db_index=True,
        help_text="Derived from the checks: the day the first basic check runs out, if all four are verified",
    )
    gives_personal_care = models.BooleanField(
        default=False, editable=False, help_text="Derived: offers a service in a regulated category"
    )
    registered_until = models.DateField(
        null=True,
        editable=False,
        help_text="Derived: the last day its verified registration with the regulator counts",
    )
    rules_met_until = models.DateField(
        null=True,
        editable=False,
        db_index=True,
        help_text="Derived: the last day it meets the publishing rules, before any grace period",
    )
    last_checked_on = models.DateField(
        _("last checked by the council"),
        null=True,
        editable=False,
        db_index=True,
        help_text="Derived: the latest full review or check verification recorded by staff",
    )
    staff_notes = models.TextField(blank=True, help_text="Staff only. Never shown to the public.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every change to the listing or its checks, districts or reviews, "
        "so a page saved from an out-of-date copy is refused instead of undoing someone's work",
    )

    # Whether the provider is taking new clients: their own statement, confirmed by them (an
    # emailed single-purpose link or their own page), never approved by staff. Shown only while
    # confirmed within AVAILABILITY_DAYS; after that as "Not confirmed recently" (`new_clients_state`).
    new_clients = models.CharField(
        _("new clients"), max_length=12, choices=NewClients.choices, blank=True, default=""
    )
    new_clients_confirmed_at = models.DateTimeField(
        _("new clients confirmed"), null=True, blank=True, editable=False
    )
    new_clients_via = models.CharField(
        max_length=8, choices=NewClientsVia.choices, blank=True, default="", editable=False
    )

    objects = ProviderQuerySet.as_manager()
    public_objects = PublicProviderManager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(workers__gte=1, workers__lte=8), name="workers_between_1_and_8"
            ),
            models.CheckConstraint(
                condition=Q(coverage_radius_miles__lte=50), name="coverage_radius_at_most_50"
            ),
            models.CheckConstraint(
                condition=Q(is_free=False)
                | Q(hourly_rate_min__isnull=True, hourly_rate_max__isnull=True),
                name="free_has_no_rate",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate_min__isnull=True)
                | Q(hourly_rate_max__isnull=True)
                | Q(hourly_rate_min__lte=models.F("hourly_rate_max")),
                name="rate_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(new_clients__in=["", *NewClients.values]),
                name="new_clients_is_a_choice",
            ),
            models.CheckConstraint(
                condition=Q(new_clients="", new_clients_confirmed_at__isnull=True)
                | (~Q(new_clients="") & Q(new_clients_confirmed_at__isnull=False)),
                name="new_clients_has_its_date",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        self.geocode()
        if self.pk:
            self.version = models.F("version") + 1
        super().save(*args, **kwargs)
        if self.pk and isinstance(self.version, models.expressions.Combinable):
            self.refresh_from_db(fields=["version"])

    def get_absolute_url(self):
        return reverse("providers:profile", args=[self.slug])

    @property
    def area_label(self):
        """Public: "Chelmsford (CM1 1)". Never more precise than the postcode sector."""
        return area_label(self.town, self.area_sector)

    @property
    def distance_words(self):
        """Rounded distance from the searched place, when the results page has set `distance_sq`."""
        return geo.distance_words(getattr(self, "distance_sq", None))

    def public_checklist(self, today=None):
        """The four basics always, then any other check the provider has given us.

        Uses `self.checks.all()` so a prefetch serves every provider on a page.
        """
        today = today or timezone.localdate()
        by_kind = {check.kind: check for check in self.checks.all()}
        rows = []
        for kind in Check.Kind:
            if kind in Check.REGULATION_KINDS:
                continue  # shown in their own words: see `regulation`
            check = by_kind.get(kind)
            if check is None:
                if kind not in Check.BASIC_KINDS:
                    continue
                check = Check(kind=kind)
            elif kind not in Check.BASIC_KINDS and check.status == Check.Status.NOT_PROVIDED:
                continue
            state, words = check.public_summary(today)
            label = check.get_kind_display()
            rows.append(
                {"label": label, "state": state, "words": words, "sentence": f"{label}: {words}"}
            )
        return rows

    def check_states(self, today=None):
        """(the listing's state, [(kind, state, last day it counts), ...]) from prefetched checks,
        each state as `check_state` gives it (None for a check not verified). The listing's state
        is its lowest: what its marker on the maps shows."""
        today = today or timezone.localdate()
        rows = [(check.kind, check.status, check.expires_on) for check in self.checks.all()]
        days = public_checks_until(
            rows,
            gives_personal_care=self.gives_personal_care,
            alone=works_alone(self.legal_form, self.workers),
        )
        states = [(kind, day and check_state(day.toordinal(), today), day) for kind, day in days]
        return min(state or 0 for _, state, _ in states), states

    @property
    def check_mark(self):
        """Today's state of the listing (`check_states`), for templates: 0, 1 or 2."""
        return self.check_states()[0]

    @property
    def regulator(self):
        return regulator_for(self.nation)

    def regulation(self, today=None):
        """What the public is told about registration, from prefetched checks: the current
        registration check, or whether the listing relies on a confirmed individual exemption."""
        today = today or timezone.localdate()
        by_kind = {check.kind: check for check in self.checks.all()}
        registration = by_kind.get(Check.Kind.REGISTRATION)
        if registration is None or not registration.is_current(today):
            registration = None
        exemption = by_kind.get(Check.Kind.EXEMPTION)
        exempt = (
            registration is None
            and self.gives_personal_care
            and works_alone(self.legal_form, self.workers)
            and exemption is not None
            and exemption.is_current(today)
        )
        return {
            "regulator": self.regulator,
            "registration": registration,
            "link": registration
            and (registration.link or self.regulator.page_for(registration.reference)),
            "exempt": exempt,
        }

    @property
    def last_full_review(self):
        """The day of the council's last full review, or None; from prefetched reviews."""
        return max((review.reviewed_on for review in self.reviews.all()), default=None)

    def services_by_category(self):
        """[(category, [service, ...]), ...] in taxonomy order, from prefetched services."""
        grouped = {}
        for service in sorted(
            self.services.all(), key=lambda s: (s.category.position, s.category.name, s.position)
        ):
            grouped.setdefault(service.category, []).append(service)
        return list(grouped.items())

    @property
    def availability(self):
        names = ["weekdays", "evenings", "weekends", "overnight"]
        return [name for name in names if getattr(self, f"available_{name}")]

    @property
    def availability_words(self):
        """`availability` in words for public pages, in the page's language."""
        return [str(AVAILABILITY_WORDS[name]) for name in self.availability]

    @property
    def language_list(self):
        return [name.strip() for name in self.languages.split(",") if name.strip()]

    def new_clients_public(self, today=None):
        """Whether they are taking new clients, as the public may be told on `today`
        (`new_clients_state`): the provider's answer while confirmed recently, otherwise "Not
        confirmed recently", never the old answer."""
        today = today or timezone.localdate()
        confirmed = self.new_clients_confirmed_at
        day = timezone.localdate(confirmed) if confirmed else None
        code = new_clients_state(
            new_clients_code(self.new_clients), day.toordinal() if day else -1, today
        )
        if not code:
            return NewClientsShown(NEW_CLIENTS_UNCONFIRMED, gettext("Not confirmed recently"), None)
        state = NewClients(NEW_CLIENTS_CODES[code])
        return NewClientsShown(state.value, str(state.label), day)

    @property
    def new_clients_shown(self):
        """`new_clients_public` for today, for templates."""
        return self.new_clients_public()

    def clean(self):
        errors = {}
        try:
            self.base_postcode = normalise(self.base_postcode)
            self._locate_base()
        except (InvalidPostcode, PostcodeNotFound) as error:
            errors["base_postcode"] = error.message
        if self.is_free and (self.hourly_rate_min is not None or self.hourly_rate_max is not None):
            errors["is_free"] = (
                "A free service cannot have an hourly rate. Remove the rate or untick free"
            )
        if (
            self.hourly_rate_min is not None
            and self.hourly_rate_max is not None
            and self.hourly_rate_min > self.hourly_rate_max
        ):
            errors["hourly_rate_max"] = (
                "The highest rate must be the same as or more than the lowest"
            )
        if errors:
            raise ValidationError(errors)

    def geocode(self):
        """Check the base postcode exists and set the public point: its sector's centre.

        Raises InvalidPostcode or PostcodeNotFound; forms catch both in clean().
        """
        location = self._locate_base()
        self.base_postcode = location.label
        value = PostcodeValue.parse(location.label)
        self.area_sector = value.sector
        self.nation = nation_of(value, location.admin_district)
        places = self.known_postcodes
        centre = places.sector_centre if places is not None else sector_centre
        self.area_latitude, self.area_longitude = centre(self.area_sector)

    # A CSV import looks up every row's postcode and sector centre in a few queries and sets this
    # on each new listing (workbench.resources.KnownPostcodes), so clean() and geocode() ask it
    # instead of the database: two queries a listing made a 5,000-row import far too slow.
    known_postcodes = None

    def _locate_base(self):
        places = self.known_postcodes
        return (places if places is not None else Postcode.objects).locate(
            normalise(self.base_postcode)
        )

    def grace_notice(self, today=None):
        """While a basic check has run out but the grace period has not: which checks, the day
        the listing will be taken down and the public notice (`rules.grace_notice`). None
        otherwise. From prefetched checks."""
        today = today or timezone.localdate()
        return grace_notice(self.checks.all(), self.basic_checks_current_until, today)

    def slug_base(self):
        """The slug before any number that makes it unique (name-2, name-3...)."""
        return slugify(self.name)[:130] or "provider"

    def _unique_slug(self):
        base = self.slug_base()
        slug, number = base, 1
        while Provider.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            number += 1
            slug = f"{base}-{number}"
        return slug


class CoverageDistrict(models.Model):
    """A postcode district (outward code, like CM2) a provider covers whatever its radius."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="districts")
    outward = models.CharField("postcode district", max_length=4, db_index=True)

    class Meta:
        ordering = ["outward"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "outward"], name="unique_district_per_provider"
            )
        ]

    def __str__(self):
        return self.outward

    def get_additional_data(self):
        """For the audit trail: which listing this belongs to, kept after it is deleted."""
        return {"provider": self.provider_id}

    def clean(self):
        try:
            value = PostcodeValue.parse(self.outward)
        except InvalidPostcode:
            value = None
        if value is None or value.kind != "outward":
            raise ValidationError({"outward": "Enter a postcode district, like CM2"})
        self.outward = value.outward


class CheckQuerySet(models.QuerySet):
    def update(self, **kwargs):
        pks = set(self.values_list("provider_id", flat=True))
        rows = super().update(**kwargs)
        if moved_to := kwargs.get("provider_id", kwargs.get("provider")):
            pks.add(getattr(moved_to, "pk", moved_to))
        rows_updated.send(sender=Check, provider_ids=sorted(pks), fields=set(kwargs))
        return rows

    def current(self, today=None):
        """Verified and not past its expiry date: the only state shown publicly as a pass.

        The SQL twin of `check_current_until`; a test holds the two to the same answers.
        """
        today = today or timezone.localdate()
        return self.filter(status=Check.Status.VERIFIED).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )

    def expired(self, today=None):
        """Verified once but past its expiry date, or marked expired by staff."""
        today = today or timezone.localdate()
        return self.filter(
            Q(status=Check.Status.EXPIRED) | Q(status=Check.Status.VERIFIED, expires_on__lt=today)
        )


class Check(models.Model):
    """One item of the council's checklist for a provider, with who verified it and when.

    We record the outcome and dates of a DBS check, never the certificate or its number.
    """

    # The checklist and which checks the publishing rules read: declared with the rules.
    Kind = CheckKind
    Status = CheckStatus
    BASIC_KINDS = BASIC_KINDS
    REGULATION_KINDS = REGULATION_KINDS

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_PROVIDED)
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_on = models.DateField(null=True, blank=True)
    reference = models.CharField(
        "registration or location ID",
        max_length=40,
        blank=True,
        help_text="For a registration with the CQC or CIW: the ID on the regulator's register",
    )
    link = models.URLField(
        "regulator's public page",
        blank=True,
        help_text="For a registration: its page on the regulator's website (worked out for the "
        "CQC from the location ID if left empty)",
    )
    staff_notes = models.TextField(blank=True, help_text="Staff only. Never shown to the public.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind"], name="one_check_per_kind"),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_on__isnull=False),
                name="verified_check_has_date",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(verified_on__isnull=True)
                | Q(expires_on__gte=models.F("verified_on")),
                name="check_expires_after_verified",
            ),
            models.CheckConstraint(
                condition=~Q(kind="registration", status="verified") | ~Q(reference=""),
                name="verified_registration_has_reference",
            ),
        ]

    def __str__(self):
        # Not get_kind_display(): it translates every choice to find one, which was a fifth of
        # the time a bulk import took to name its thousands of checks in their audit entries.
        kind = dict(self.Kind.choices).get(self.kind, self.kind)
        return f"{kind}: {dict(self.Status.choices).get(self.status, self.status)}"

    def get_additional_data(self):
        return {"provider": self.provider_id}

    def is_current(self, today=None):
        return check_counts(self.status, self.expires_on, today or timezone.localdate())

    def public_status(self, today=None):
        """What the public may see: "verified" only while in date."""
        today = today or timezone.localdate()
        if self.status == self.Status.VERIFIED and not self.is_current(today):
            return self.Status.EXPIRED
        return self.Status(self.status)

    def public_summary(self, today=None):
        """(state, words) for public pages (`rules.check_public_words`)."""
        today = today or timezone.localdate()
        return check_public_words(self.status, self.verified_on, self.expires_on, today)

    def clean(self):
        if self.status == self.Status.VERIFIED and not self.verified_on:
            raise ValidationError({"verified_on": "Enter the date you verified this check"})
        if self.verified_on and self.verified_on > timezone.localdate():
            raise ValidationError({"verified_on": "The date verified must be today or in the past"})
        if self.expires_on and self.verified_on and self.expires_on < self.verified_on:
            raise ValidationError({"expires_on": "The expiry date must be after the date verified"})
        if (
            self.kind == self.Kind.REGISTRATION
            and self.status == self.Status.VERIFIED
            and not self.reference.strip()
        ):
            raise ValidationError(
                {"reference": "Enter the ID on the regulator's register, like 1-123456789"}
            )


class Review(models.Model):
    """A full review of a listing by a council officer: who, when, and what they found."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(default=timezone.localdate)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, help_text="Staff only. Never shown to the public.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        verbose_name = "full review"

    def __str__(self):
        return f"Reviewed on {self.reviewed_on:%d %B %Y}"

    def get_additional_data(self):
        return {"provider": self.provider_id}

    def clean(self):
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            raise ValidationError({"reviewed_on": "The review date must be today or in the past"})


class StatusChange(models.Model):
    """Every change of a listing's status, written only by `services.provider_set_status`."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Provider.Status.choices)
    to_status = models.CharField(max_length=10, choices=Provider.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the daily check of the rules made the change",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="status_change_has_reason"),
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="status_change_changes"
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} to {self.get_to_status_display()}"

    def get_additional_data(self):
        return {"provider": self.provider_id}


def works_alone(legal_form, workers):
    """A sole trader with no one else working in the business: the only kind of provider that
    can rely on the individual exemption from registration for personal care."""
    return legal_form == Provider.LegalForm.SOLE_TRADER and workers == 1


class DirectoryVersion(models.Model):
    """One row whose token changes whenever what the public can see might have changed.

    Written only by `providers.changes`, once per transaction when it commits, together with the
    `DirectoryChange` that says which listings changed. Each web process tags its search snapshot
    with the token and number it has caught up to. A random token as well as a number, so a
    rolled-back change or a restored backup can never make an old number mean something new.
    """

    token = models.CharField(max_length=32)
    # Goes up by one with each change; its `DirectoryChange` has the same number. Taking it
    # locks this row until the change is logged, so changes are logged in number order.
    number = models.BigIntegerField(default=0)
    # When it last changed: open data's Last-Modified.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "search_directoryversion"  # where it was first created; kept so no data moves

    def __str__(self):
        return self.token


class DirectoryChange(models.Model):
    """The change log: which listings one committed change touched, so each web process can bring
    its search snapshot up to date by re-reading only those (`search.snapshot`).

    `everything` when the change was too big to list (a bulk import); processes then rebuild
    their snapshot in the background. Entries older than `changes.LOG_DAYS` are pruned.
    """

    number = models.BigIntegerField(primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()
    provider_ids = models.JSONField(default=list, blank=True)
    everything = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["changed_at"])]

    def __str__(self):
        return f"{self.number}: {len(self.provider_ids)} listings"
