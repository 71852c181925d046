"""CSV out and in: staff export what they are looking at, and onboard new listings from a
spreadsheet with a preview first; any bad row stops the whole file."""

import csv
import io

import pytest
from django.urls import reverse

from providers.models import Check, CoverageDistrict, Provider

from ..factories import add_check, make_provider

IMPORT = reverse("admin:providers_provider_import")
PROCESS = reverse("admin:providers_provider_process_import")
EXPORT = reverse("admin:providers_provider_export")

HEADER = [
    "name", "summary", "legal_form", "workers", "base_postcode", "town", "coverage_radius_miles",
    "services", "who it is for", "districts", "dbs_verified_on", "dbs_expires_on",
]  # fmt: skip
GOOD = [
    ["Alpha Home Help", "Cleaning and shopping.", "sole_trader", "1", "CM1 1AE", "Chelmsford",
     "5", "cleaning;collecting-prescriptions-and-shopping", "older-people", "CM2", "2026-10-01", "2027-10-01"],
    ["Bravo Days Out", "Trips and company.", "Community interest company (CIC)", "4", "cm2 8qb",
     "Chelmsford", "10", "day-support", "", "", "", ""],
]  # fmt: skip


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, data, name="listings.csv"):
    return client.post(
        IMPORT, {"format": "0", "import_file": io.BytesIO(data) and _file(data, name)}
    )


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def officer(staff_client, postcodes):
    return staff_client


def test_preview_then_import_new_listings_as_drafts(officer, today):
    response = upload(officer, csv_bytes(GOOD))
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2
    assert not Provider.objects.exists()  # the preview writes nothing
    confirm = response.context["confirm_form"]
    response = officer.post(PROCESS, {**confirm.initial, "resource": "0"})
    assert response.status_code == 302
    alpha = Provider.objects.get(name="Alpha Home Help")
    assert alpha.status == "draft"
    assert alpha.base_postcode == "CM1 1AE"
    assert {s.slug for s in alpha.services.all()} == {
        "cleaning",
        "collecting-prescriptions-and-shopping",
    }
    assert list(alpha.districts.values_list("outward", flat=True)) == ["CM2"]
    dbs = alpha.checks.get(kind="dbs")
    assert (dbs.status, str(dbs.verified_on), str(dbs.expires_on)) == (
        "verified",
        "2026-10-01",
        "2027-10-01",
    )
    bravo = Provider.objects.get(name="Bravo Days Out")
    assert (bravo.legal_form, bravo.base_postcode) == ("cic", "CM2 8QB")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({4: "ZZ99 9ZZ"}, "We could not find ZZ99 9ZZ"),
        ({4: "not a postcode"}, "Enter a real postcode"),
        ({7: "cleaning;juggling"}, "Unknown services: juggling"),
        ({8: "dragons"}, "Unknown who it is for: dragons"),
        ({3: "9"}, "A micro-enterprise has 8 workers at most"),
        ({3: "many"}, "Enter a whole number"),
        ({9: "CM2 8QB"}, "is not a postcode district"),
        ({10: "2099-01-01"}, "The date verified must be today or in the past"),
        ({10: "31/12/2025"}, "Enter the date as year-month-day"),
        ({10: "2026-10-01", 11: "2020-01-01"}, "The expiry date must be after the date verified"),
        ({2: "pirate ship"}, "is not a valid choice"),
        ({0: ""}, "This field cannot be blank"),
    ],
)
def test_a_bad_row_is_explained_and_nothing_is_written(officer, change, message):
    rows = [list(GOOD[0]), list(GOOD[1])]
    for column, value in change.items():
        rows[1][column] = value
    response = upload(officer, csv_bytes(rows))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in response.context
    assert message in response.content.decode()
    assert not Provider.objects.exists()


def test_duplicate_rows_and_listings_already_there_are_refused(officer):
    response = upload(officer, csv_bytes([GOOD[0], GOOD[0]]))
    assert "This listing is also in row 1 of the file" in response.content.decode()
    make_provider(name="Bravo Days Out", base_postcode="CM2 8QB")
    response = upload(officer, csv_bytes([GOOD[1]]))
    assert "already has a listing with this name and postcode" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "empty.csv"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "picture.png"),
        ("name,summary\nCaf\u00e9,x\n".encode("utf-16"), "utf16.csv"),
        (b"name;summary\n\xff\xfe\xfa", "latin.csv"),
        (b"just one line of text with no columns", "text.csv"),
    ],
)
def test_files_that_are_not_a_listings_csv_get_a_message_not_an_error(officer, data, name):
    response = upload(officer, data, name)
    assert response.status_code in (200, 302)
    assert not Provider.objects.exists()
    if response.status_code == 200:
        html = response.content.decode()
        assert "errorlist" in html or "errornote" in html or "Errors" in html


def test_a_huge_file_is_refused_with_a_message(officer):
    rows = [[f"Listing {n}", "x", "sole_trader", "1", "CM1 1AE", "T", "5", "", "", "", "", ""]
            for n in range(5001)]  # fmt: skip
    response = upload(officer, csv_bytes(rows))
    assert response.status_code in (200, 302)
    assert not Provider.objects.exists()
    follow = officer.get(IMPORT) if response.status_code == 302 else response
    assert "import 5,000 or fewer at once" in follow.content.decode()


def test_export_has_checks_and_districts_and_escapes_formulas(officer, today):
    provider = make_provider(name='=HYPERLINK("http://evil","click")', phone="+44 1632 960001")
    CoverageDistrict.objects.create(provider=provider, outward="CM2")
    add_check(
        provider, "insurance", verified_on=today, expires_on=today.replace(year=today.year + 1)
    )
    make_provider(name="Hidden draft", status="draft")
    every_column = [name for name in officer.get(EXPORT).context["form"].fields if name.startswith("providerresource_")]  # fmt: skip
    response = officer.post(
        EXPORT + "?status__exact=published",
        {"format": "0", "resource": "0", **dict.fromkeys(every_column, "on")},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ['\'=HYPERLINK("http://evil","click")']
    row = rows[0]
    assert row["districts"] == "CM2"
    assert row["insurance_verified_on"] == today.isoformat()
    assert row["phone"] == "'+44 1632 960001"
    assert "Hidden draft" not in text.decode()


def test_round_trip_restores_escaped_cells(officer):
    from workbench.resources import escape_formula, unescape_formula

    for value in ["=1+1", "+44 1632", "-x", "@home", "\tTab", "Plain", ""]:
        assert unescape_formula(escape_formula(value)) == value


def test_import_is_for_staff_only(client, member_of_public, postcodes):
    assert client.get(IMPORT).status_code == 302
    client.force_login(member_of_public)
    assert client.get(IMPORT).status_code == 302
    assert Check.objects.count() == 0
