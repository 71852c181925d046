"""manage.py sync_registers: the real clients against a real local HTTP server answering in the
CQC's and Companies House's documented formats, and what each answer does to a listing."""

import base64
import threading
import time
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from werkzeug import Response

from providers.models import Check, Provider, StatusChange
from registers.models import RegisterRecord, SyncCursor

from ..factories import make_provider
from .conftest import (
    CH_KEY,
    CQC_KEY,
    changes_json,
    company_json,
    location_json,
    personal_care_listing,
)

CQC = "/cqc/public/v1"
Outcome = RegisterRecord.Outcome


def sync(*args):
    out = StringIO()
    call_command("sync_registers", *args, stdout=out)
    return out.getvalue()


def serve_location(server, location_id, **kwargs):
    server.expect_request(
        f"{CQC}/locations/{location_id}", headers={"Ocp-Apim-Subscription-Key": CQC_KEY}
    ).respond_with_json(location_json(location_id, **kwargs))


def record_of(provider, kind=RegisterRecord.Kind.CQC):
    return RegisterRecord.objects.get(provider=provider, kind=kind)


def registration(provider):
    return Check.objects.get(provider=provider, kind=Check.Kind.REGISTRATION)


@pytest.fixture
def alpha(postcodes):
    return personal_care_listing()


def test_registered_and_matching_is_confirmed(registers, alpha, client):
    serve_location(registers, "1-101")
    out = sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.CONFIRMED and record.differences == []
    assert record.status == "Registered" and str(record.registration_date) == "2019-04-01"
    assert record.postcode == "CM1 1AF"
    assert record.regulated_activities == ["Personal care"]
    assert "Homecare agencies" in record.service_types
    assert record.last_confirmed_at is not None and record.could_not_check == ""
    # Only the documented fields we read: no registered manager's name.
    assert "Private" not in str(record.raw) and record.raw["locationId"] == "1-101"
    assert "Alpha Care (CQC 1-101): registered and matches the listing." in out
    alpha.refresh_from_db()
    assert alpha.status == Provider.Status.PUBLISHED
    assert registration(alpha).status == Check.Status.VERIFIED
    page = client.get(alpha.get_absolute_url()).content.decode()
    assert "Checked against the CQC register on" in page
    assert "Open Government Licence" in page


def test_deregistered_is_taken_down_with_the_registers_words(registers, alpha, client):
    serve_location(registers, "1-101", status="Deregistered")
    out = sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.OFF_REGISTER and record.needs_officer
    assert str(record.deregistration_date) == "2026-01-15"
    check = registration(alpha)
    assert check.status == Check.Status.EXPIRED
    assert "deregistered on 15 January 2026" in check.staff_notes
    alpha.refresh_from_db()
    assert alpha.status == Provider.Status.SUSPENDED
    assert not Provider.public_objects.filter(pk=alpha.pk).exists()
    change = StatusChange.objects.get(provider=alpha)
    assert change.changed_by is None  # the rules, not an officer
    assert change.reason.startswith("Taken down by the publishing rules: The CQC register says")
    assert "1-101 was deregistered on 15 January 2026" in change.reason
    assert client.get(alpha.get_absolute_url()).status_code == 410
    assert "Alpha Care: suspended." in out
    # Audited: the check's change and the record, both in the listing's history.
    for model in (Check, RegisterRecord):
        assert LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            additional_data__provider=alpha.pk,
        ).exists()


def test_a_sole_trader_working_alone_with_an_exemption_stays_public(registers, postcodes):
    """Deregistration marks the registration run out; the publishing rules decide, and a
    confirmed individual exemption still holds a sole trader who works alone up."""
    from ..factories import add_check

    listing = personal_care_listing(name="Solo Care", legal_form="sole_trader", workers=1)
    add_check(listing, "exemption")
    serve_location(registers, "1-101", status="Deregistered")
    sync()
    listing.refresh_from_db()
    assert registration(listing).status == Check.Status.EXPIRED
    assert listing.status == Provider.Status.PUBLISHED
    assert Provider.public_objects.filter(pk=listing.pk).exists()
    assert record_of(listing).needs_officer


