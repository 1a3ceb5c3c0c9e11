"""Database-level guards of the journal (SQLite and PostgreSQL).

- entries and lines are append-only (UPDATE/DELETE refused);
- lines are written first, then their entry (foreign keys are deferred): the entry's
  BEFORE INSERT trigger checks its lines exist, balance, match its totals, date and
  koperasi; a line for an entry that already exists is refused (no lines added later);
- nothing is inserted into a closed month;
- PostgreSQL also re-checks each entry's balance at COMMIT (deferred constraint trigger).
"""

from django.db import migrations

from kopdes.platform.core.triggers import AppendOnly

CLOSED_MSG = "kopdes: the month is closed (tutup buku); no postings"
LATE_LINE_MSG = "kopdes: lines cannot be added to a posted entry"
UNBALANCED_MSG = "kopdes: entry lines missing or unbalanced"
FOREIGN_MSG = "kopdes: line account, date or koperasi does not match its entry"
PERIOD_MSG = "kopdes: period does not match the date"

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER IF NOT EXISTS ledger_line_insert_guard BEFORE INSERT ON ledger_journalline
BEGIN
  SELECT RAISE(ABORT, '{LATE_LINE_MSG}')
  WHERE EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id);
  SELECT RAISE(ABORT, '{CLOSED_MSG}')
  WHERE EXISTS (SELECT 1 FROM ledger_period WHERE koperasi_id = NEW.koperasi_id
                AND period = NEW.period AND status = 'closed');
  SELECT RAISE(ABORT, '{PERIOD_MSG}')
  WHERE NEW.period != CAST(strftime('%Y%m', NEW.date) AS INTEGER);
  SELECT RAISE(ABORT, '{FOREIGN_MSG}')
  WHERE NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id
                    AND koperasi_id = NEW.koperasi_id);
END
""",
    f"""
CREATE TRIGGER IF NOT EXISTS ledger_entry_insert_guard BEFORE INSERT ON ledger_journalentry
BEGIN
  SELECT RAISE(ABORT, '{CLOSED_MSG}')
  WHERE EXISTS (SELECT 1 FROM ledger_period WHERE koperasi_id = NEW.koperasi_id
                AND period = NEW.period AND status = 'closed');
  SELECT RAISE(ABORT, '{PERIOD_MSG}')
  WHERE NEW.period != CAST(strftime('%Y%m', NEW.date) AS INTEGER);
  SELECT RAISE(ABORT, '{UNBALANCED_MSG}')
  WHERE (SELECT COUNT(*) FROM ledger_journalline WHERE entry_id = NEW.id) != NEW.line_count
     OR (SELECT COALESCE(SUM(amount), 0) FROM ledger_journalline
         WHERE entry_id = NEW.id AND side = 'D') != NEW.total_amount
     OR (SELECT COALESCE(SUM(amount), 0) FROM ledger_journalline
         WHERE entry_id = NEW.id AND side = 'C') != NEW.total_amount;
  SELECT RAISE(ABORT, '{FOREIGN_MSG}')
  WHERE EXISTS (SELECT 1 FROM ledger_journalline WHERE entry_id = NEW.id
                AND (koperasi_id != NEW.koperasi_id OR date != NEW.date));
END
""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_line_insert_guard",
    "DROP TRIGGER IF EXISTS ledger_entry_insert_guard",
]

PG_FORWARD = [
    f"""
CREATE OR REPLACE FUNCTION ledger_line_insert_guard() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id) THEN
    RAISE EXCEPTION '{LATE_LINE_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM ledger_period WHERE koperasi_id = NEW.koperasi_id
             AND period = NEW.period AND status = 'closed') THEN
    RAISE EXCEPTION '{CLOSED_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.period <> (EXTRACT(YEAR FROM NEW.date) * 100 + EXTRACT(MONTH FROM NEW.date)) THEN
    RAISE EXCEPTION '{PERIOD_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id
                 AND koperasi_id = NEW.koperasi_id) THEN
    RAISE EXCEPTION '{FOREIGN_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER ledger_line_insert_guard BEFORE INSERT ON ledger_journalline
FOR EACH ROW EXECUTE FUNCTION ledger_line_insert_guard()
""",
    f"""
CREATE OR REPLACE FUNCTION ledger_entry_lines_ok(e ledger_journalentry) RETURNS boolean AS $$
DECLARE n integer; d bigint; c bigint; bad integer;
BEGIN
  SELECT COUNT(*),
         COALESCE(SUM(amount) FILTER (WHERE side = 'D'), 0),
         COALESCE(SUM(amount) FILTER (WHERE side = 'C'), 0),
         COUNT(*) FILTER (WHERE koperasi_id <> e.koperasi_id OR date <> e.date)
    INTO n, d, c, bad
    FROM ledger_journalline WHERE entry_id = e.id;
  RETURN n = e.line_count AND n >= 2 AND d = e.total_amount AND c = e.total_amount AND bad = 0;
END $$ LANGUAGE plpgsql
""",
    f"""
CREATE OR REPLACE FUNCTION ledger_entry_insert_guard() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ledger_period WHERE koperasi_id = NEW.koperasi_id
             AND period = NEW.period AND status = 'closed') THEN
    RAISE EXCEPTION '{CLOSED_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.period <> (EXTRACT(YEAR FROM NEW.date) * 100 + EXTRACT(MONTH FROM NEW.date)) THEN
    RAISE EXCEPTION '{PERIOD_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NOT ledger_entry_lines_ok(NEW) THEN
    RAISE EXCEPTION '{UNBALANCED_MSG}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER ledger_entry_insert_guard BEFORE INSERT ON ledger_journalentry
FOR EACH ROW EXECUTE FUNCTION ledger_entry_insert_guard()
""",
    f"""
CREATE OR REPLACE FUNCTION ledger_entry_balanced_at_commit() RETURNS trigger AS $$
DECLARE e ledger_journalentry;
BEGIN
  SELECT * INTO e FROM ledger_journalentry WHERE id = NEW.id;
  IF NOT FOUND OR NOT ledger_entry_lines_ok(e) THEN
    RAISE EXCEPTION '{UNBALANCED_MSG} (at commit)' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
""",
    """
CREATE CONSTRAINT TRIGGER ledger_entry_balanced_at_commit
AFTER INSERT ON ledger_journalentry DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced_at_commit()
""",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_balanced_at_commit ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_entry_insert_guard ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_line_insert_guard ON ledger_journalline",
    "DROP FUNCTION IF EXISTS ledger_entry_balanced_at_commit()",
    "DROP FUNCTION IF EXISTS ledger_entry_insert_guard()",
    "DROP FUNCTION IF EXISTS ledger_entry_lines_ok(ledger_journalentry)",
    "DROP FUNCTION IF EXISTS ledger_line_insert_guard()",
]


class JournalGuards(migrations.RunSQL):
    """Install the insert guards for the connection's vendor."""

    def __init__(self):
        super().__init__(sql="", reverse_sql="")

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for statement in PG_FORWARD if vendor == "postgresql" else SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for statement in PG_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
            schema_editor.execute(statement, params=None)

    def describe(self):
        return "Journal insert guards (balance, closed months, late lines)"


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        AppendOnly("ledger_journalentry"),
        AppendOnly("ledger_journalline"),
        JournalGuards(),
    ]
