"""The database guards exist after every migration has run, on SQLite and PostgreSQL.

SQLite alters a column by rebuilding the table, which silently drops its triggers; a later
migration that touches an append-only table must put them back (see audit 0003). This test
reads which tables the migrations make append-only and checks the live database.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from kopdes.platform.core.triggers import AppendOnly

# Insert guards written as plain SQL in ledger/migrations/0002_triggers.py (both engines).
OTHER_GUARDS = {"ledger_line_insert_guard", "ledger_entry_insert_guard"}


def _append_only_tables() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        op.table
        for migration in loader.disk_migrations.values()
        for op in migration.operations
        if isinstance(op, AppendOnly)
    }


def _live_triggers() -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cur.fetchall()}


@pytest.mark.django_db
def test_every_append_only_table_keeps_its_triggers():
    tables = _append_only_tables()
    assert {"audit_auditevent", "ledger_journalentry", "ledger_journalline"} <= tables
    if connection.vendor == "postgresql":
        expected = {f"{t}_{kind}" for t in tables for kind in ("no_update", "no_truncate")}
    else:
        expected = {f"{t}_{kind}" for t in tables for kind in ("no_update", "no_delete")}
    missing = (expected | OTHER_GUARDS) - _live_triggers()
    assert missing == set(), f"triggers lost by a migration: {sorted(missing)}"
