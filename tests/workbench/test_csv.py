"""CSV out and in: staff export what they are looking at, and onboard new listings from a
spreadsheet with a preview first; any bad row stops the whole file."""

import csv
import io
from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from places.models import Postcode
from providers.models import Audience, Check, CoverageDistrict, Provider, Service

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


def many_rows(count, today):
    """`count` good rows as a council's spreadsheet might have them: the demo postcodes in turn,
    a few services and who they are for, a district or none, checks verified on a few days."""
    postcodes = list(Postcode.objects.order_by("postcode").values_list("postcode", flat=True))
    services = list(Service.objects.values_list("slug", flat=True))
    audiences = list(Audience.objects.values_list("slug", flat=True))
    rows = []
    for n in range(count):
        verified = today - timedelta(days=n % 5 + 1)
        rows.append(
            [f"Helping Hands {n}", "Help at home.", "sole_trader", str(n % 8 + 1),
             postcodes[n % len(postcodes)], "Chelmsford", "5",
             ";".join(services[n % len(services) : n % len(services) + 2]),
             audiences[n % len(audiences)], ["", "CM2", "CM1;CM3"][n % 3],
             verified.isoformat(), (verified + timedelta(days=365)).isoformat()]
        )  # fmt: skip
    return rows


def queries_to_preview(client, rows):
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, csv_bytes(rows))
    assert "confirm_form" in response.context
    return len(queries), response


def test_a_preview_asks_the_database_the_same_few_things_however_long_the_file(officer, today):
    # It used to ask about each row, and save it and roll back: 136 seconds for 1,000 rows.
    rows = many_rows(300, today)
    fewer, _ = queries_to_preview(officer, rows[:150])
    more, response = queries_to_preview(officer, rows)
    assert more == fewer < 30
    assert response.context["result"].totals["new"] == 300
    assert not Provider.objects.exists()


def test_hundreds_of_rows_are_imported_with_their_parts_and_audit_entries(
    officer, staff_user, today
):
    rows = many_rows(300, today)
    response = upload(officer, csv_bytes(rows))
    confirm = {**response.context["confirm_form"].initial, "resource": "0"}
    with CaptureQueriesContext(connection) as queries:
        response = officer.post(PROCESS, confirm)
    assert response.status_code == 302
    # INSERTs of many rows each (SQLite takes at most 999 values a statement, so more there):
    # never queries for each row, as the import used to make (47 a row).
    assert len(queries) < len(rows) / 3
    assert Provider.objects.filter(status="draft").count() == 300
    listing = Provider.objects.get(name="Helping Hands 2")
    assert listing.districts.count() == 2 and listing.services.count() == 2
    assert listing.checks.get().verified_on == today - timedelta(days=3)
    assert listing.last_checked_on == today - timedelta(days=3)  # derived columns worked out
    assert listing.area_sector and listing.area_latitude is not None
    slugs = set(Provider.objects.values_list("slug", flat=True))
    assert len(slugs) == 300
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE)
    assert created.count() == 300 + Check.objects.count() + CoverageDistrict.objects.count()
    assert set(LogEntry.objects.values_list("actor", flat=True)) == {staff_user.pk}


def test_an_imported_listings_audit_entries_are_those_saving_it_would_make(officer, staff_user):
    row = list(GOOD[0])
    row[8] = "older-people;dementia"
    response = upload(officer, csv_bytes([row]))
    officer.post(PROCESS, {**response.context["confirm_form"].initial, "resource": "0"})
    imported = Provider.objects.get()
    with set_actor(staff_user):  # what a listing saved row by row records, as imports used to
        fields = [f.attname for f in Provider._meta.concrete_fields if f.attname != "id"]
        saved = Provider(
            **{name: getattr(imported, name) for name in fields if name not in DIFFERENT}
        )
        saved.save()
        saved.services.set(imported.services.all())
        saved.audiences.set(imported.audiences.all())
        for district in imported.districts.all():
            CoverageDistrict.objects.create(provider=saved, outward=district.outward)
        for check in imported.checks.all():
            check.pk, check.provider = None, saved
            check.save()

    def trail(provider):
        entries = LogEntry.objects.filter(
            Q(content_type__model="provider", object_pk=str(provider.pk))
            | Q(additional_data__provider=provider.pk)
        )
        return [_comparable(entry) for entry in entries.order_by("pk")]

    assert len(trail(imported)) == 5  # the listing, services, who for, a district, a check
    assert trail(imported) == trail(saved)


DIFFERENT = ["slug", "open_id", "organization_open_id", "created_at"]  # two listings' own


def _comparable(entry):
    """An audit entry without what two listings cannot share: their ids, slugs and so on."""
    changes = {
        name: value
        for name, value in entry.changes_dict.items()
        if name not in ("id", "provider", *DIFFERENT)
    }
    parts = sorted(entry.additional_data or {})
    return (
        entry.content_type.model,
        entry.action,
        entry.object_repr,
        entry.actor_id,
        parts,
        changes,
    )


def test_a_row_refused_at_the_last_moment_writes_nothing_and_says_so(officer):
    response = upload(officer, csv_bytes(GOOD))
    confirm = {**response.context["confirm_form"].initial, "resource": "0"}
    make_provider(name="Bravo Days Out", base_postcode="CM2 8QB")  # added since the preview
    response = officer.post(PROCESS, confirm, follow=True)
    page = response.content.decode()
    assert "Nothing was imported: row 2 was refused" in page
    assert "already has a listing with this name and postcode" in page
    assert "Import finished" not in page
    assert not Provider.objects.filter(name="Alpha Home Help").exists()
    assert not LogEntry.objects.filter(object_repr="Alpha Home Help").exists()


def test_every_refused_row_in_a_long_file_is_shown(officer, today):
    rows = many_rows(200, today)
    make_provider(name="Already Here", base_postcode="CM1 1AE")
    rows[49][4] = "ZZ99 9ZZ"
    rows[119] = list(rows[2])
    rows[179][0], rows[179][4] = "already here", "cm1 1ae"
    rows[189][7] = "juggling"
    response = upload(officer, csv_bytes(rows))
    html = response.content.decode()
    assert "confirm_form" not in response.context
    invalid = {row.number for row in response.context["result"].invalid_rows}
    assert invalid == {50, 120, 180, 190}
    for message in [
        "We could not find ZZ99 9ZZ",
        "This listing is also in row 3 of the file",
        "already has a listing with this name and postcode",
        "Unknown services: juggling",
    ]:
        assert message in html
    assert Provider.objects.count() == 1


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