def test_not_found_is_taken_down(registers, alpha):
    registers.expect_request(f"{CQC}/locations/1-101").respond_with_json(
        {"statusCode": 404, "message": "Resource not found"}, status=404
    )
    registers.expect_request(f"{CQC}/providers/1-101").respond_with_json(
        {"statusCode": 404, "message": "Resource not found"}, status=404
    )
    out = sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.OFF_REGISTER
    assert record.differences == ["The CQC register has no location or provider with the ID 1-101."]
    alpha.refresh_from_db()
    assert alpha.status == Provider.Status.SUSPENDED
    assert "not on the register (404)" in out


def test_a_provider_id_instead_of_a_location_id_is_for_an_officer(registers, alpha):
    registers.expect_request(f"{CQC}/locations/1-101").respond_with_json({}, status=404)
    registers.expect_request(f"{CQC}/providers/1-101").respond_with_json(
        {
            "providerId": "1-101",
            "name": "Alpha Care Partners",
            "registrationStatus": "Registered",
            "registrationDate": "2019-04-01",
            "postalCode": "CM1 1AF",
            "locationIds": ["1-202"],
        }
    )
    sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.DIFFERS
    assert "1-101 is a CQC provider ID, not a location ID" in record.differences[0]
    alpha.refresh_from_db()
    assert alpha.status == Provider.Status.PUBLISHED


def test_another_postcode_district_goes_to_the_queue_and_changes_nothing_public(registers, alpha):
    serve_location(registers, "1-101", postcode="CO1 1AA")
    out = sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.DIFFERS and record.needs_officer
    assert record.differences == [
        "The register's postcode, CO1 1AA, is in CO1, not the listing's district CM1."
    ]
    assert record.last_confirmed_at is None
    alpha.refresh_from_db()
    assert alpha.status == Provider.Status.PUBLISHED
    assert registration(alpha).status == Check.Status.VERIFIED
    assert "For an officer to look at." in out


def test_no_home_care_service_type_goes_to_the_queue(registers, alpha):
    serve_location(registers, "1-101", home_care=False)
    sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.DIFFERS
    assert record.differences == [
        "The register lists no home care service type for 1-101 (it lists: Residential "
        "homes, Care home service without nursing)."
    ]


def test_the_change_feed_across_two_runs(registers, alpha, postcodes):
    bravo = personal_care_listing(name="Bravo Care", reference="1-202", base_postcode="CM2 8QB")
    serve_location(registers, "1-101")
    serve_location(registers, "1-202", postcode="CM2 8QB")
    first = sync()
    assert "first run, looking up all 2 listings" in first
    cursor = SyncCursor.objects.get()
    assert record_of(bravo).outcome == Outcome.CONFIRMED
    looked_up = [entry[0].path for entry in registers.log]
    assert looked_up == [f"{CQC}/locations/1-101", f"{CQC}/locations/1-202"]

    # Overnight the CQC deregisters Bravo's location; the feed names it (and one not ours).
    registers.clear()
    registers.expect_request(f"{CQC}/changes/location").respond_with_json(
        changes_json(["1-202", "1-999"])
    )
    serve_location(registers, "1-202", status="Deregistered", postcode="CM2 8QB")
    second = sync()
    paths = [entry[0].path for entry in registers.log]
    assert paths == [f"{CQC}/changes/location", f"{CQC}/locations/1-202"]  # not 1-101
    feed = registers.log[0][0].args
    assert feed["startTimestamp"] == cursor.last_run_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert feed["page"] == "1" and feed["perPage"] == "1000"
    assert "2 locations changed on the register; 1 of our 2 listings" in second
    assert record_of(bravo).outcome == Outcome.OFF_REGISTER
    assert record_of(alpha).outcome == Outcome.CONFIRMED
    assert SyncCursor.objects.get().last_run_at > cursor.last_run_at


