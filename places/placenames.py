"""Town and village names to a Place, offline, from the `Place` table.

"Taunton", "taunton somerset", "Newport, Isle of Wight" and "ST. IVES" all work: the text is
reduced to a key (lower case, no accents or punctuation, "saint" as "st"), its longest leading
words that name a place are the name, and any words after them must match the county or region.
A name that still fits more than one place raises AmbiguousPlace with the choices to offer.
"""

import re
import unicodedata

from .models import Place

MAX_WORDS = 8  # "Newport Pagnell Milton Keynes England" is 5; nothing real needs more
FILLER = {"in", "near", "the", "uk", "gb", "great", "britain", "united", "kingdom"}


class PlaceNotFound(Exception):
    def __init__(self, text):
        super().__init__(text)
        self.text = text


class AmbiguousPlace(Exception):
    """More than one place has this name; `places` are the choices, largest first."""

    def __init__(self, name, places):
        super().__init__(name)
        self.name = name
        self.places = places


def place_key(text):
    """The form names are matched in: "St. Mary's-on-Sea" -> "st marys on sea"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join("st" if word == "saint" else word for word in words)


def _qualifier_keys(place):
    county = place_key(place.county)
    return {county, county.removeprefix("county of "), place_key(place.region)} - {""}


def find_place(text):
    """The one Place `text` names, or PlaceNotFound, or AmbiguousPlace."""
    words = place_key(text).split()[:MAX_WORDS]
    if not words:
        raise PlaceNotFound(text)
    prefixes = [" ".join(words[:n]) for n in range(len(words), 0, -1)]
    by_key = {}
    for place in Place.objects.filter(key__in=prefixes):
        by_key.setdefault(place.key, []).append(place)
    for n, prefix in zip(range(len(words), 0, -1), prefixes, strict=True):
        if prefix not in by_key:
            continue
        places = sorted(by_key[prefix], key=lambda p: (-p.population, p.pk))
        rest = " ".join(word for word in words[n:] if word not in FILLER)
        if rest:
            # What the label shows first ("Newport, Wales" is the Newport with no county),
            # then any county or region, then part of one ("newport wight").
            places = (
                [p for p in places if place_key(p.county or p.region) == rest]
                or [p for p in places if rest in _qualifier_keys(p)]
                or [p for p in places if any(rest in q for q in _qualifier_keys(p))]
            )
            if not places:
                continue  # "Newport Pagnell" is a place of its own, not Newport in Pagnell
        return _one(places)
    raise PlaceNotFound(text)


def _one(places):
    # Two places with the same name in the same county cannot be told apart by what we show,
    # so the larger stands for both.
    distinct = {}
    for place in places:
        distinct.setdefault(place.label, place)
    if len(distinct) == 1:
        return places[0]
    raise AmbiguousPlace(places[0].name, list(distinct.values()))
