"""The publishing rules, every status change, the life of a check and the daily command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from providers.models import Check, Provider, Review, Service, StatusChange
from providers.services import (
    PublishingRefused,
    listings_apply_rules,
    provider_rule_problems,
    provider_set_status,
)

from ..factories import add_basic_checks, add_check, make_provider

SEARCH = reverse("search:results")


def public_names(client, postcode="CM1 1AE"):
    response = client.get(SEARCH, {"postcode": postcode})
    return [provider.name for provider in response.context["page"].object_list]


def gardening():
    return Service.objects.filter(slug="gardening")  # not personal care: no registration needed


@pytest.fixture
def draft(postcodes):
    return make_provider(name="Draft Care", status="draft", services=gardening())


# Publishing -------------------------------------------------------------------------------------


def test_publishing_names_each_check_that_fails_and_changes_nothing(draft, staff_user, today):
    add_check(draft, "dbs", status="rejected")
    add_check(draft, "insurance", status="awaiting")
    add_check(draft, "safeguarding", expires_on=today - timedelta(days=2))
    with pytest.raises(PublishingRefused) as refused:
        provider_set_status(provider=draft, status="published", by=staff_user, reason="Ready")
    assert refused.value.problems == [
        "DBS check was rejected",
        "Public liability insurance has not been verified yet",
        f"Safeguarding training ran out on {today - timedelta(days=2):%-d %B %Y}",
        "Business registration has not been provided",
    ]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not StatusChange.objects.exists()


def test_publishing_needs_checks_in_date_not_merely_in_their_grace_period(draft, staff_user, today):
    add_basic_checks(draft)
    add_check(draft, "insurance", expires_on=today - timedelta(days=1))
    with pytest.raises(PublishingRefused):
        provider_set_status(provider=draft, status="published", by=staff_user, reason="Ready")


def test_every_status_change_records_who_when_and_why(draft, staff_user):
    add_basic_checks(draft)
    steps = [
        ("pending", "Sent for review"),
        ("published", "Checks verified"),
        ("suspended", "Insurance cancelled"),
        ("published", "New insurance seen"),
        ("archived", "Stopped trading"),
    ]
    for status, reason in steps:
        change = provider_set_status(provider=draft, status=status, by=staff_user, reason=reason)
        assert (change.to_status, change.changed_by, change.reason) == (status, staff_user, reason)
        assert draft.status == status
    history = list(StatusChange.objects.order_by("pk").values_list("from_status", "to_status"))
    assert history == [
        ("draft", "pending"),
        ("pending", "published"),
        ("published", "suspended"),
        ("suspended", "published"),
        ("published", "archived"),
    ]
    # The same status again changes nothing and records nothing.
    assert provider_set_status(provider=draft, status="archived", by=staff_user, reason="x") is None
    assert StatusChange.objects.count() == 5


def test_a_reason_is_required(draft, staff_user):
    with pytest.raises(ValueError, match="Say why"):
        provider_set_status(provider=draft, status="pending", by=staff_user, reason="  ")


# Grace period -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ran_out_days_ago", "public", "notice"),
    [
        (-1, True, False),  # runs out tomorrow
        (0, True, False),  # runs out at the end of today: still current
        (1, True, True),  # ran out yesterday: the grace period begins
        (28, True, True),  # the grace period's last day
        (29, False, False),  # the day after: gone
    ],
)
def test_grace_period_boundaries(client, provider, today, ran_out_days_ago, public, notice):
    add_check(provider, "insurance", expires_on=today - timedelta(days=ran_out_days_ago))
    assert (public_names(client) == [provider.name]) is public
    html = client.get(provider.get_absolute_url()).content.decode()
    assert ("ran out on" in html) is notice
    if notice:
        takedown = today - timedelta(days=ran_out_days_ago) + timedelta(days=29)
        assert f"will be taken down on {takedown:%-d %B %Y}" in html
        assert "Their public liability insurance ran out on" in public_names_html(client)


def public_names_html(client):
    return client.get(SEARCH, {"postcode": "CM1 1AE"}).content.decode()


def test_the_grace_period_ends_at_midnight(client, provider, today, monkeypatch):
    add_check(provider, "dbs", expires_on=today - timedelta(days=28))
    assert public_names(client) == [provider.name]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today + timedelta(1))
    assert public_names(client) == []
    assert client.get(provider.get_absolute_url()).status_code == 410


def test_the_grace_period_is_a_setting(client, provider, today, settings):
    settings.CHECK_GRACE_DAYS = 7
    add_check(provider, "dbs", expires_on=today - timedelta(days=8))
    assert public_names(client) == []


# The rules applied -----------------------------------------------------------------------------


def test_a_rejected_check_takes_a_listing_down_at_once_by_any_path(client, provider):
    Check.objects.filter(provider=provider, kind="dbs").update(status="rejected")
    assert public_names(client) == []
    assert client.get(provider.get_absolute_url()).status_code == 410


def test_the_daily_command_suspends_what_is_outside_the_rules_and_is_safe_to_run_twice(
    postcodes, today
):
    fine = make_provider(name="Fine")
    in_grace = make_provider(name="In grace")
    add_check(in_grace, "dbs", expires_on=today - timedelta(days=10))
    lapsed = make_provider(name="Lapsed")
    add_check(lapsed, "insurance", expires_on=today - timedelta(days=40))
    rejected = make_provider(name="Rejected")
    add_check(rejected, "safeguarding", status="rejected")

    out = StringIO()
    call_command("daily", stdout=out)
    statuses = dict(Provider.objects.values_list("name", "status"))
    assert statuses == {
        "Fine": "published",
        "In grace": "published",
        "Lapsed": "suspended",
        "Rejected": "suspended",
    }
    reasons = dict(StatusChange.objects.values_list("provider__name", "reason"))
    assert reasons["Lapsed"] == (
        "Taken down by the publishing rules: Public liability insurance ran out on "
        f"{today - timedelta(days=40):%-d %B %Y}."
    )
    assert reasons["Rejected"] == (
        "Taken down by the publishing rules: Safeguarding training was rejected."
    )
    assert StatusChange.objects.filter(changed_by__isnull=True).count() == 2
    assert "Suspended 2 listings" in out.getvalue()

    again = StringIO()
    call_command("daily", stdout=again)
    assert "Suspended 0 listings" in again.getvalue()
    assert StatusChange.objects.count() == 2
    assert fine.pk and in_grace.pk  # untouched, still published


def test_daily_dry_run_reports_and_changes_nothing(postcodes, today):
    make_provider(name="Fine")
    lapsed = make_provider(name="Lapsed")
    add_check(lapsed, "insurance", expires_on=today - timedelta(days=40))
    out = StringIO()
    call_command("daily", "--dry-run", stdout=out)
    assert "2 published listings, 1 meeting the publishing rules" in out.getvalue()
    assert "1 outside them" in out.getvalue()
    assert not StatusChange.objects.exists()


def test_republished_after_reverifying(client, provider, staff_user, today):
    add_check(provider, "dbs", status="rejected")
    listings_apply_rules(providers=[provider])
    provider.refresh_from_db()
    assert provider.status == "suspended"
    add_check(provider, "dbs", verified_on=today)
    provider_set_status(provider=provider, status="published", by=staff_user, reason="New DBS")
    assert public_names(client) == [provider.name]


def test_rule_problems_with_grace(provider, today):
    add_check(provider, "dbs", expires_on=today - timedelta(days=3))
    assert provider_rule_problems(provider=provider, grace=True) == []
    assert provider_rule_problems(provider=provider) == [
        f"DBS check ran out on {today - timedelta(days=3):%-d %B %Y}"
    ]


# Last checked ----------------------------------------------------------------------------------


def test_last_checked_is_the_latest_verification_or_full_review(provider, today):
    add_check(provider, "dbs", verified_on=today - timedelta(days=3))
    provider.refresh_from_db()
    assert provider.last_checked_on == today - timedelta(days=3)
    review = Review.objects.create(provider=provider, reviewed_on=today - timedelta(days=1))
    provider.refresh_from_db()
    assert provider.last_checked_on == today - timedelta(days=1)
    review.delete()
    provider.refresh_from_db()
    assert provider.last_checked_on == today - timedelta(days=3)


def test_profile_says_last_checked_from_the_checks(client, provider, today):
    add_check(provider, "insurance", verified_on=today - timedelta(days=2))
    html = client.get(provider.get_absolute_url()).content.decode()
    assert f"Last checked by the council: <strong>{today - timedelta(days=2):%-d %B %Y}" in html


# Staff screens -------------------------------------------------------------------------------


def test_a_check_verified_in_the_future_is_refused(staff_client, provider, today):
    check = provider.checks.get(kind="dbs")
    url = reverse("admin:providers_check_change", args=[check.pk])
    response = staff_client.post(
        url,
        {
            "provider": provider.pk,
            "kind": "dbs",
            "status": "verified",
            "verified_on": str(today + timedelta(days=1)),
            "expires_on": str(today + timedelta(days=400)),
        },
    )
    assert response.status_code == 200
    assert "The date verified must be today or in the past" in response.content.decode()
    check.refresh_from_db()
    assert check.verified_on != today + timedelta(days=1)


def test_rejecting_a_check_in_the_admin_suspends_at_once(staff_client, staff_user, provider):
    check = provider.checks.get(kind="dbs")
    response = staff_client.post(
        reverse("admin:providers_check_change", args=[check.pk]),
        {"provider": provider.pk, "kind": "dbs", "status": "rejected"},
        follow=True,
    )
    assert response.status_code == 200
    provider.refresh_from_db()
    assert provider.status == "suspended"
    change = StatusChange.objects.get()
    assert change.changed_by == staff_user
    assert "DBS check was rejected" in change.reason
    assert "was suspended" in response.content.decode()


def test_status_page_refuses_to_publish_with_each_problem(staff_client, draft):
    url = reverse("admin:providers_provider_status", args=[draft.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"status": "published", "reason": "Looks good"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    for label in ["DBS check", "Public liability insurance", "Safeguarding training"]:
        assert f"{label} has not been provided" in html
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_status_page_needs_a_reason_then_changes_and_records(staff_client, staff_user, draft):
    url = reverse("admin:providers_provider_status", args=[draft.pk])
    response = staff_client.post(url, {"status": "pending", "reason": ""})
    assert response.status_code == 400
    assert "Say why the status is changing" in response.content.decode()
    response = staff_client.post(url, {"status": "pending", "reason": "Ready to review"})
    assert response.status_code == 302
    change = StatusChange.objects.get()
    assert (change.to_status, change.changed_by, change.reason) == (
        "pending",
        staff_user,
        "Ready to review",
    )


def test_publish_selected_publishes_what_passes_and_says_what_did_not(staff_client, postcodes):
    ready = make_provider(name="Ready", status="draft", services=gardening())
    add_basic_checks(ready)
    not_ready = make_provider(name="Not ready", status="draft", services=gardening())
    response = staff_client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "publish_selected", "_selected_action": [ready.pk, not_ready.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Published 1 listing" in html
    assert "Not published. Not ready: DBS check has not been provided" in html
    assert dict(Provider.objects.values_list("name", "status")) == {
        "Ready": "published",
        "Not ready": "draft",
    }


def test_the_status_cannot_be_typed_on_the_listing_form(staff_client, provider):
    html = staff_client.get(reverse("admin:providers_provider_change", args=[provider.pk])).content
    assert b'name="status"' not in html
    assert b"Change status" in html