def test_the_change_feed_is_read_to_its_last_page(registers, alpha):
    serve_location(registers, "1-101")
    sync()
    registers.clear()
    for page, ids in ((1, ["1-555"]), (2, ["1-101"])):
        registers.expect_ordered_request(f"{CQC}/changes/location").respond_with_json(
            changes_json(ids, page=page, total_pages=2)
        )
    serve_location(registers, "1-101", postcode="CO1 1AA")
    sync()
    assert record_of(alpha).outcome == Outcome.DIFFERS


ANSWERED = threading.Event()


def slow(request):
    """Answers after the client has given up (REGISTER_TIMEOUT is half a second)."""
    time.sleep(1.2)
    ANSWERED.set()
    return Response("{}", content_type="application/json")


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda server: server.respond_with_handler(slow), id="timeout"),
        pytest.param(lambda server: server.respond_with_data("down", status=503), id="503"),
        pytest.param(lambda server: server.respond_with_data("<html>", status=200), id="not-json"),
    ],
)
def test_when_the_register_cannot_answer_nothing_changes(registers, alpha, answer):
    serve_location(registers, "1-101")
    sync()
    before = record_of(alpha)
    registers.clear()
    registers.expect_request(f"{CQC}/changes/location").respond_with_json(changes_json(["1-101"]))
    answer(registers.expect_request(f"{CQC}/locations/1-101"))
    ANSWERED.clear()
    started = time.monotonic()
    out = sync()
    assert time.monotonic() - started < 1.1  # it gave up after the timeout, not the answer
    record = record_of(alpha)
    assert record.outcome == Outcome.CONFIRMED  # as before
    assert record.last_confirmed_at == before.last_confirmed_at
    assert record.answered_at == before.answered_at
    assert record.checked_at > before.checked_at and record.could_not_check
    assert "could not check" in out and "Nothing changed." in out
    alpha.refresh_from_db()
    assert alpha.status == Provider.Status.PUBLISHED
    assert registration(alpha).status == Check.Status.VERIFIED
    if "no answer within" in record.could_not_check:
        ANSWERED.wait(3)  # the one-thread test server is free again for the next test


def test_when_the_change_feed_is_down_every_listing_says_could_not_check(registers, alpha):
    serve_location(registers, "1-101")
    sync()
    cursor = SyncCursor.objects.get().last_run_at
    registers.clear()
    registers.expect_request(f"{CQC}/changes/location").respond_with_data("", status=500)
    out = sync()
    assert "could not read the change feed (the register answered 500)" in out
    assert record_of(alpha).could_not_check == "the register answered 500"
    assert record_of(alpha).outcome == Outcome.CONFIRMED
    assert SyncCursor.objects.get().last_run_at == cursor  # the window is read again next time


def test_could_not_check_is_tried_again_next_night(registers, alpha):
    registers.expect_request(f"{CQC}/locations/1-101").respond_with_data("", status=502)
    sync()
    assert record_of(alpha).outcome == Outcome.UNKNOWN
    registers.clear()
    registers.expect_request(f"{CQC}/changes/location").respond_with_json(changes_json([]))
    serve_location(registers, "1-101")
    sync()
    record = record_of(alpha)
    assert record.outcome == Outcome.CONFIRMED and record.could_not_check == ""


def company(postcodes, **overrides):
    return make_provider(
        name="Bravo Help",
        legal_form=Provider.LegalForm.LIMITED_COMPANY,
        workers=4,
        companies_house_number="AB123456",
        **overrides,
    )


def serve_company(server, number, **kwargs):
    token = base64.b64encode(f"{CH_KEY}:".encode()).decode()
    server.expect_request(
        f"/ch/company/{number}", headers={"Authorization": f"Basic {token}"}
    ).respond_with_json(company_json(number, **kwargs))


