"""The audit trail: who changed what, from what to what, for listings and their parts, read as a
timeline on the listing's page, and never editable or deletable through the site."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.urls import reverse

from providers.models import CoverageDistrict, Service
from providers.services import provider_set_status
from reports.models import ProblemReport
from workbench.audit import timeline

from ..factories import add_check


def test_an_officers_edit_is_recorded_with_old_and_new_values(staff_client, staff_user, provider):
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "phone": "01632 960999",
            "services": [s.pk for s in Service.objects.filter(slug__in=["cleaning", "gardening"])],
            "audiences": [],
            **_inline_management(staff_client, url),
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    updates = LogEntry.objects.get_for_object(provider).filter(action=LogEntry.Action.UPDATE)
    change = next(entry for entry in updates if "phone" in entry.changes_dict)
    assert change.actor == staff_user
    assert change.changes_dict["phone"] == ["01632 960001", "01632 960999"]
    services = next(entry for entry in updates if "services" in entry.changes_dict)
    assert services.actor == staff_user


def _inline_management(client, url):
    """The inline formsets' management forms as the page has them, with no rows changed."""
    page = client.get(url)
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = formset.formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = formset.formset.initial_form_count()
        for number, form in enumerate(formset.formset.forms):
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[f"{prefix}-{number}-{name}"] = value.pk if hasattr(value, "pk") else value
    return data


def test_system_and_part_changes_land_on_the_listings_timeline(provider, staff_user, today):
    check = add_check(provider, "dbs", expires_on=today + timedelta(days=10))
    district = CoverageDistrict.objects.create(provider=provider, outward="CM2")
    district.delete()
    provider_set_status(provider=provider, status="suspended", by=None, reason="Rules")
    ProblemReport.objects.create(provider=provider, topic="other", message="x", client_key="a" * 64)
    entries = list(timeline(provider))
    kinds = {entry.content_type.model for entry in entries}
    assert {"provider", "check", "coveragedistrict", "statuschange", "problemreport"} <= kinds
    deleted = [e for e in entries if e.content_type.model == "coveragedistrict" and e.action == 2]
    assert deleted, "a deleted district stays on the timeline"
    status = next(e for e in entries if e.content_type.model == "provider" and "status" in (e.changes_dict or {}))  # fmt: skip
    assert status.changes_dict["status"] == ["published", "suspended"]
    assert status.actor is None  # the system
    assert check.pk


def test_the_listing_page_shows_a_readable_timeline(staff_client, provider):
    provider.phone = "01632 960555"
    provider.save()
    html = staff_client.get(reverse("admin:providers_provider_change", args=[provider.pk])).content
    text = html.decode()
    assert "History of this listing" in text
    assert "01632 960001 &rarr; 01632 960555" in text


def test_no_one_can_edit_or_delete_the_audit_trail_through_the_site(
    staff_client, administrator, client, provider
):
    provider.summary = "Help at home in Chelmsford and its villages."
    provider.save()
    entry = LogEntry.objects.get_for_object(provider).get()
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    client.force_login(administrator)
    for who in (staff_client, client):
        assert who.post(change, {"changes": "{}"}).status_code in (403, 302)
        assert who.post(delete, {"post": "yes"}).status_code in (403, 302)
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_public_notes_and_client_keys_are_not_in_the_audit_trail(client, provider):
    client.post(reverse("shortlist:add"), {"provider": provider.pk, "next": "/"})
    client.post(reverse("shortlist:index"), {"action": "save", f"note-{provider.pk}": "SECRET"})
    client.post(reverse("shortlist:share"))
    for entry in LogEntry.objects.filter(content_type__model="sharedshortlist"):
        assert "SECRET" not in str(entry.changes) and "client_key" not in (entry.changes_dict or {})
