"""The ORUK feed carries the regulator's ID as an organisation identifier, and the day the CQC's
register last confirmed it, and still passes the standard's schemas."""

from io import StringIO

import pytest
from django.core.management import call_command

from opendata.schemas import validator

from .conftest import location_json, personal_care_listing

API = "/api/oruk/"


def valid(data, schema):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(data)]
    assert errors == [], errors
    return data


@pytest.fixture
def confirmed(registers, postcodes):
    listing = personal_care_listing()
    registers.expect_request("/cqc/public/v1/locations/1-101").respond_with_json(
        location_json("1-101")
    )
    call_command("sync_registers", stdout=StringIO())
    return listing


def test_the_regulators_id_and_when_it_was_confirmed(client, confirmed, today):
    service = valid(client.get(f"{API}services/{confirmed.open_id}").json(), "service.json")
    identifiers = service["organization"]["organization_identifiers"]
    by_type = {row["identifier_type"]: row for row in identifiers}
    assert by_type["CQC location ID"]["identifier"] == "1-101"
    assert by_type["CQC location ID"]["identifier_scheme"] == "Care Quality Commission"
    assert by_type["CQC provider ID"]["identifier"] == "1-900000001"
    assert f"Last confirmed on the CQC register on {today.isoformat()}" in service["accreditations"]
    organization = client.get(f"{API}organizations/{confirmed.organization_open_id}").json()
    valid(organization, "organization.json")
    assert "1-101" in {row["identifier"] for row in organization["organization_identifiers"]}
    for page in (client.get(f"{API}services", {"full": "true"}).json(),):
        valid(page, "service_list.json")


def test_not_yet_confirmed_carries_the_id_without_a_date(client, postcodes):
    listing = personal_care_listing()
    service = valid(client.get(f"{API}services/{listing.open_id}").json(), "service.json")
    identifiers = service["organization"]["organization_identifiers"]
    assert [row["identifier"] for row in identifiers] == ["1-101"]
    assert "Last confirmed on the CQC register" not in service["accreditations"]


def test_the_open_data_page_gives_the_registers_attribution(client, db):
    page = client.get("/open-data/").content.decode()
    assert "Contains CQC information licensed under the Open Government Licence v3.0" in page
    assert "Contains Companies House data licensed under the Open Government Licence v3.0" in page
