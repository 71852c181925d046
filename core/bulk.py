"""Bulk writes of plain tuples: COPY on PostgreSQL, executemany elsewhere.

The one home for loading many rows fast, used by the postcode importer and the benchmark's
synthetic directory. Rows skip the ORM (no save(), no signals): callers that write listings tell
`providers.changes` themselves.
"""

import contextlib
import io
from datetime import date

from django.db import connection, models
from django.utils import timezone


class BulkTable:
    """Insert rows of `given` columns (attribute names) into a model's table; every other column
    gets the model's default, and `auto_now` fields the time the table was opened. A unique
    column with a default (an open data UUID) gets a new default for each row."""

    def __init__(self, model, given):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.table = model._meta.db_table
        fields = {field.attname: field for field in model._meta.concrete_fields}
        self.columns = [fields[name].column for name in given]
        self.constants = ()
        self.fresh = []
        for name, field in fields.items():
            if name in given or field.primary_key:
                continue
            if field.unique and callable(field.default):
                self.fresh.append(field)
                continue
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                value = now
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
            self.columns.append(field.column)
            self.constants += (value,)
        self.columns += [field.column for field in self.fresh]

    def _fresh_values(self):
        return tuple(field.get_db_prep_save(field.default(), connection) for field in self.fresh)

    def insert(self, rows):
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        rows = [tuple(row) + self.constants + self._fresh_values() for row in rows]
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the driver's own: no debug logging, COPY available
            if connection.vendor == "postgresql":
                copy = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                cursor.copy_expert(copy, io.StringIO("".join(map(copy_line, rows))))
                return
            placeholders = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, rows)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, date):  # and datetime: ISO 8601, with its offset when aware
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def copy_line(row):
    return "\t".join(map(copy_value, row)) + "\n"


@contextlib.contextmanager
def bulk_load_mode(tables):
    """Write fast into `tables`, then leave them exactly as the migrations made them.

    Indexes that back no constraint are dropped and built again after (one sorted build beats
    millions of scattered index inserts), foreign keys are checked once at the end rather than
    row by row, and SQLite gets a 256 MB page cache while writing only: timings run with the
    default cache, as a deployment does.
    """
    quote = connection.ops.quote_name
    vendor = connection.vendor
    indexes, foreign_keys, cache_size = [], [], None
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
            indexes = cursor.fetchall()
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA cache_size = -262144")
        elif vendor == "postgresql":
            cursor.execute(
                "SELECT index_class.relname, pg_get_indexdef(index_class.oid) FROM pg_index "
                "JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid "
                "JOIN pg_class table_class ON table_class.oid = pg_index.indrelid "
                "WHERE table_class.relname = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT table_class.relname, pg_constraint.conname, "
                "pg_get_constraintdef(pg_constraint.oid) FROM pg_constraint "
                "JOIN pg_class table_class ON table_class.oid = pg_constraint.conrelid "
                "WHERE pg_constraint.contype = 'f' AND table_class.relname = ANY(%s)",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    with connection.constraint_checks_disabled():  # SQLite's foreign keys; no-op elsewhere
        yield  # on an error or Ctrl-C, nothing to put back: the whole database is dropped
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:  # validates every row, in one pass
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        if cache_size is not None:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
    if vendor == "sqlite":
        connection.check_constraints(table_names=tables)


def analyse():
    """Planner statistics, as autovacuum would gather them on a live PostgreSQL database.

    SQLite is left as a deployment leaves it: Django never runs ANALYZE there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction; ANALYZE alone can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def no_statement_timeout(cursor):
    """Lift the web's statement time limit for the rest of this transaction (a bulk load)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL statement_timeout = 0")
