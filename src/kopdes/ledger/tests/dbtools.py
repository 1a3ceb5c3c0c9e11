"""Test helpers that reach underneath the journal's database guards (tamper tests only)."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection

from kopdes.platform.core.triggers import _sqlite_sql

GUARDS = importlib.import_module("kopdes.ledger.migrations.0005_line_guard_and_tenant_indexes")
TABLES = ("ledger_journalentry", "ledger_journalline")


def _sqlite_statements(script: str) -> list[str]:
    parts = [p.strip() for p in script.split("END;")]
    return [p + " END;" for p in parts if p]


@contextmanager
def guards_off():
    """Switch off every ledger trigger (PostgreSQL: DISABLE TRIGGER USER; SQLite: drop and
    recreate afterwards), as an attacker with table access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred trigger events are queued: fire them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            for statement in GUARDS.SQLITE_REVERSE:
                cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for table in TABLES:
                    for statement in _sqlite_statements(_sqlite_sql(table)[0]):
                        cursor.execute(statement)
                for statement in GUARDS.SQLITE_FORWARD:
                    cursor.execute(statement)


def db_id(value):
    """A UUID as the database stores it (hex on SQLite)."""
    return value if connection.features.has_native_uuid_field else value.hex
