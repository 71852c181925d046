"""Distances and coverage on plain latitude/longitude columns (no GDAL or PostGIS)."""

import math

from geopy.distance import great_circle

MILES_PER_DEGREE_LATITUDE = 69.0
MAX_RADIUS_MILES = 50


def distance_miles(lat1, lon1, lat2, lon2):
    return great_circle((lat1, lon1), (lat2, lon2)).miles


def bounding_box(latitude, longitude, miles):
    """Degrees around a point that surely contain everything within `miles`; filters on an index."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    dlon = miles / (MILES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def rounded_miles(miles):
    """Rough distance in words, so a sole trader's home cannot be triangulated from it."""
    if miles < 1:
        return "less than a mile"
    if miles < 10:
        return f"about {round(miles)} mile{'s' if round(miles) != 1 else ''}"
    return f"about {int(round(miles / 5) * 5)} miles"


def covering(queryset, location):
    """Providers whose radius or listed districts include `location`, nearest first.

    Distances use the private base point for accuracy but are only ever shown rounded.
    """
    from django.db.models import Q

    south, north, west, east = bounding_box(location.latitude, location.longitude, MAX_RADIUS_MILES)
    outward = location.label.split(" ")[0]
    candidates = (
        queryset.filter(
            Q(latitude__range=(south, north), longitude__range=(west, east))
            | Q(districts__outward=outward)
        )
        .distinct()
        .prefetch_related("districts")
    )
    matches = []
    for provider in candidates:
        miles = distance_miles(
            location.latitude, location.longitude, provider.latitude, provider.longitude
        )
        in_district = any(d.outward == outward for d in provider.districts.all())
        if miles <= provider.coverage_radius_miles or in_district:
            provider.distance_miles = miles
            provider.distance_words = rounded_miles(miles)
            matches.append(provider)
    matches.sort(key=lambda p: p.distance_miles)
    return matches
