"""What neighbouring councils publish, as we harvested it: only an allow-list of public fields
(`neighbours.harvest.public_service`), at public precision, with the source and the date."""

from django.db import models
from django.db.models import F, Q


class NeighbourFeed(models.Model):
    """A neighbouring council's Open Referral UK 3.0 feed, as named in NEIGHBOUR_FEEDS."""

    name = models.CharField("council", max_length=200)
    url = models.URLField("feed base URL", max_length=500, unique=True)
    licence = models.CharField(max_length=200, blank=True)
    checks_url = models.URLField(
        "what they check", max_length=500, blank=True, help_text="Their page saying what they check"
    )
    last_harvested_at = models.DateTimeField(
        null=True, blank=True, help_text="The last harvest that stored their services"
    )
    last_full_harvest_at = models.DateTimeField(null=True, blank=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Why the last try failed, if it did")
    modified_after_works = models.BooleanField(
        default=True, help_text="False once the feed refused modified_after: every harvest is full"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class NeighbourService(models.Model):
    """One service from a neighbour's feed. Where it works is kept only as postcode districts,
    circles round points on a 0.01 degree grid and such points, never an address or a precise
    point: a feed that publishes more than it should does not make us publish it."""

    feed = models.ForeignKey(NeighbourFeed, on_delete=models.CASCADE, related_name="services")
    oruk_id = models.CharField("ORUK id", max_length=100)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    organisation_name = models.CharField(max_length=300, blank=True)
    company_number = models.CharField("Companies House number", max_length=8, blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    accreditations = models.TextField(blank=True, help_text="What the neighbour says it checked")
    assured_on = models.DateField(null=True, blank=True)
    postcode_district = models.CharField(max_length=4, blank=True)
    # " CM1 CM2 ": districts it says it covers, spaced so one LIKE finds a whole district.
    districts = models.CharField(max_length=1000, blank=True)
    circles = models.JSONField(default=list, blank=True, help_text="[[lat, lon, miles], ...]")
    points = models.JSONField(default=list, blank=True, help_text="[[lat, lon], ...]")
    # The box every circle and point (with NEIGHBOUR_NEAR_MILES) lies in, to find them quickly.
    south = models.FloatField(null=True, blank=True)
    north = models.FloatField(null=True, blank=True)
    west = models.FloatField(null=True, blank=True)
    east = models.FloatField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    harvested_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "oruk_id"], name="one_copy_per_feed_service"),
            models.CheckConstraint(
                condition=Q(south__isnull=True) | Q(south__lte=F("north"), west__lte=F("east")),
                name="neighbour_box_in_order",
            ),
        ]
        indexes = [models.Index(fields=["south", "north"], name="neighbour_service_box")]

    def __str__(self):
        return f"{self.name} ({self.feed})"
