"""The work queue's "Differences with the registers": what the nightly check found, at once."""

from io import StringIO

from django.core.management import call_command

from providers.models import Provider, Service
from registers.models import RegisterRecord
from registers.services import register_record_mark_seen
from workbench.queue import work_queue

from ..factories import make_provider
from .conftest import company_json, location_json, personal_care_listing


def section():
    return next(s for s in work_queue() if s.key == "registers")


def sync():
    call_command("sync_registers", stdout=StringIO())


def test_what_the_registers_found_is_queued_most_serious_first(registers, postcodes, staff_user):
    alpha = personal_care_listing()
    bravo = personal_care_listing(name="Bravo Care", reference="1-202")
    charlie = make_provider(
        name="Charlie Help",
        legal_form="limited_company",
        workers=3,
        companies_house_number="AB123456",
        services=Service.objects.filter(slug="gardening"),
    )
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_json(
        location_json("1-101", postcode="CO1 1AA")
    )
    registers.expect_request("/cqc/public/v1/locations/1-202").respond_with_json(
        location_json("1-202", status="Deregistered")
    )
    registers.expect_request("/ch/company/AB123456").respond_with_json(
        company_json("AB123456", status="dissolved")
    )
    sync()
    found = section()
    assert found.count == 3
    assert [item.text.split(",")[0] for item in found.items] == [
        "Bravo Care",
        "Charlie Help",
        "Alpha Care",
    ]
    deregistered, dissolved, differs = found.items
    assert (
        deregistered.urgent and "1-202 was deregistered on 15 January 2026" in deregistered.detail
    )
    assert deregistered.url.startswith(
        f"/staff/listings/{bravo.pk}/"
    ) and deregistered.url.endswith("#register-panel")
    assert (
        dissolved.detail
        == "Companies House: Companies House says the company is dissolved on 3 February 2026."
    )
    assert not differs.urgent and "not the listing's district CM1" in differs.detail
    # The deregistered listing is also where the rules put it.
    assert Provider.objects.get(pk=bravo.pk).status == Provider.Status.SUSPENDED
    register_record_mark_seen(
        record=RegisterRecord.objects.get(provider=alpha), by=staff_user, notes="Office address."
    )
    assert section().count == 2
    assert charlie.pk in {
        r.provider_id for r in RegisterRecord.objects.filter(outcome="not_active")
    }


def test_could_not_check_is_queued_with_the_last_answer(registers, postcodes):
    personal_care_listing()
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_json(
        location_json("1-101")
    )
    sync()
    assert section().count == 0
    registers.clear()
    registers.expect_request("/cqc/public/v1/changes/location").respond_with_json(
        {"changes": ["1-101"], "page": 1, "totalPages": 1, "total": 1}
    )
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_data("", status=504)
    sync()
    found = section()
    assert found.count == 1
    assert found.items[0].detail.startswith(
        "CQC: could not check (the register answered 504); last answered"
    )
    assert not found.items[0].urgent


def test_the_queue_page_shows_the_section(staff_client, registers, postcodes):
    personal_care_listing()
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_json(
        location_json("1-101", status="Deregistered")
    )
    sync()
    page = staff_client.get("/staff/").content.decode()
    assert "Differences with the registers" in page
    assert "was deregistered on 15 January 2026" in page


def test_the_list_behind_the_count(staff_client, registers, postcodes):
    personal_care_listing()
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_json(
        location_json("1-101", postcode="CO1 1AA")
    )
    sync()
    response = staff_client.get("/staff/registers/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == section().count == 1
    page = response.content.decode()
    assert "Alpha Care" in page and "is in CO1" in page
    assert staff_client.get("/staff/registers/?page=x").status_code == 200
