"""The open CSV and the Open data page: every published listing once, documented columns,
nothing a spreadsheet would run, in both languages."""

import csv
import io

from django.urls import reverse

from opendata.export import COLUMNS

from ..factories import make_provider


def rows(client):
    response = client.get(reverse("open-data-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_one_row_per_published_listing(client, postcodes):
    published = make_provider(name="Alpha Care", welsh_spoken=True)
    make_provider(name="Draft Help", status="draft")
    (row,) = rows(client)
    assert list(row) == [name for name, _words in COLUMNS]
    assert row["service_id"] == str(published.open_id)
    assert row["name"] == "Alpha Care" and row["welsh_spoken"] == "yes"
    assert row["dbs_checked"] and row["dbs_valid_until"]
    assert row["area"] == "Chelmsford (CM1 1)"
    assert "CM1 1RW" not in str(row) and "PRIVATE-STAFF-NOTE" not in str(row)


def test_nothing_runs_as_a_formula(client, postcodes):
    make_provider(name='=HYPERLINK("http://evil.example")', summary="+1 cmd|' /C calc'!A0")
    (row,) = rows(client)
    assert row["name"].startswith("'=") and row["summary"].startswith("'+")


def test_the_open_data_page_lists_both_with_the_licence(client, db):
    english = client.get(reverse("open-data")).content.decode()
    assert "/api/oruk/services" in english and "/open-data/listings.csv" in english
    assert "Open Government Licence v3.0" in english and "service_id" in english
    welsh = client.get("/cy/open-data/").content.decode()
    assert "Data agored" in welsh and "Drwydded Llywodraeth Agored" in welsh
