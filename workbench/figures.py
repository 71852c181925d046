"""Programme figures for commissioners: what the directory holds and how it is used.

Public parts (shown on the About page too): published listings by type of help and by postcode
district, and the share with all four basic checks current. Staff parts add new listings and
suspensions by month, reports by kind, and searches by postcode district and week (kept only as
those counts: `search.models.SearchCount`).

Where demand goes unmet (`search.models.UnmetDemand`): searches that found no provider, or fewer
than five, by postcode district and the types of help filtered for; the staff page lists and maps
them by district, the About page gives the totals. Any count under MIN_COUNT_SHOWN is shown only
as "fewer than 5" and left off the map, so no single search can be picked out.
"""

import math
from collections import Counter
from datetime import timedelta

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from places.models import PostcodeArea
from portal.models import ProviderFigures
from providers.models import Provider, ServiceCategory, StatusChange
from reports.models import ProblemReport
from search.models import SearchCount, UnmetDemand

SEARCH_WEEKS = 12
MIN_COUNT_SHOWN = 5  # unmet demand counts below this are suppressed


def public_figures(today=None):
    today = today or timezone.localdate()
    public = Provider.public_objects.all()
    total = public.count()
    current = public.with_basic_checks_current(today).count()
    by_category = [
        (str(category), category.count)
        for category in ServiceCategory.objects.annotate(
            count=Count("services__providers", filter=_in(public), distinct=True)
        ).order_by("position", "name")
    ]
    districts = Counter(
        sector.rsplit(" ", 1)[0] for sector in public.values_list("area_sector", flat=True)
    )
    reported = ProviderFigures.objects.filter(provider__in=public.values("pk")).aggregate(
        providers=Count("pk"), people=Sum("people_supported"), hours=Sum("hours_a_week")
    )
    return {
        "total": total,
        # What providers tell us about their work, only as totals over enough of them that no
        # one provider's numbers can be worked out.
        "reported": reported if reported["providers"] >= MIN_PROVIDERS_FOR_TOTALS else None,
        "checks_current": current,
        "checks_current_percent": round(100 * current / total) if total else 0,
        "by_category": by_category,
        "by_district": sorted(districts.items()),
        "unmet_totals": unmet_totals(today),
    }


def _since(today):
    """The Monday SEARCH_WEEKS - 1 weeks before this week's."""
    return today - timedelta(days=today.weekday() + 7 * (SEARCH_WEEKS - 1))


def suppressed(count):
    """A count as it may be shown: None (shown as "fewer than 5") when it is under MIN_COUNT_SHOWN
    but not 0."""
    return None if 0 < count < MIN_COUNT_SHOWN else count


def unmet_totals(today):
    """Searches in the last SEARCH_WEEKS weeks that found no provider, and fewer than five, in
    all: for the About page."""
    totals = UnmetDemand.objects.filter(week__gte=_since(today)).aggregate(
        none=Sum("none_found"), few=Sum("few_found")
    )
    return {
        "weeks": SEARCH_WEEKS,
        "none": suppressed(totals["none"] or 0),
        "few": suppressed(totals["few"] or 0),
    }


def unmet_demand(today):
    """Unmet demand in the last SEARCH_WEEKS weeks by postcode district, most first: each as
    {outward, none, few, total (each suppressed), help: [(type of help, searches), ...]}, and a
    map of the districts whose total can be shown (`_district_map`)."""
    names = {category.slug: str(category) for category in ServiceCategory.objects.all()}
    districts = {}
    for outward, help_types, none, few in UnmetDemand.objects.filter(
        week__gte=_since(today)
    ).values_list("outward", "help_types", "none_found", "few_found"):
        district = districts.setdefault(outward, {"none": 0, "few": 0, "help": Counter()})
        district["none"] += none
        district["few"] += few
        for slug in help_types.split(",") if help_types else [""]:
            district["help"][names.get(slug, slug) if slug else "Any help"] += none + few
    rows = []
    for outward, counts in sorted(
        districts.items(), key=lambda item: (-(item[1]["none"] + item[1]["few"]), item[0])
    ):
        total = counts["none"] + counts["few"]
        rows.append(
            {
                "outward": outward,
                "none": suppressed(counts["none"]),
                "few": suppressed(counts["few"]),
                "total": suppressed(total),
                "help": [(name, suppressed(count)) for name, count in counts["help"].most_common()],
            }
        )
    return rows, _district_map(rows)


MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 600, 400, 40


