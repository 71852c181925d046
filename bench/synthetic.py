"""Synthetic published providers in bulk, for measuring search at national scale.

Like `providers.demo`, but tens of thousands at a time on sampled real postcodes, written with
`core.bulk` (COPY on PostgreSQL) rather than one save at a time. Same seed, same providers.
"""

import math
import random
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from core.bulk import BulkTable, analyse, bulk_load_mode
from places.nations import nation_of
from places.postcodes import PostcodeValue
from providers import changes
from providers.demo import LEGAL_FORMS, weighted
from providers.models import (
    Audience,
    Check,
    CoverageDistrict,
    NewClients,
    NewClientsVia,
    Provider,
    Service,
    ServiceCategory,
)

CHUNK = 5000  # providers generated and written per round trip batch
FOCUS = {
    "personal-care": ("Home Care", "Help with washing, dressing and getting ready for the day."),
    "help-at-home": ("Home Help", "Cleaning, shopping, meals and a friendly face at home."),
    "carer-respite": ("Carers' Breaks", "A few hours off for unpaid carers, knowing all is well."),
    "out-and-about": ("Days Out", "Company and transport to get out and meet people nearby."),
}
FIRST_NAMES = "Ann Bev Carys Dilys Eve Fay Gwen Hazel Amir Ben Colin Dev Emyr Frank Huw Kofi Raj"
SURNAMES = "Abbott Baxter Carter Davies Ellis Hughes Iqbal Jones Kaur Lloyd Morgan Nowak Shah"
TOWN_NAMES = "Ashby Brookford Cliffton Dunmere Eastwick Fairholm Greyford Hollin Kingsmead Lowbury"
RADII = [0, 3, 5, 5, 8, 10, 10, 15, 20]
NEW_CLIENTS_ANSWERS = [
    (NewClients.TAKING, 35),
    (NewClients.WAITING_LIST, 15),
    (NewClients.FULL, 15),
    ("", 35),
]
CHECK_LIFETIME_DAYS = {Check.Kind.DBS: 1095, Check.Kind.INSURANCE: 365}


