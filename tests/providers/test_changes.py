"""Every way a listing's public facts can change reaches `providers.changes`: the derived checks
column and what search returns follow, judged against a reading of the `Check` rows themselves,
and the directory version is written once per transaction.

Each change runs its commit hooks (`committed`), as a real commit would.
"""

import html
import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.synthetic import DirectoryBuilder
from places.models import Postcode, PostcodeArea
from providers import changes
from providers.models import (
    Audience,
    Check,
    CoverageDistrict,
    DirectoryChange,
    DirectoryVersion,
    Provider,
    Service,
    ServiceCategory,
)

from ..factories import add_basic_checks, add_check, make_provider

SEARCH = reverse("search:results")
HERE = "CM1 1RW"


def checks_current(provider, today):
    """The reference: all four basic checks have a row, verified and in date on `today`."""
    good = {
        check.kind
        for check in Check.objects.filter(provider=provider)
        if check.status == "verified" and (check.expires_on is None or check.expires_on >= today)
    }
    return good >= set(Check.BASIC_KINDS)


RESULT = re.compile(
    r'<h3 class="govuk-heading-m[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>'
)


def searched(client, postcode=HERE, **filters):
    """Names on the results page, read from its HTML: cached pages have no template context."""
    response = client.get(SEARCH, {"postcode": postcode, **filters})
    assert response.status_code == 200
    page = response.content.decode()
    results = page.split('<ol class="govuk-list app-results" start=', 1)
    if len(results) == 1:
        return set()
    return {html.unescape(name) for name in RESULT.findall(results[1].split("</ol>", 1)[0])}


def assert_in_step(client, today):
    """The derived column, the public checks filter and the reference agree for everyone."""
    expected = set()
    for provider in Provider.objects.all():
        derived = provider.basic_checks_current_until
        assert (derived is not None and derived >= today) == checks_current(provider, today), (
            provider.name
        )
        if provider.status == "published" and checks_current(provider, today):
            expected.add(provider.name)
    assert searched(client, feature="checks") == expected
    published = set(Provider.public_objects.values_list("name", flat=True))
    assert searched(client) == published


@pytest.fixture
def two(postcodes, committed):
    with committed():
        first = make_provider(name="First", coverage_radius_miles=10)
        second = make_provider(name="Second", coverage_radius_miles=10)
        add_basic_checks(first)
        add_basic_checks(second)
    return first, second


def test_check_saves_and_deletes(client, two, today, committed):
    first, _ = two
    assert_in_step(client, today)
    with committed():
        dbs = first.checks.get(kind="dbs")
        dbs.status = Check.Status.REJECTED
        dbs.save()
    assert_in_step(client, today)
    with committed():
        dbs.delete()
    assert_in_step(client, today)
    with committed():
        add_check(first, "dbs")
    assert_in_step(client, today)


def test_check_queryset_delete_the_bug_that_was(client, two, today, committed):
    first, _ = two
    with committed():
        Check.objects.filter(provider=first, kind="dbs").delete()
    first.refresh_from_db()
    assert first.basic_checks_current_until is None
    assert "First" not in searched(client, feature="checks")
    assert_in_step(client, today)


def test_check_queryset_update(client, two, today, committed):
    with committed():
        Check.objects.filter(kind="insurance").update(expires_on=today - timedelta(days=1))
    assert_in_step(client, today)
    assert searched(client, feature="checks") == set()
    with committed():
        Check.objects.filter(kind="insurance").update(expires_on=None)
    assert_in_step(client, today)
    assert searched(client, feature="checks") == {"First", "Second"}


def test_moving_checks_to_another_provider_refreshes_both(client, two, today, committed):
    first, second = two
    with committed():
        Check.objects.filter(provider=second).delete()
        Check.objects.filter(provider=first, kind="dbs").update(provider=second)
    assert_in_step(client, today)


