"""Programme figures for commissioners: what the directory holds and how it is used.

Public parts (shown on the About page too): published listings by type of help and by postcode
district, and the share with all four basic checks current. Staff parts add new listings and
suspensions by month, reports by kind, and searches by postcode district and week (kept only as
those counts: `search.models.SearchCount`).
"""

from collections import Counter
from datetime import timedelta

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from portal.models import ProviderFigures
from providers.models import Provider, ServiceCategory, StatusChange
from reports.models import ProblemReport
from search.models import SearchCount

SEARCH_WEEKS = 12


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
    }


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
    since = today - timedelta(days=today.weekday() + 7 * (SEARCH_WEEKS - 1))
    weeks = [since + timedelta(weeks=n) for n in range(SEARCH_WEEKS)]
    searches = {}
    for outward, week, count in SearchCount.objects.filter(week__gte=since).values_list(
        "outward", "week", "count"
    ):
        searches.setdefault(outward, {})[week] = count
    figures.update(
        {
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
    for outward, counts, _ in figures["searches"]:
        for week, count in zip(figures["weeks"], counts, strict=True):
            yield "Searches by postcode district and week", f"{outward} {week.isoformat()}", count