def test_an_active_company_is_confirmed(registers, postcodes):
    bravo = company(postcodes)
    serve_company(registers, "AB123456")
    sync()
    record = record_of(bravo, RegisterRecord.Kind.COMPANIES_HOUSE)
    assert record.outcome == Outcome.CONFIRMED and record.status == "active"
    assert record.name == "BRAVO HELP LIMITED"


def test_a_dissolved_company_goes_to_the_queue_and_its_business_check_is_flagged(
    registers, postcodes
):
    bravo = company(postcodes)
    serve_company(registers, "AB123456", status="dissolved")
    out = sync()
    record = record_of(bravo, RegisterRecord.Kind.COMPANIES_HOUSE)
    assert record.outcome == Outcome.NOT_ACTIVE and record.needs_officer
    assert record.differences == [
        "Companies House says the company is dissolved on 3 February 2026."
    ]
    assert str(record.deregistration_date) == "2026-02-03"
    assert "Bravo Help (Companies House AB123456): dissolved on 3 February 2026." in out
    # Evidence for an officer, not the rule: the listing stays as it is until one acts.
    bravo.refresh_from_db()
    assert bravo.status == Provider.Status.PUBLISHED


def test_a_proposal_to_strike_off_is_not_active(registers, postcodes):
    bravo = company(postcodes)
    serve_company(registers, "AB123456", detail="active-proposal-to-strike-off")
    sync()
    record = record_of(bravo, RegisterRecord.Kind.COMPANIES_HOUSE)
    assert record.outcome == Outcome.NOT_ACTIVE
    assert record.differences == [
        "Companies House says the company is active, but has an active proposal to strike it "
        "off the register."
    ]


def test_an_unknown_company_number_is_not_active(registers, postcodes):
    bravo = company(postcodes)
    registers.expect_request("/ch/company/AB123456").respond_with_json(
        {"errors": [{"error": "company-profile-not-found", "type": "ch:service"}]}, status=404
    )
    sync()
    assert record_of(bravo, RegisterRecord.Kind.COMPANIES_HOUSE).outcome == Outcome.NOT_ACTIVE


def test_dry_run_prints_what_would_change_and_writes_nothing(registers, alpha, postcodes):
    bravo = company(postcodes)
    serve_location(registers, "1-101", status="Deregistered")
    serve_company(registers, "AB123456", status="liquidation")
    out = sync("--dry-run")
    assert "Would record: Alpha Care (CQC 1-101): deregistered on 15 January 2026." in out
    assert "the publishing rules take it down" in out
    assert "Would record: Bravo Help (Companies House AB123456): in liquidation." in out
    assert "Dry run, nothing written." in out
    assert not RegisterRecord.objects.exists() and not SyncCursor.objects.exists()
    assert not StatusChange.objects.exists()
    assert registration(alpha).status == Check.Status.VERIFIED
    alpha.refresh_from_db(), bravo.refresh_from_db()
    assert alpha.status == bravo.status == Provider.Status.PUBLISHED


def test_without_keys_nothing_is_called_and_nothing_breaks(registers, alpha, settings):
    settings.CQC_API_KEY = settings.COMPANIES_HOUSE_API_KEY = ""
    out = sync()
    assert registers.log == []
    assert "CQC: skipped, CQC_API_KEY is not set. Nothing was called." in out
    assert "Companies House: skipped, COMPANIES_HOUSE_API_KEY is not set." in out
    assert not RegisterRecord.objects.exists()


def test_daily_runs_the_sync(registers, alpha):
    serve_location(registers, "1-101")
    out = StringIO()
    call_command("daily", stdout=out)
    assert "Alpha Care (CQC 1-101): registered and matches the listing." in out.getvalue()
    assert record_of(alpha).outcome == Outcome.CONFIRMED
