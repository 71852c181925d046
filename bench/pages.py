"""Asking the scratch directory for search pages, in-process with the test client, and checking
each is a whole results page; and choosing the places the benchmarks search."""

import itertools
import json
import re
import statistics
from html import unescape
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.management.base import CommandError

from places import geo
from providers.models import ServiceCategory
from search import selectors

from .synthetic import cell_of

SEARCH_PLACES = 10  # places the benchmarks search, unless they ask for fewer
# Search places are town or city centres at least this far apart. Only the busiest places fill a
# page from 1,000 providers, so most are in London: the worst case for 100,000 (most matches).
PLACE_SPACING_MILES = 5
SUMMARY = re.compile(r'id="results-summary">\s*(\d+) provider')
MAP_URL = re.compile(r'data-map-url="([^"]+)"')


def search_url(postcode, filters=None):
    return "/search/?" + urlencode([("postcode", postcode), *(filters or [])])


def fetch(client, url, allow_empty=False):
    return check_page(client.get(url), url, allow_empty)


def check_page(response, url, allow_empty=False):
    """The number of results on a search page, after checking it is a whole results page."""
    if response.status_code != 200:
        raise CommandError(f"{url} answered {response.status_code}")
    html = response.content.decode()
    summary = SUMMARY.search(html)
    if summary is None:
        raise CommandError(f"No results summary in {url}")
    count = int(summary.group(1))
    if count and MAP_URL.search(html) is None:
        raise CommandError(f"No map data URL in {url}")
    if count and 'class="govuk-list app-results"' not in html:
        raise CommandError(f"No results list in {url}")
    if not count and not allow_empty:
        raise CommandError(f"No results for {url}")
    return count


def map_size_kb(client, response, url):
    """KB of the map data a results page points to (0 for a page with no results)."""
    found = MAP_URL.search(response.content.decode())
    if found is None:
        return 0
    data = client.get(unescape(found.group(1)))
    if data.status_code != 200:
        raise CommandError(f"The map data for {url} answered {data.status_code}")
    json.loads(data.content)
    return len(data.content) / 1024


def forget_pages():
    """Make every cached results page and map unreachable (the cards and panels stay): the page
    cache's key version moves, which works the same in memory and in Redis."""
    cache.version += 1


def choose_places(client, postcodes, count=None):
    """Up to `count` (SEARCH_PLACES) postcodes in the most built-up grid cells, far apart, busiest
    first, where the directory already fills a page both unfiltered and filtered: a larger
    directory is then timed on the same page (20 results, map data, filters), not on a shorter
    one at the smaller size. Returns (postcode, filters) pairs."""
    count = count or SEARCH_PLACES
    cells = {}
    for row in postcodes:
        cells.setdefault(cell_of(row[3], row[4]), []).append(row)
    chosen_cells = []
    for rows in sorted(cells.values(), key=len, reverse=True):
        lat, lon = statistics.fmean(r[3] for r in rows), statistics.fmean(r[4] for r in rows)
        if all(
            geo.distance_miles(lat, lon, other_lat, other_lon) >= PLACE_SPACING_MILES
            for other_lat, other_lon, _ in chosen_cells
        ):
            chosen_cells.append((lat, lon, rows))
        if len(chosen_cells) >= count * 10:
            break

    categories = list(ServiceCategory.objects.values_list("slug", flat=True))
    places = []
    for number, (lat, lon, rows) in enumerate(chosen_cells):
        # The postcode nearest the middle of the cell's postcodes: a town centre.
        nearest = min(rows, key=lambda r: (r[3] - lat) ** 2 + (r[4] - lon) ** 2)
        postcode = nearest[0]
        if fetch(client, search_url(postcode), allow_empty=True) < selectors.PAGE_SIZE:
            continue
        turn = number % len(categories)
        for filters in filter_choices(categories[turn:] + categories[:turn]):
            if (
                fetch(client, search_url(postcode, filters), allow_empty=True)
                >= selectors.PAGE_SIZE
            ):
                places.append((postcode, filters))
                break
        if len(places) == count:
            break
    if not places:
        raise CommandError(
            f"No sampled postcode has {selectors.PAGE_SIZE} results; try more providers."
        )
    return places


def filter_choices(categories):
    """Filters to try for the filtered search, narrowest first: one category with all basic
    checks current, one category, then any of two categories."""
    for category in categories:
        yield [("category", category), ("feature", "checks")]
    for category in categories:
        yield [("category", category)]
    for pair in itertools.combinations(categories, 2):
        yield [("category", slug) for slug in pair]
