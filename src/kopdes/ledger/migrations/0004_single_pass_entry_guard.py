"""SQLite: the entry's insert guard reads its lines in one pass instead of four.

0002's guard ran COUNT, SUM(debit), SUM(credit) and the koperasi/date check as four
separate scans of the entry's lines; in a batch import that was most of the insert time
(bench ledger_batch). The checks and messages are the same; PostgreSQL's guard already
aggregates once (``ledger_entry_lines_ok``) and is untouched.
"""

import importlib

from django.db import migrations

GUARDS_0002 = importlib.import_module("kopdes.ledger.migrations.0002_triggers")

ENTRY_GUARD = f"""
CREATE TRIGGER IF NOT EXISTS ledger_entry_insert_guard BEFORE INSERT ON ledger_journalentry
BEGIN
  SELECT RAISE(ABORT, '{GUARDS_0002.CLOSED_MSG}')
  WHERE EXISTS (SELECT 1 FROM ledger_period WHERE koperasi_id = NEW.koperasi_id
                AND period = NEW.period AND status = 'closed');
  SELECT RAISE(ABORT, '{GUARDS_0002.PERIOD_MSG}')
  WHERE NEW.period != CAST(strftime('%Y%m', NEW.date) AS INTEGER);
  SELECT CASE
    WHEN lines.n != NEW.line_count OR lines.debit != NEW.total_amount
         OR lines.credit != NEW.total_amount
      THEN RAISE(ABORT, '{GUARDS_0002.UNBALANCED_MSG}')
    WHEN lines.foreign_ > 0 THEN RAISE(ABORT, '{GUARDS_0002.FOREIGN_MSG}')
  END
  FROM (SELECT COUNT(*) AS n,
               COALESCE(SUM(CASE WHEN side = 'D' THEN amount END), 0) AS debit,
               COALESCE(SUM(CASE WHEN side = 'C' THEN amount END), 0) AS credit,
               COALESCE(SUM(koperasi_id != NEW.koperasi_id OR date != NEW.date), 0) AS foreign_
          FROM ledger_journalline WHERE entry_id = NEW.id) AS lines;
END
"""

# What the journal's guards are after 0004 (0005 re-exports them with its line guard).
SQLITE_FORWARD = [GUARDS_0002.SQLITE_FORWARD[0], ENTRY_GUARD]
SQLITE_REVERSE = GUARDS_0002.SQLITE_REVERSE


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_insert_guard", params=None)
        schema_editor.execute(ENTRY_GUARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_insert_guard", params=None)
        schema_editor.execute(GUARDS_0002.SQLITE_FORWARD[1], params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_entryattachment")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
