import pytest
from django.urls import reverse
from django.utils.html import escape

from reports.models import ProblemReport

CHANGELIST = "admin:reports_problemreport_changelist"


@pytest.fixture
def report(make_report):
    return make_report(
        topic="safety",
        message='<script>alert("x")</script> The carer left my mother alone.',
        name="Sam",
        contact="07700 900123",
    )


def test_changelist_and_change_page_load_for_staff(reports_staff_client, report, provider):
    response = reports_staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert provider.name in response.content.decode()
    change = reports_staff_client.get(
        reverse("admin:reports_problemreport_change", args=[report.pk])
    )
    assert change.status_code == 200
    html = change.content.decode()
    # A link from the report to the provider's own admin page.
    assert reverse("admin:providers_provider_change", args=[provider.pk]) in html
    # What the public wrote is shown as text, never as markup.
    assert escape('<script>alert("x")</script>') in html
    assert '<script>alert("x")</script>' not in html


def test_filters_and_search(reports_staff_client, report, make_report):
    make_report(message="Their website is down", status="closed")
    url = reverse(CHANGELIST)
    for query, count in [
        ({"status__exact": "closed"}, 1),
        ({"urgent__exact": "1"}, 1),
        ({"topic__exact": "safety"}, 1),
        ({"q": "website"}, 1),
        ({"q": "Test Helping"}, 2),
        ({"q": "nothing-like-this"}, 0),
    ]:
        response = reports_staff_client.get(url, query)
        assert response.status_code == 200
        assert response.context["cl"].result_count == count, query


def test_urgent_reports_come_first(reports_staff_client, make_report):
    urgent = make_report(topic="safety")
    newer = make_report(topic="other")
    response = reports_staff_client.get(reverse(CHANGELIST))
    assert list(response.context["cl"].result_list) == [urgent, newer]


def test_no_add_page(reports_staff_client, db):
    assert reports_staff_client.get(reverse("admin:reports_problemreport_add")).status_code == 403


def test_staff_change_status_and_note_but_not_what_the_public_said(
    reports_staff_client, report, provider
):
    url = reverse("admin:reports_problemreport_change", args=[report.pk])
    response = reports_staff_client.post(
        url,
        {
            "status": "in_progress",
            "staff_note": "Phoned the provider.",
            # Read-only fields: ignored even if someone posts them.
            "message": "Rewritten by staff",
            "name": "Someone else",
            "contact": "",
            "topic": "other",
            "urgent": "",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "in_progress"
    assert report.staff_note == "Phoned the provider."
    assert report.message.endswith("The carer left my mother alone.")
    assert (report.name, report.contact, report.topic, report.urgent) == (
        "Sam",
        "07700 900123",
        "safety",
        True,
    )
    form = reports_staff_client.get(url).context["adminform"].form
    assert set(form.fields) == {"status", "assigned_to", "staff_note"}


@pytest.mark.parametrize(
    "action, status", [("mark_in_progress", "in_progress"), ("mark_closed", "closed")]
)
def test_list_actions(reports_staff_client, make_report, action, status):
    # Closing needs a reason: these two have one.
    chosen = [make_report(staff_note="Fixed"), make_report(topic="safety", staff_note="Safe now")]
    other = make_report()
    response = reports_staff_client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in chosen]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"2 reports marked as {status.replace('_', ' ')}." in response.content.decode()
    assert set(ProblemReport.objects.filter(status=status)) == set(chosen)
    other.refresh_from_db()
    assert other.status == "new"


def test_deleted_listing_is_named_in_the_admin(reports_staff_client, report, provider):
    name = provider.name
    provider.delete()
    response = reports_staff_client.get(
        reverse("admin:reports_problemreport_change", args=[report.pk])
    )
    assert f"{name} (listing deleted)" in response.content.decode()


@pytest.mark.parametrize("name", [CHANGELIST, "admin:reports_problemreport_change"])
def test_admin_refuses_anonymous_users(client, report, name):
    url = reverse(name) if name == CHANGELIST else reverse(name, args=[report.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_reports_permissions_are_refused(client, report):
    from django.contrib.auth import get_user_model

    no_role = get_user_model().objects.create_user("no-role", password="x", is_staff=True)
    client.force_login(no_role)
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_non_staff_accounts_are_refused(client, member_of_public, report):
    client.force_login(member_of_public)
    assert client.get(reverse(CHANGELIST)).status_code == 302


def test_closing_in_bulk_skips_reports_without_a_reason(reports_staff_client, make_report):
    noted, bare = make_report(staff_note="Phoned them"), make_report()
    response = reports_staff_client.post(
        reverse(CHANGELIST),
        {"action": "mark_closed", "_selected_action": [noted.pk, bare.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 report not closed: open each and write in the staff note why" in html
    noted.refresh_from_db()
    bare.refresh_from_db()
    assert (noted.status, bare.status) == ("closed", "new")