def test_admin_delete_selected_checks(staff_client, client, two, today, committed):
    first, _ = two
    selected = list(first.checks.filter(kind__in=["dbs", "insurance"]).values_list("pk", flat=True))
    with committed():
        response = staff_client.post(
            reverse("admin:providers_check_changelist"),
            {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
        )
    assert response.status_code == 302
    assert not first.checks.filter(kind__in=["dbs", "insurance"]).exists()
    assert_in_step(client, today)


def test_admin_delete_selected_providers(staff_client, client, two, today, committed):
    first, _ = two
    with committed():
        response = staff_client.post(
            reverse("admin:providers_provider_changelist"),
            {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert searched(client) == {"Second"}
    assert_in_step(client, today)


def test_provider_queryset_update_and_delete(client, two, today, committed):
    first, second = two
    with committed():
        Provider.objects.filter(pk=first.pk).update(status=Provider.Status.SUSPENDED)
    assert searched(client) == {"Second"}
    with committed():
        Provider.objects.filter(pk=second.pk).delete()
    assert searched(client) == set()
    assert_in_step(client, today)


def test_provider_queryset_update_of_the_base_moves_its_points(client, two, committed):
    first, _ = two
    taunton = PostcodeArea.objects.get(code="TA1 1")
    with committed():
        Provider.objects.filter(pk=first.pk).update(base_postcode="TA1 1NR")
    first.refresh_from_db()
    assert (first.area_latitude, first.area_longitude) == (taunton.latitude, taunton.longitude)
    assert first.area_sector == "TA1 1"
    assert "First" not in searched(client)
    assert "First" in searched(client, postcode="TA1 1NR")


def test_a_provider_save_can_never_write_back_a_stale_checks_column(client, two, today, committed):
    first, _ = two
    stale = Provider.objects.get(pk=first.pk)  # loaded while its checks were all current
    with committed():
        Check.objects.filter(provider=first, kind="safeguarding").delete()
        stale.summary = "Saved from a copy loaded before the check went"
        stale.save()
    assert_in_step(client, today)


def test_services_audiences_districts_and_taxonomy(client, two, today, committed):
    first, _ = two
    washing = Service.objects.get(slug="washing-and-bathing")
    with committed():
        first.services.set([washing])
    assert searched(client, service="washing-and-bathing") == {"First"}
    with committed():
        washing.providers.remove(first)  # from the other side of the link
    assert searched(client, service="washing-and-bathing") == set()
    audience = first.audiences.get().slug
    assert searched(client, audience=audience) == {"First", "Second"}
    with committed():
        first.audiences.clear()
    assert searched(client, audience=audience) == {"Second"}
    assert searched(client, postcode="CO1 2FN") == set()  # Colchester: too far for either
    with committed():
        CoverageDistrict.objects.create(provider=first, outward="CO1")
    assert searched(client, postcode="CO1 2FN") == {"First"}
    with committed():
        CoverageDistrict.objects.filter(provider=first).delete()
    assert searched(client, postcode="CO1 2FN") == set()
    category = ServiceCategory.objects.get(slug="personal-care")
    with committed():
        first.services.set([washing])
        category.slug = "care-at-home"
        category.save()
    assert "First" in searched(client, category="care-at-home")
    assert_in_step(client, today)


def test_loaddata(client, two, today, committed, tmp_path):
    first, _ = two
    fixture = tmp_path / "listing.json"
    with open(fixture, "w") as out:
        call_command("dumpdata", "providers.provider", "providers.check", stdout=out, format="json")
    rows = json.loads(fixture.read_text())
    for row in rows:  # the fixture says First's insurance ran out
        fields = row["fields"]
        if row["model"] == "providers.check" and (fields["kind"], fields["provider"]) == (
            "insurance",
            first.pk,
        ):
            fields["expires_on"] = str(today - timedelta(days=3))
    fixture.write_text(json.dumps(rows))
    with committed():
        call_command("loaddata", str(fixture), verbosity=0)
    assert_in_step(client, today)
    assert searched(client, feature="checks") == {"Second"}


def test_bulk_writes_without_the_orm(client, postcodes, today, committed):
    rows = list(
        Postcode.objects.filter(sector="CM1 1").values_list(
            "postcode", "outward", "sector", "latitude", "longitude", "admin_district"
        )
    )
    areas = PostcodeArea.objects.values_list(
        "code", "kind", "latitude", "longitude", "postcode_count"
    )
    builder = DirectoryBuilder(rows, list(areas), seed=1, progress=lambda *args, **kwargs: None)
    with committed():
        builder.add(15)  # one page of results
    assert Provider.objects.count() == 15
    assert_in_step(client, today)


def test_refresh_listings_repairs_a_broken_column(client, two, today, committed):
    first, _ = two
    Provider.objects.filter(pk=first.pk).update_derived(basic_checks_current_until=None)
    with committed():
        call_command("refresh_listings", verbosity=0)
    assert_in_step(client, today)


def version_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "search_directoryversion" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
    ]


def test_one_version_write_for_a_provider_with_four_checks(postcodes, committed):
    with CaptureQueriesContext(connection) as queries, committed(), transaction.atomic():
        provider = make_provider(name="New")
        add_basic_checks(provider)
        assert changes.pending()
    assert len(version_writes(queries.captured_queries)) == 1
    assert not changes.pending()


def test_a_rolled_back_change_leaves_the_version_alone(postcodes):
    before = DirectoryVersion.objects.get().token
    with pytest.raises(RuntimeError), transaction.atomic():
        make_provider(name="Never")
        assert changes.pending()
        raise RuntimeError
    assert not changes.pending()
    assert DirectoryVersion.objects.get().token == before


def test_the_token_changes_when_a_change_commits(two, committed):
    before = changes.current_token()
    with committed():
        two[0].save()
    assert changes.current_token() not in {before, None}


def test_each_commit_logs_the_listings_it_touched_under_the_next_number(two, committed):
    first, second = two
    before = changes.current_version()
    with committed():
        first.save()
        add_check(second, "training")
        add_check(second, "other", reference="x")
    with committed():
        Service.objects.filter(pk=first.services.first().pk).first().save()
    after = changes.current_version()
    assert after.number == before.number + 2
    entries = list(DirectoryChange.objects.filter(number__gt=before.number).order_by("number"))
    assert [entry.number for entry in entries] == [before.number + 1, after.number]
    assert entries[0].provider_ids == sorted([first.pk, second.pk])
    assert entries[-1].token == after.token
    assert first.pk in entries[1].provider_ids
    since = changes.changes_since(before, after)
    assert since.ids >= {first.pk, second.pk}
    assert not since.everything and not since.diverged


def test_a_change_too_big_to_list_says_everything(two, committed, monkeypatch):
    monkeypatch.setattr(changes, "LIST_AT_MOST", 1)
    before = changes.current_version()
    with committed():
        Provider.objects.update(town="Writtle")
    entry = DirectoryChange.objects.get(number=before.number + 1)
    assert entry.everything and entry.provider_ids == []
    assert changes.changes_since(before, changes.current_version()).everything


def test_another_history_is_told_apart(two, committed):
    """The same number with another token (a restored backup, or tests rolling back) is not
    mistaken for the same directory."""
    with committed():
        two[0].save()
    now = changes.current_version()
    elsewhere = changes.Version(now.number, "0" * 32)
    assert changes.changes_since(elsewhere, now).diverged
    assert changes.changes_since(changes.Version(now.number + 5, "f" * 32), now).diverged
    missing = changes.changes_since(changes.Version(now.number - 1, "e" * 32), now)
    assert missing.diverged


def test_links_and_terms_move_the_listing_version(two, committed):
    first, _ = two
    version = Provider.objects.get(pk=first.pk).version
    with committed():
        first.audiences.clear()
    assert first.version == version + 1  # the instance follows, so its next form is not refused
    Audience.objects.first().save()
    Provider.objects.filter(pk=first.pk).update(town="Writtle")
    assert Provider.objects.get(pk=first.pk).version == version + 2
