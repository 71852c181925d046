"""Who may do what in the staff screens, as a table: anonymous visitors, council staff and
administrators, over every admin page of every model and the workbench's own pages."""

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from core.outbox import outbox_queue
from places.models import Postcode, PostcodeArea
from portal.models import Application, Owner, ProposedChange, ProviderFigures
from providers.models import Audience, Check, Provider, Service, ServiceCategory
from reports.models import ProblemReport
from shortlist.models import SharedShortlist
from shortlist.services import shared_shortlist_create

ALL = {"view", "add", "change", "delete"}
# model: (what council staff may do, what administrators may do)
TABLE = {
    Provider: (ALL, ALL),
    Check: (ALL, ALL),
    ServiceCategory: (ALL, ALL),
    Service: (ALL, ALL),
    Audience: (ALL, ALL),
    ProblemReport: ({"view", "change"}, {"view", "change"}),  # kept: closed with a reason
    SharedShortlist: ({"view", "change", "delete"}, {"view", "change", "delete"}),
    Postcode: ({"view"}, {"view"}),  # loaded from open data, never typed in
    PostcodeArea: ({"view"}, {"view"}),
    LogEntry: ({"view"}, {"view"}),  # the audit trail: nobody edits it
    # Providers' own side: staff decide changes on the workbench page, never add or delete them.
    ProposedChange: ({"view", "change"}, {"view", "change"}),
    Application: ({"view", "change"}, {"view", "change"}),
    Owner: (ALL, ALL),
    ProviderFigures: (ALL, ALL),
    "outboxemail": ({"view"}, {"view"}),
    get_user_model(): (set(), ALL),
    Group: (set(), ALL),
    # Sign-in lockouts (django-axes): administrators read them and lift one by deleting it.
    "accessattempt": (set(), {"view", "change", "delete"}),
    "accesslog": (set(), {"view", "change", "delete"}),
    "accessfailurelog": (set(), {"view", "change", "delete"}),
}


def test_the_table_covers_every_model_in_the_admin():
    registered = {model._meta.model_name for model in admin.site._registry}
    covered = {key if isinstance(key, str) else key._meta.model_name for key in TABLE}
    assert registered == covered


@pytest.fixture
def objects(postcodes, provider, staff_user):
    report = ProblemReport.objects.create(
        provider=provider, topic="other", message="x", client_key="a" * 64
    )
    shared = shared_shortlist_create(entries=[{"id": provider.pk, "note": ""}])
    email = outbox_queue(key="k", to="a@example.org", subject="s", body="b")
    return {
        "provider": provider,
        "check": provider.checks.first(),
        "servicecategory": ServiceCategory.objects.first(),
        "service": Service.objects.first(),
        "audience": Audience.objects.first(),
        "problemreport": report,
        "sharedshortlist": shared,
        "postcode": Postcode.objects.first(),
        "postcodearea": PostcodeArea.objects.first(),
        "logentry": LogEntry.objects.first(),
        "outboxemail": email,
        "proposedchange": ProposedChange.objects.create(
            provider=provider, changes={}, listing_version=provider.version
        ),
        "application": Application.objects.create(provider=provider, email="a@example.org"),
        "owner": Owner.objects.create(
            provider=provider,
            user=get_user_model().objects.create_user("owner", email="owner@example.org"),
        ),
        "providerfigures": ProviderFigures.objects.create(
            provider=provider, people_supported=1, hours_a_week=1
        ),
        "user": staff_user,
        "group": Group.objects.first(),
        **_axes_records(),
    }


def _axes_records():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {"user_agent": "test", "ip_address": "203.0.113.1", "username": "someone"}
    return {
        "accessattempt": AccessAttempt.objects.create(failures_since_start=1, **common),
        "accesslog": AccessLog.objects.create(**common),
        "accessfailurelog": AccessFailureLog.objects.create(**common),
    }


def pages(model_name, app_label, obj):
    name = f"admin:{app_label}_{model_name}"
    return {
        "view": reverse(f"{name}_changelist"),
        "add": reverse(f"{name}_add"),
        "change": reverse(f"{name}_change", args=[obj.pk]),
        "delete": reverse(f"{name}_delete", args=[obj.pk]),
    }


@pytest.mark.parametrize("who", ["anonymous", "staff", "administrator"])
def test_every_admin_page(client, objects, administrator, staff_user, who):
    if who == "staff":
        client.force_login(staff_user)
    elif who == "administrator":
        client.force_login(administrator)
    for model in admin.site._registry:
        key = model if model in TABLE else model._meta.model_name
        allowed = TABLE[key][0 if who == "staff" else 1] if who != "anonymous" else set()
        obj = objects[model._meta.model_name]
        for action, url in pages(model._meta.model_name, model._meta.app_label, obj).items():
            response = client.get(url)
            if who == "anonymous":
                assert response.status_code == 302 and "/login/" in response.url, url
            elif action in allowed or (action == "change" and "view" in allowed):
                # A change page for someone who may only view shows the object read-only.
                assert response.status_code == 200, (who, url)
            else:
                assert response.status_code == 403, (who, url, response.status_code)


@pytest.mark.parametrize("who", ["anonymous", "staff", "administrator"])
def test_workbench_pages_and_listing_actions(client, objects, administrator, staff_user, who):
    provider = objects["provider"]
    if who != "anonymous":
        client.force_login(staff_user if who == "staff" else administrator)
    urls = [
        reverse("workbench:queue"),
        reverse("workbench:figures"),
        reverse("workbench:figures-csv"),
        reverse("admin:providers_provider_status", args=[provider.pk]),
        reverse("admin:providers_provider_review", args=[provider.pk]),
        reverse("admin:providers_provider_import"),
        reverse("admin:providers_provider_export"),
    ]
    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login/" in response.url, url
        else:
            assert response.status_code == 200, (who, url)
    changelist = reverse("admin:providers_provider_changelist")
    for action in ["publish_selected", "record_review_selected", "export_admin_action"]:
        response = client.post(changelist, {"action": action, "_selected_action": [provider.pk]})
        if who == "anonymous":
            assert response.status_code == 302 and "/login/" in response.url
        else:
            assert response.status_code in (200, 302), (who, action)
    users = reverse("admin:auth_user_changelist")
    response = client.post(
        users, {"action": "delete_selected", "_selected_action": [staff_user.pk]}
    )
    expected = {"anonymous": 302, "staff": 403, "administrator": 200}[who]
    assert response.status_code == expected
    assert get_user_model().objects.filter(pk=staff_user.pk).exists()


def test_staff_cannot_give_themselves_more_rights(client, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:auth_user_change", args=[staff_user.pk])
    assert client.post(url, {"is_superuser": "on"}).status_code == 403
    staff_user.refresh_from_db()
    assert not staff_user.is_superuser
