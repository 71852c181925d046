"""The officer's side: the register panel beside the listing (in its admin page), marking a
register's answer as looked at, and recording what Care Inspectorate Wales's register showed."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from providers.models import Service
from registers.models import RegisterRecord

from ..factories import make_provider
from .conftest import location_json, personal_care_listing


def admin_page(provider):
    return f"/admin/providers/provider/{provider.pk}/change/"


@pytest.fixture
def differing(registers, postcodes):
    listing = personal_care_listing()
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_json(
        location_json("1-101", postcode="CO1 1AA")
    )
    call_command("sync_registers", stdout=StringIO())
    return listing


def test_the_panel_shows_what_the_register_says_and_the_difference(staff_client, differing):
    page = staff_client.get(admin_page(differing)).content.decode()
    assert 'id="register-panel"' in page
    assert (
        "The register&#x27;s postcode, CO1 1AA, is in CO1, not the listing&#x27;s district CM1."
        in page
    )
    assert "Homecare agencies" in page and "Personal care" in page
    assert "Never: the register has not matched the listing" in page
    assert "https://www.cqc.org.uk/location/1-101" in page
    assert "I have looked at this" in page


def test_marking_it_looked_at_takes_it_off_the_queue_until_it_changes(staff_client, differing):
    record = RegisterRecord.objects.get(provider=differing)
    assert record.needs_officer
    response = staff_client.post(
        f"/staff/registers/records/{record.pk}/seen/",
        {"notes": "Their office is in Colchester; fine.", "next": admin_page(differing)},
    )
    assert response.status_code == 302 and response["Location"] == admin_page(differing)
    record.refresh_from_db()
    assert not record.needs_officer and record.seen_by.username == "officer"
    assert "Their office is in Colchester; fine." in record.officer_notes
    entry = LogEntry.objects.get_for_object(record).first()
    assert entry.actor.username == "officer"  # audited, with who


def test_a_next_address_elsewhere_is_not_followed(staff_client, differing):
    record = RegisterRecord.objects.get(provider=differing)
    response = staff_client.post(
        f"/staff/registers/records/{record.pk}/seen/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == admin_page(differing) + "#register-panel"


def test_a_note_too_long_is_refused_in_plain_words(staff_client, differing):
    record = RegisterRecord.objects.get(provider=differing)
    response = staff_client.post(
        f"/staff/registers/records/{record.pk}/seen/", {"notes": "x" * 1001}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.seen_at is None
    page = staff_client.get(response["Location"]).content.decode()
    assert "Your note must be 1,000 characters or fewer" in page


def test_only_staff_can_use_the_register_pages(client, differing, member_of_public):
    record = RegisterRecord.objects.get(provider=differing)
    client.force_login(member_of_public)
    response = client.post(f"/staff/registers/records/{record.pk}/seen/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(f"/staff/registers/records/{record.pk}/seen/").status_code in (302, 405)


@pytest.fixture
def welsh_listing(postcodes):
    return make_provider(
        name="Gofal Da",
        base_postcode="CH7 1DA",
        legal_form="partnership",
        workers=2,
        services=Service.objects.filter(slug="washing-and-bathing"),
        registered="SIN-00012345",
    )


def test_ciw_has_a_link_to_its_register_and_a_form_not_a_sync(
    staff_client, welsh_listing, settings
):
    settings.CQC_API_KEY = "set"  # even with a CQC key, a Welsh listing is never sent to the CQC
    page = staff_client.get(admin_page(welsh_listing)).content.decode()
    assert settings.CIW_REGISTER_URL in page
    assert "CIW has no API, so nothing checks its register automatically." in page
    assert "www.cqc.org.uk/location" not in page
    form = staff_client.get(f"/staff/registers/listings/{welsh_listing.pk}/ciw/")
    assert form.status_code == 200
    assert 'value="SIN-00012345"' in form.content.decode()


def test_recording_what_ciw_shows(staff_client, welsh_listing, today):
    url = f"/staff/registers/listings/{welsh_listing.pk}/ciw/"
    response = staff_client.post(
        url,
        {
            "register_id": "SIN-00012345",
            "status": "registered",
            "service_types": "Domiciliary support service",
            "seen_on": today.isoformat(),
            "notes": "Matches.",
        },
    )
    assert response.status_code == 302
    record = RegisterRecord.objects.get(provider=welsh_listing, kind=RegisterRecord.Kind.CIW)
    assert record.outcome == RegisterRecord.Outcome.RECORDED
    assert record.status == "Registered" and record.service_types == ["Domiciliary support service"]
    assert record.seen_by.username == "officer" and record.last_confirmed_at is not None
    assert LogEntry.objects.get_for_object(record).first().actor.username == "officer"
    page = staff_client.get(admin_page(welsh_listing)).content.decode()
    assert "Last recorded: Registered (SIN-00012345; Domiciliary support service)" in page


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"status": "registered", "seen_on": "2020-01-01"},
            "Enter the registration ID you looked up",
        ),
        ({"register_id": "X1", "seen_on": "2020-01-01"}, "Choose what the register says"),
        (
            {"register_id": "X1", "status": "registered", "seen_on": "31 2 2026"},
            "Enter the date as day month year",
        ),
        (
            {"register_id": "X1", "status": "registered", "seen_on": "2999-01-01"},
            "must be today or in the past",
        ),
        (
            {"register_id": "X1", "status": "made-up", "seen_on": "2020-01-01"},
            "Choose one of the answers",
        ),
    ],
)
def test_bad_answers_are_explained(staff_client, welsh_listing, data, message):
    response = staff_client.post(f"/staff/registers/listings/{welsh_listing.pk}/ciw/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RegisterRecord.objects.exists()


def test_the_ciw_form_is_only_for_listings_in_wales(staff_client, postcodes):
    english = make_provider()
    assert staff_client.get(f"/staff/registers/listings/{english.pk}/ciw/").status_code == 404


def test_the_panel_sits_beside_the_checks_on_the_staff_listing_page(staff_client, differing):
    url = f"/staff/listings/{differing.pk}/"
    page = staff_client.get(url).content.decode()
    assert page.index('id="checks"') < page.index('id="register-panel"')
    assert "is in CO1, not the listing&#x27;s district CM1." in page
    record = RegisterRecord.objects.get(provider=differing)
    assert f'value="{url}#register-panel"' in page  # the form comes back here
    response = staff_client.post(
        f"/staff/registers/records/{record.pk}/seen/", {"next": f"{url}#register-panel"}
    )
    assert response["Location"] == f"{url}#register-panel"