class DirectoryBuilder:
    """Synthetic published providers on sampled real postcodes, written in bulk.

    Every provider is placed on a uniformly chosen sampled postcode, so their density follows
    where people live. Same seed, same providers; `add` continues the same sequence.
    """

    def __init__(self, postcodes, areas, *, seed, progress):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.answers = random.Random(seed + 1)  # noqa: S311 - answers about new clients
        self.now = timezone.now()
        self.progress = progress
        self.postcodes = postcodes
        self.outwards = {code: (lat, lon) for code, kind, lat, lon, _ in areas if kind == "outward"}
        self.sectors = {code: (lat, lon) for code, kind, lat, lon, _ in areas if kind == "sector"}
        self.outward_cells = {}
        for code, (lat, lon) in self.outwards.items():
            self.outward_cells.setdefault(cell_of(lat, lon), []).append(code)
        self.neighbours = {}
        self.towns = {}
        self.today = timezone.localdate()
        self.categories = {
            category.slug: list(category.services.order_by("pk").values_list("pk", flat=True))
            for category in ServiceCategory.objects.all()
        }
        # Other help besides the listing's focus: never personal care, which the law regulates.
        self.other_services = list(
            Service.objects.filter(category__regulated=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.audiences = list(Audience.objects.order_by("pk").values_list("pk", flat=True))
        self.first_names, self.surnames = FIRST_NAMES.split(), SURNAMES.split()
        self.town_names = TOWN_NAMES.split()
        self.next_id = (Provider.objects.aggregate(high=Max("pk"))["high"] or 0) + 1
        self.provider_columns = [
            "id",
            "name",
            "slug",
            "summary",
            "description",
            "legal_form",
            "workers",
            "contact_name",
            "base_postcode",
            "area_sector",
            "area_latitude",
            "area_longitude",
            "town",
            "coverage_radius_miles",
            "is_free",
            "hourly_rate_min",
            "hourly_rate_max",
            "accepts_direct_payments",
            "available_weekdays",
            "available_evenings",
            "available_weekends",
            "available_overnight",
            "nation",
            "status",
            "new_clients",
            "new_clients_confirmed_at",
            "new_clients_via",
        ]
        self.tables = {
            "providers": BulkTable(Provider, self.provider_columns),
            "services": BulkTable(Provider.services.through, ["provider_id", "service_id"]),
            "audiences": BulkTable(Provider.audiences.through, ["provider_id", "audience_id"]),
            "checks": BulkTable(
                Check, ["provider_id", "kind", "status", "verified_on", "expires_on", "reference"]
            ),
            "districts": BulkTable(CoverageDistrict, ["provider_id", "outward"]),
        }

    def add(self, count):
        """Write `count` more providers; returns the seconds it took."""
        begun = time.perf_counter()
        first_id = self.next_id
        written, writing = 0, 0.0
        tables = [table.table for table in self.tables.values()]
        with bulk_load_mode(tables):
            while written < count:
                batch = min(CHUNK, count - written)
                rows = {name: [] for name in self.tables}
                for _ in range(batch):
                    self.provider(rows)
                write_begun = time.perf_counter()
                with transaction.atomic():
                    for name, table in self.tables.items():
                        table.insert(rows[name])
                writing += time.perf_counter() - write_begun
                written += batch
                self.progress(f"\rProviders: {written:,}/{count:,}", ending="")
        self.progress("")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Provider]):
                cursor.execute(sql)
        # Rows written without the ORM send no signals: tell the owner of change ourselves, which
        # works out each provider's checks column from the checks just written.
        changes.listings_changed(range(first_id, self.next_id))
        analyse()
        seconds = time.perf_counter() - begun
        self.progress(f"Wrote {count:,} providers in {seconds:.1f}s ({writing:.1f}s in INSERTs)")
        return seconds

    def provider(self, rows):
        rng = self.rng
        pk = self.next_id
        self.next_id += 1
        postcode, outward, sector, _, _, _ = rng.choice(self.postcodes)
        area_latitude, area_longitude = self.sectors.get(sector, (None, None))
        focus = rng.choice(list(FOCUS))
        trade, summary = FOCUS[focus]
        first, surname = rng.choice(self.first_names), rng.choice(self.surnames)
        legal_form = weighted(rng, LEGAL_FORMS)
        free = legal_form == Provider.LegalForm.CHARITY or rng.random() < 0.05
        low = None if free else Decimal(rng.randrange(1400, 2600, 50)) / 100
        high = None if free else low + rng.choice([0, 2, 3, 5])
        radius = rng.choice(RADII)
        workers = 1 if legal_form == Provider.LegalForm.SOLE_TRADER else rng.randint(2, 8)
        town = self.town(outward)
        checks = self.checks(pk)
        if focus == "personal-care":  # registered, or a sole trader working alone and exempt
            checks.append(self.regulation_check(pk, alone=workers == 1))
        rows["providers"].append(
            (
                pk,
                f"{first} {surname} {trade}",
                f"bench-{pk}",
                summary,
                f"Synthetic benchmark listing in {town}. {summary}",
                legal_form,
                workers,
                f"{first} {surname}",
                postcode,
                sector,
                area_latitude,
                area_longitude,
                town,
                radius,
                free,
                low,
                high,
                rng.random() < 0.7,
                rng.random() < 0.9,
                rng.random() < 0.4,
                rng.random() < 0.45,
                focus == "personal-care" and rng.random() < 0.3,
                nation_of(PostcodeValue.parse(postcode)),
                Provider.Status.PUBLISHED,
                *self.new_clients(),
            )
        )

        services = set(rng.sample(self.categories[focus], k=min(3, len(self.categories[focus]))))
        services.update(rng.sample(self.other_services, k=rng.randint(0, 2)))
        rows["services"] += [(pk, service) for service in sorted(services)]
        audiences = rng.sample(self.audiences, k=min(len(self.audiences), rng.randint(1, 3)))
        rows["audiences"] += [(pk, audience) for audience in sorted(audiences)]
        rows["checks"] += checks

        districts = []
        if radius == 0 or rng.random() < 0.25:
            districts = [outward, *self.nearby_outwards(outward)[: rng.randint(0, 3)]]
        rows["districts"] += [(pk, district) for district in districts]

    def new_clients(self):
        """(answer, when confirmed, how) about new clients: a third taking them, some on a waiting
        list or full, a third never said; confirmed up to 60 days ago, so some are too old to
        show. From a generator of their own, so the rest of the directory is as it was."""
        answer = weighted(self.answers, NEW_CLIENTS_ANSWERS)
        if not answer:
            return "", None, ""
        confirmed = self.now - timedelta(days=self.answers.uniform(0, 60))
        return answer, confirmed, NewClientsVia.LINK

    def regulation_check(self, pk, *, alone):
        verified = self.today - timedelta(days=self.rng.randint(20, 300))
        if alone:
            return (pk, Check.Kind.EXEMPTION, Check.Status.VERIFIED, verified, None, "")
        reference = f"1-{self.rng.randint(100000000, 999999999)}"
        return (pk, Check.Kind.REGISTRATION, Check.Status.VERIFIED, verified, None, reference)

    def checks(self, pk):
        """The four basic checks, as the publishing rules need for a published listing: all
        verified and in date, but for one in twenty with a check run out in its grace period."""
        rng, today = self.rng, self.today
        lapsed_kind = rng.choice(Check.BASIC_KINDS) if rng.random() < 0.05 else None
        rows = []
        for kind in Check.BASIC_KINDS:
            lifetime = CHECK_LIFETIME_DAYS.get(kind, 730)
            if kind == lapsed_kind:
                expired = today - timedelta(days=rng.randint(1, 20))
                verified = expired - timedelta(days=lifetime)
            else:
                verified = today - timedelta(days=rng.randint(20, min(lifetime - 20, 300)))
            expires = verified + timedelta(lifetime)
            rows.append((pk, kind, Check.Status.VERIFIED, verified, expires, ""))
        return rows

    def nearby_outwards(self, outward):
        """Other postcode districts whose centres are nearest this one's, nearest first."""
        if outward not in self.neighbours:
            found = []
            if outward in self.outwards:
                lat, lon = self.outwards[outward]
                row, column = cell_of(lat, lon)
                for dr in (-1, 0, 1):
                    for dc in (-1, 0, 1):
                        found += self.outward_cells.get((row + dr, column + dc), [])
                stretch = math.cos(math.radians(lat))
                found = sorted(
                    (code for code in found if code != outward),
                    key=lambda code: (
                        (self.outwards[code][0] - lat) ** 2
                        + ((self.outwards[code][1] - lon) * stretch) ** 2
                    ),
                )
            self.neighbours[outward] = found[:3]
        return self.neighbours[outward]

    def town(self, outward):
        if outward not in self.towns:
            self.towns[outward] = self.rng.choice(self.town_names)
        return self.towns[outward]


def cell_of(latitude, longitude):
    """A grid cell of about 7 by 6.5 miles: where the busiest places are, and nearby districts."""
    return math.floor(latitude / 0.1), math.floor(longitude / 0.15)