def _district_map(rows):
    """Circles for an SVG map of the districts (drawn on the server: no script, no tiles), at each
    district's centre, with area by its total; districts whose total is suppressed are left off."""
    shown = {row["outward"]: row["total"] for row in rows if row["total"]}
    centres = {
        code: (latitude, longitude)
        for code, latitude, longitude in PostcodeArea.objects.filter(
            code__in=list(shown)
        ).values_list("code", "latitude", "longitude")
    }
    if not centres:
        return []
    latitudes = [lat for lat, _ in centres.values()]
    longitudes = [lon for _, lon in centres.values()]
    squeeze = math.cos(math.radians(sum(latitudes) / len(latitudes)))
    span = max(max(latitudes) - min(latitudes), (max(longitudes) - min(longitudes)) * squeeze)
    scale = (min(MAP_WIDTH, MAP_HEIGHT) - 2 * MAP_MARGIN) / (span or 1)
    biggest = max(shown[code] for code in centres)
    circles = []
    for code, (latitude, longitude) in sorted(centres.items()):
        x = MAP_WIDTH / 2 + (longitude - (max(longitudes) + min(longitudes)) / 2) * squeeze * scale
        y = MAP_HEIGHT / 2 - (latitude - (max(latitudes) + min(latitudes)) / 2) * scale
        radius = 6 + 24 * math.sqrt(shown[code] / biggest)
        circles.append(
            {
                "outward": code,
                "x": round(x, 1),
                "y": round(y, 1),
                "r": round(radius, 1),
                "total": shown[code],
            }  # fmt: skip
        )
    return circles


MIN_PROVIDERS_FOR_TOTALS = 5


def _in(public):
    return Q(services__providers__in=public.values("pk"))


def staff_figures(today=None):
    today = today or timezone.localdate()
    figures = public_figures(today)
    first_published = (
        StatusChange.objects.filter(to_status=Provider.Status.PUBLISHED)
        .values("provider")
        .annotate(first=Min("changed_at"))
    )
    new = Counter(_month(row["first"]) for row in first_published)
    suspended = Counter(
        _month(changed)
        for changed in StatusChange.objects.filter(to_status=Provider.Status.SUSPENDED).values_list(
            "changed_at", flat=True
        )
    )
    months = sorted(set(new) | set(suspended))
    topics = dict(ProblemReport.Topic.choices)
    reports = [
        (topics[row["topic"]], row["count"])
        for row in ProblemReport.objects.values("topic")
        .annotate(count=Count("pk"))
        .order_by("topic")
    ]
    since = _since(today)
    weeks = [since + timedelta(weeks=n) for n in range(SEARCH_WEEKS)]
    searches = {}
    for outward, week, count in SearchCount.objects.filter(week__gte=since).values_list(
        "outward", "week", "count"
    ):
        searches.setdefault(outward, {})[week] = count
    unmet, unmet_map = unmet_demand(today)
    figures.update(
        {
            "unmet": unmet,
            "unmet_map": unmet_map,
            "map_size": (MAP_WIDTH, MAP_HEIGHT),
            "by_month": [(month, new.get(month, 0), suspended.get(month, 0)) for month in months],
            "reports": reports,
            "weeks": weeks,
            "searches": [
                (outward, [by_week.get(week, 0) for week in weeks], sum(by_week.values()))
                for outward, by_week in sorted(searches.items())
            ],
        }
    )
    return figures


def _month(moment):
    return timezone.localtime(moment).strftime("%Y-%m")


def figures_rows(figures):
    """The same figures as (figure, group, value) rows, for the CSV download."""
    yield "Published listings", "All", figures["total"]
    if figures["reported"]:
        yield "Providers reporting their work", "All", figures["reported"]["providers"]
        yield "People supported (as providers report)", "All", figures["reported"]["people"]
        yield "Hours of support a week (as providers report)", "All", figures["reported"]["hours"]
    yield "Published listings with all four basic checks current", "All", figures["checks_current"]
    for name, count in figures["by_category"]:
        yield "Published listings by type of help", name, count
    for district, count in figures["by_district"]:
        yield "Published listings by postcode district", district, count
    for month, new, suspended in figures["by_month"]:
        yield "New listings by month", month, new
        yield "Suspensions by month", month, suspended
    for topic, count in figures["reports"]:
        yield "Reports by kind", topic, count
    for row in figures.get("unmet", []):
        for name, value in [("found no provider", row["none"]), ("found fewer than 5", row["few"])]:
            shown = "fewer than 5" if value is None else value
            yield f"Searches that {name}, last {SEARCH_WEEKS} weeks", row["outward"], shown
    for outward, counts, _ in figures["searches"]:
        for week, count in zip(figures["weeks"], counts, strict=True):
            yield "Searches by postcode district and week", f"{outward} {week.isoformat()}", count
