"""CHECK constraints: journal entries, lines and balance rows carry a date and month in the
sane range 2000-01-01 .. 2199-12-31 (``kopdes.domain.dates``), below the ORM as well.

PostgreSQL adds a constraint in place. SQLite adds one by rebuilding the table, which drops
the table's triggers (the append-only guards, the insert guards and any other trigger on
these tables): they are read before and put back afterwards, word for word.

An upgrade is never blocked by rows written before this release (an entry dated
0001-01-01 cannot be removed: the journal is append-only): such a table gets its constraint
NOT VALID on PostgreSQL (new rows are checked, the old ones stay for ``kopdes verify`` to
report) and none on SQLite (which cannot add a CHECK without copying the old rows through
it); a warning names the table and the count.
"""

import datetime as dt
import sys

from django.db import migrations, models

TABLES = (
    "ledger_journalentry",
    "ledger_journalline",
    "ledger_accountbalance",
    "ledger_subledgerbalance",
)
_saved: list[str] = []

SANE_DATE = models.Q(date__gte=dt.date(2000, 1, 1)) & models.Q(date__lte=dt.date(2199, 12, 31))
SANE_PERIOD = models.Q(period__gte=200001) & models.Q(period__lte=219912)


# The column each constraint guards and its bounds (as SQL literals).
BOUNDS = {"date": ("'2000-01-01'", "'2199-12-31'"), "period": ("200001", "219912")}


class SaneCheck(migrations.AddConstraint):
    """``AddConstraint`` that tolerates rows already outside the range (see above)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        table = model._meta.db_table
        column = "date" if self.constraint.name.endswith("date_sane") else "period"
        low, high = BOUNDS[column]
        outside = f'"{column}" < {low} OR "{column}" > {high}'
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {outside}")  # noqa: S608 (constants)
            (count,) = cursor.fetchone()
        if not count:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        print(
            f"kopdes: {table} holds {count} row(s) with {column} outside the sane range; "
            f"{self.constraint.name} checks new rows only. Run kopdes verify.",
            file=sys.stderr,
        )
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE {table} ADD CONSTRAINT "{self.constraint.name}" '
                f'CHECK ("{column}" >= {low} AND "{column}" <= {high}) NOT VALID',
                params=None,
            )


def save_triggers(apps, schema_editor):
    """SQLite: keep and drop every trigger on or naming these tables (a trigger that names
    a table being renamed makes the rebuild fail)."""
    _saved.clear()
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    for name, table, sql in sorted(rows):
        if table in TABLES or any(t in (sql or "") for t in TABLES):
            _saved.append(sql)
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"', params=None)


def restore_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _saved:
        schema_editor.execute(sql, params=None)
    _saved.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_shu_statement_accounts"),
        ("tenancy", "0002_koperasi_books_start"),
    ]

    operations = [
        migrations.RunPython(save_triggers, migrations.RunPython.noop, elidable=False),
        SaneCheck(
            model_name="journalentry",
            constraint=models.CheckConstraint(condition=SANE_DATE, name="ledger_entry_date_sane"),
        ),
        SaneCheck(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_entry_period_sane"
            ),
        ),
        SaneCheck(
            model_name="journalline",
            constraint=models.CheckConstraint(condition=SANE_DATE, name="ledger_line_date_sane"),
        ),
        SaneCheck(
            model_name="journalline",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_line_period_sane"
            ),
        ),
        SaneCheck(
            model_name="accountbalance",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_balance_period_sane"
            ),
        ),
        SaneCheck(
            model_name="subledgerbalance",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_subledger_balance_period_sane"
            ),
        ),
        migrations.RunPython(restore_triggers, migrations.RunPython.noop, elidable=False),
    ]
