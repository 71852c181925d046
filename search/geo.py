"""Distances and coverage on plain latitude/longitude columns (no GDAL or PostGIS).

Coverage is looked up through keys: the grid cells a provider's travel radius touches and the
postcode districts it lists. A search turns its point into the same keys, so "who covers this
place" is one indexed lookup however many providers there are; an exact distance test in SQL then
drops the candidates whose circle only clips the cell.
"""

import math

from django.conf import settings
from geopy.distance import great_circle

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE = EARTH_RADIUS_MILES * math.pi / 180  # of latitude; of longitude times cos(lat)

# About 7 miles by 6.5 miles in Britain: small enough that few providers share a cell's list
# without covering the point, large enough that a 50-mile radius touches a few hundred cells.
CELL_LAT = 0.1
CELL_LON = 0.15


def distance_miles(lat1, lon1, lat2, lon2):
    return great_circle((lat1, lon1), (lat2, lon2)).miles


def bounding_box(latitude, longitude, miles):
    """(south, north, west, east) in degrees, surely containing everything within `miles`."""
    dlat = miles / MILES_PER_DEGREE
    widest = max(math.cos(math.radians(min(abs(latitude) + dlat, 89.0))), 0.01)
    dlon = miles / (MILES_PER_DEGREE * widest)
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def cell_of(latitude, longitude):
    """(row, column) of the grid cell holding the point."""
    return math.floor(latitude / CELL_LAT), math.floor(longitude / CELL_LON)


def cell_key(latitude, longitude):
    return "c{}:{}".format(*cell_of(latitude, longitude))


def district_key(outward):
    return f"d{outward}"


def cells_within(latitude, longitude, miles):
    """(row, column) of every grid cell that a circle of `miles` around the point could touch."""
    south, north, west, east = bounding_box(latitude, longitude, miles)
    rows = range(math.floor(south / CELL_LAT), math.floor(north / CELL_LAT) + 1)
    columns = range(math.floor(west / CELL_LON), math.floor(east / CELL_LON) + 1)
    return [(row, column) for row in rows for column in columns]


def cell_keys_within(latitude, longitude, miles):
    """Keys of every grid cell that a circle of `miles` around the point could touch."""
    return [f"c{row}:{column}" for row, column in cells_within(latitude, longitude, miles)]


def coverage_keys(latitude, longitude, radius_miles, districts):
    """Every key a provider is found under: the cells its radius touches and its districts."""
    keys = set()
    if latitude is not None and radius_miles:
        keys.update(cell_keys_within(latitude, longitude, radius_miles))
    keys.update(district_key(outward) for outward in districts)
    return keys


def rounded_miles(miles):
    """Rough distance in words, so a sole trader's home cannot be triangulated from it."""
    if miles < 1:
        return "less than a mile"
    if miles < 10:
        whole = round(miles)
        return f"about {whole} mile{'s' if whole != 1 else ''}"
    return f"about {int(round(miles / 5) * 5)} miles"


def distance_words(distance_sq):
    """`rounded_miles` for a squared distance in degrees of latitude, as searches compute it."""
    if distance_sq is None:
        return ""
    return rounded_miles(math.sqrt(distance_sq) * MILES_PER_DEGREE)


def map_tiles():
    """The tile settings every map script reads; an empty URL draws no tiles (tests)."""
    return {
        "url": settings.MAP_TILES_URL,
        "attribution": settings.MAP_ATTRIBUTION,
        "maxZoom": settings.MAP_MAX_ZOOM,
    }
