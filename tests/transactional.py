"""Tests in real transactions (the browser tests and some 40 more), made cheaper at both ends.

After each, Django empties every table; before the next, serialized_rollback puts back what the
migrations seeded (content types, permissions, the roles, the taxonomy). Measured on this 2-core
machine, those two steps cost 0.13 s a test on SQLite and 0.4 s on PostgreSQL, over some 165
tests; with the two changes below, 0.02 s and 0.06 s. The tests see the same tables either way."""

from collections import defaultdict

from django.core import serializers
from django.db import connections
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.transaction import atomic

_plans = {}  # (alias, the serialized string) -> [(model, [row, ...]), ...]


def _plan(data, alias):
    """Each model's rows as attribute dicts, models in the order Django serialized them, and the
    many-to-many links (a role's permissions) as rows of their through tables."""
    rows = defaultdict(list)
    for item in serializers.deserialize("json", data, using=alias):
        instance = item.object
        model = type(instance)
        rows[model].append({f.attname: getattr(instance, f.attname) for f in model._meta.fields})
        for name, pks in (item.m2m_data or {}).items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            rows[through].extend({source: instance.pk, target: pk} for pk in pks)
    return list(rows.items())


def bulk_restore(patch):
    """Restore with one INSERT a table, from rows parsed once a process, in one transaction with
    the same constraint checks at its end as Django's restore (`patch`: a MonkeyPatch)."""
    real = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize_db_from_string(creation, data):
        alias = creation.connection.alias
        if (alias, data) not in _plans:
            _plans[alias, data] = _plan(data, alias)
        plan = _plans[alias, data]
        if any(model._meta.parents for model, _ in plan):
            return real(creation, data)  # bulk_create cannot write a table another inherits
        connection = connections[alias]
        # The first such test finds the rows still there from the migrations (Django's restore
        # saves over them); after a flush they are all missing.
        with atomic(using=alias), connection.constraint_checks_disabled():
            for model, rows in plan:
                model._base_manager.using(alias).bulk_create(
                    [model(**row) for row in rows], ignore_conflicts=True
                )
        connection.check_constraints(table_names=[model._meta.db_table for model, _ in plan])

    patch.setattr(BaseDatabaseCreation, "deserialize_db_from_string", deserialize_db_from_string)


def delete_flush(patch):
    """Empty PostgreSQL's tables with DELETE, not TRUNCATE: a test leaves a few rows in each, and
    TRUNCATE gives each of some 80 tables new files (0.2 s a flush). Django's flush runs in one
    transaction and its foreign keys are checked at commit, so the order does not matter."""
    real = DatabaseOperations.sql_flush

    def sql_flush(operations, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return real(
                operations,
                style,
                tables,
                reset_sequences=reset_sequences,
                allow_cascade=allow_cascade,
            )
        return [f"DELETE FROM {operations.quote_name(table)};" for table in tables]

    patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
