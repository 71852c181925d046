"""Distances on plain latitude/longitude (no GDAL or PostGIS), and the words we show for them."""

import math

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from geopy.distance import great_circle

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE = EARTH_RADIUS_MILES * math.pi / 180  # of latitude; of longitude times cos(lat)


def distance_miles(lat1, lon1, lat2, lon2):
    return great_circle((lat1, lon1), (lat2, lon2)).miles


def bounding_box(latitude, longitude, miles):
    """(south, north, west, east) in degrees, surely containing everything within `miles`."""
    dlat = miles / MILES_PER_DEGREE
    widest = max(math.cos(math.radians(min(abs(latitude) + dlat, 89.0))), 0.01)
    dlon = miles / (MILES_PER_DEGREE * widest)
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def whole_miles(miles):
    """The number of miles `rounded_miles` says (0 for "less than a mile"): for one distance, or a
    numpy array of them at once, as searches rank by it (the distance band a card shows). Halves
    round to even, as Python's round() does."""
    return np.where(miles < 1, 0, np.where(miles < 10, np.round(miles), np.round(miles / 5) * 5))


def rounded_miles(miles):
    """Rough distance in words, so a sole trader's home cannot be triangulated from it."""
    whole = int(whole_miles(miles))
    if not whole:
        return _("less than a mile")
    return ngettext("about %(miles)s mile", "about %(miles)s miles", whole) % {"miles": whole}


def distance_words(distance_sq):
    """`rounded_miles` for a squared distance in degrees of latitude, as searches compute it."""
    if distance_sq is None:
        return ""
    return rounded_miles(math.sqrt(distance_sq) * MILES_PER_DEGREE)


def map_tiles():
    """What every map script draws with, from django-leaflet's LEAFLET_CONFIG: the first TILES
    layer's URL and attribution (an empty URL draws no tiles: tests) and the MAX_ZOOM."""
    config = settings.LEAFLET_CONFIG
    tiles = config.get("TILES") or [("", "", {})]
    if isinstance(tiles, str):  # django-leaflet also takes a URL on its own
        tiles = [("", tiles, {})]
    _name, url, options = tiles[0]
    return {
        "url": url,
        "attribution": (options or {}).get("attribution", ""),
        "maxZoom": config.get("MAX_ZOOM"),
    }
