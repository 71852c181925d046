"""The applicant pipeline the programme runs with its development officer: enquiry, support to set
up, checks, listed. How many are at each stage and how long they have waited there."""

from dataclasses import dataclass, field
from statistics import median

from django.utils import timezone

from portal.models import Application
from providers.models import Provider, StatusChange

from .listings import waited_days
from .models import ApplicantStage

STAGES = [
    ("enquiry", "Enquiry", "Applied; nobody has started working with them yet."),
    ("support", "Support to set up", "The development officer is helping them set up."),
    ("checks", "Checks", "Waiting for, or verifying, their checks."),
    ("listed", "Listed", "Published: waited is how long it took from applying to listing."),
]


@dataclass
class Stage:
    key: str
    title: str
    explanation: str
    days: list = field(default_factory=list)
    applications: list = field(default_factory=list)  # (application, days waited)

    @property
    def count(self):
        return len(self.days)

    @property
    def oldest(self):
        return max(self.days, default=None)

    @property
    def median(self):
        return round(median(self.days)) if self.days else None


def applicant_stage(application):
    """The stage an application is at, and since when (a date or a time)."""
    provider = application.provider
    if provider.status == Provider.Status.PUBLISHED:
        return "listed", None
    try:
        row = application.stage
    except ApplicantStage.DoesNotExist:
        row = None
    if row is not None:
        return row.stage, row.since
    return "enquiry", application.created_at


def pipeline(today=None):
    """The four stages in order, each with its applications (longest waiting first)."""
    today = today or timezone.localdate()
    stages = {key: Stage(key, title, words) for key, title, words in STAGES}
    applications = Application.objects.select_related("provider", "stage").filter(
        provider__status__in=[
            Provider.Status.DRAFT,
            Provider.Status.PENDING,
            Provider.Status.PUBLISHED,
        ]
    )
    first_published = dict(
        StatusChange.objects.filter(to_status=Provider.Status.PUBLISHED)
        .order_by("provider_id", "changed_at")
        .values_list("provider_id", "changed_at")
        .reverse()  # the earliest last, so dict() keeps it
    )
    for application in applications:
        key, since = applicant_stage(application)
        if key == "listed":
            published = first_published.get(application.provider_id, application.created_at)
            days = max((published - application.created_at).days, 0)
        else:
            days = waited_days(since, today)
        stages[key].days.append(days)
        stages[key].applications.append((application, days))
    for stage in stages.values():
        stage.applications.sort(key=lambda pair: -pair[1])
    return list(stages.values())
