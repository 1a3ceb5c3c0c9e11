"""Fewer index and trigger steps per journal insert (bench ledger_batch, ledger_posting).

- The single-column ``koperasi_id`` indexes of entries and lines go: the unique
  (koperasi, number) and the (koperasi, account, date) indexes lead with the same column.
  Dropped by name, not by AlterField: on SQLite AlterField rebuilds the whole table,
  which would copy every journal row and drop the table's triggers.
- SQLite: the line's insert guard makes its four checks in one statement (same order and
  messages as 0002).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

GUARDS_0002 = importlib.import_module("kopdes.ledger.migrations.0002_triggers")
GUARDS_0004 = importlib.import_module("kopdes.ledger.migrations.0004_single_pass_entry_guard")

INDEXES = {
    "ledger_journalentry_koperasi_id_b3c31c41": "ledger_journalentry",
    "ledger_journalline_koperasi_id_8f462cf4": "ledger_journalline",
}

LINE_GUARD = f"""
CREATE TRIGGER IF NOT EXISTS ledger_line_insert_guard BEFORE INSERT ON ledger_journalline
BEGIN
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id)
      THEN RAISE(ABORT, '{GUARDS_0002.LATE_LINE_MSG}')
    WHEN EXISTS (SELECT 1 FROM ledger_period WHERE koperasi_id = NEW.koperasi_id
                 AND period = NEW.period AND status = 'closed')
      THEN RAISE(ABORT, '{GUARDS_0002.CLOSED_MSG}')
    WHEN NEW.period != CAST(strftime('%Y%m', NEW.date) AS INTEGER)
      THEN RAISE(ABORT, '{GUARDS_0002.PERIOD_MSG}')
    WHEN NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id
                     AND koperasi_id = NEW.koperasi_id)
      THEN RAISE(ABORT, '{GUARDS_0002.FOREIGN_MSG}')
  END;
END
"""


# What the journal's guards are now (tests that switch them off put these back).
SQLITE_FORWARD = [LINE_GUARD, GUARDS_0004.ENTRY_GUARD]
SQLITE_REVERSE = GUARDS_0002.SQLITE_REVERSE


def forwards(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_line_insert_guard", params=None)
        schema_editor.execute(LINE_GUARD, params=None)


def backwards(apps, schema_editor):
    for name, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {table} (koperasi_id)", params=None)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_line_insert_guard", params=None)
        schema_editor.execute(GUARDS_0002.SQLITE_FORWARD[0], params=None)


def _unindexed_koperasi():
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="tenancy.koperasi",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_single_pass_entry_guard"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("journalentry", "koperasi", _unindexed_koperasi()),
                migrations.AlterField("journalline", "koperasi", _unindexed_koperasi()),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
