"""Every bulk action in the admin leaves an audit entry, naming the officer, for each object it
changes. The actions run as an officer runs them, through the changelist, so auditlog learns who
from its middleware; an action with no case here fails the first test until it has one."""

from itertools import count

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max, Q
from django.urls import reverse

from portal.models import Owner, ProviderFigures
from providers.models import Audience, Provider, Service, ServiceCategory
from providers.services import provider_set_status
from reports.models import ProblemReport
from shortlist.services import shared_shortlist_create

from ..factories import make_provider

numbers = count(1)


def _providers():
    return [make_provider(name=f"Bulk Helpers {next(numbers)}") for _ in range(3)]


def _drafts_ready_to_publish():
    providers = _providers()
    for provider in providers:
        provider_set_status(provider=provider, status="draft", by=None, reason="Set up the test")
    return providers


def _providers_each_with_an_email():
    providers = _providers()
    for provider in providers:
        provider.email = f"owner-{provider.pk}@example.org"
        provider.save()
    return providers


def _checks():
    return list(make_provider(name=f"Bulk Helpers {next(numbers)}").checks.all()[:3])


def _categories():
    return [
        ServiceCategory.objects.create(name=f"Bulk category {n}", slug=f"bulk-category-{n}")
        for n in range(3)
    ]


def _services():
    category = ServiceCategory.objects.create(name="Bulk category", slug="bulk-category")
    return [
        Service.objects.create(category=category, name=f"Bulk {n}", slug=f"bulk-{n}")
        for n in range(3)
    ]


def _audiences():
    return [Audience.objects.create(name=f"Bulk {n}", slug=f"bulk-{n}") for n in range(3)]


def _reports(staff_note=""):
    def build():
        provider = make_provider(name=f"Bulk Helpers {next(numbers)}")
        return [
            ProblemReport.objects.create(
                provider=provider,
                topic="other",
                message=f"Report {n}",
                staff_note=staff_note,
                client_key="b" * 64,
            )
            for n in range(3)
        ]

    return build


def _shared_links():
    provider = make_provider(name=f"Bulk Helpers {next(numbers)}")
    return [shared_shortlist_create(entries=[{"id": provider.pk}]) for _ in range(3)]


def _owners():
    users = get_user_model().objects
    return [
        Owner.objects.create(
            provider=provider,
            user=users.create_user(f"owner{provider.pk}", f"o{provider.pk}@x.org"),
        )
        for provider in _providers()
    ]


def _figures():
    return [
        ProviderFigures.objects.create(provider=provider, people_supported=3, hours_a_week=10)
        for provider in _providers()
    ]


def _gone(objects):
    return not type(objects[0]).objects.filter(pk__in=[o.pk for o in objects]).exists()


def _each(test):
    return lambda objects: all(test(type(o).objects.get(pk=o.pk)) for o in objects)


# (model, action): (make three objects, whether the action did its work on them)
CASES = {
    ("providers.provider", "publish_selected"): (
        _drafts_ready_to_publish,
        _each(lambda provider: provider.status == "published"),
    ),
    ("providers.provider", "record_review_selected"): (
        _providers,
        _each(lambda provider: provider.reviews.exists()),
    ),
    ("providers.provider", "owner_invite_action"): (
        _providers_each_with_an_email,
        _each(lambda provider: provider.owners.exists()),
    ),
    ("providers.provider", "delete_selected"): (_providers, _gone),
    ("providers.check", "delete_selected"): (_checks, _gone),
    ("providers.service", "delete_selected"): (_services, _gone),
    ("providers.servicecategory", "delete_selected"): (_categories, _gone),
    ("providers.audience", "delete_selected"): (_audiences, _gone),
    ("reports.problemreport", "mark_in_progress"): (
        _reports(),
        _each(lambda report: report.status == "in_progress"),
    ),
    ("reports.problemreport", "mark_closed"): (
        _reports(staff_note="Phone number corrected"),
        _each(lambda report: report.status == "closed"),
    ),
    ("shortlist.sharedshortlist", "revoke"): (
        _shared_links,
        _each(lambda shared: shared.revoked_at is not None),
    ),
    ("shortlist.sharedshortlist", "delete_selected"): (_shared_links, _gone),
    ("portal.owner", "delete_selected"): (_owners, _gone),
    ("portal.providerfigures", "delete_selected"): (_figures, _gone),
}


@pytest.fixture
def officer(staff_client, postcodes):
    return staff_client


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_action_an_officer_can_run_has_a_case(officer):
    offered = set()
    for model in admin.site._registry:
        response = officer.get(_changelist(model))
        form = response.context.get("action_form") if response.status_code == 200 else None
        if form is None:  # not theirs to see, or nothing to run there
            continue
        choices = form.fields["action"].choices
        offered |= {(model._meta.label_lower, name) for name, _ in choices if name}
    assert offered == set(CASES)


@pytest.mark.parametrize("case", list(CASES), ids=lambda case: f"{case[0]}.{case[1]}")
def test_a_bulk_action_is_audited_for_each_object_with_the_officer(officer, staff_user, case):
    label, action = case
    build, did_its_work = CASES[case]
    objects = build()
    model = type(objects[0])
    before = LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    data = {"action": action, "_selected_action": [o.pk for o in objects], "post": "yes"}
    response = officer.post(_changelist(model), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert did_its_work(objects)
    content_type = ContentType.objects.get_for_model(model)
    for obj in objects:
        # The object's own entry, or (for an action on listings) one for a part of the listing,
        # such as the review it records, which names its listing.
        about = Q(content_type=content_type, object_pk=str(obj.pk))
        if model is Provider:
            about |= Q(additional_data__provider=obj.pk)
        entries = LogEntry.objects.filter(about, pk__gt=before)
        assert entries.exists(), f"{label} {action}: no audit entry for {obj.pk}"
        assert {entry.actor for entry in entries} == {staff_user}


def test_a_csv_import_records_each_new_listing_with_the_officer(officer, staff_user):
    rows = "name,summary,legal_form,workers,base_postcode,town,coverage_radius_miles\n" + "".join(
        f"Imported Helpers {n},Help at home.,sole_trader,1,CM1 1AE,Chelmsford,5\n" for n in range(3)
    )
    upload = SimpleUploadedFile("listings.csv", rows.encode(), content_type="text/csv")
    preview = officer.post(
        reverse("admin:providers_provider_import"), {"format": "0", "import_file": upload}
    )
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"]
    response = officer.post(
        reverse("admin:providers_provider_process_import"), {**confirm.initial, "resource": "0"}
    )
    assert response.status_code == 302
    imported = Provider.objects.filter(name__startswith="Imported Helpers")
    assert imported.count() == 3
    for provider in imported:
        created = LogEntry.objects.get_for_object(provider).get(action=LogEntry.Action.CREATE)
        assert created.actor == staff_user
