"""CHECK constraints: journal entries, lines and balance rows carry a date and month in the
sane range 2000-01-01 .. 2199-12-31 (``kopdes.domain.dates``), below the ORM as well.

PostgreSQL adds a constraint in place. SQLite adds one by rebuilding the table, which drops
the table's triggers (the append-only guards, the insert guards and any other trigger on
these tables): they are read before and put back afterwards, word for word.
"""

import datetime as dt

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
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(condition=SANE_DATE, name="ledger_entry_date_sane"),
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_entry_period_sane"
            ),
        ),
        migrations.AddConstraint(
            model_name="journalline",
            constraint=models.CheckConstraint(condition=SANE_DATE, name="ledger_line_date_sane"),
        ),
        migrations.AddConstraint(
            model_name="journalline",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_line_period_sane"
            ),
        ),
        migrations.AddConstraint(
            model_name="accountbalance",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_balance_period_sane"
            ),
        ),
        migrations.AddConstraint(
            model_name="subledgerbalance",
            constraint=models.CheckConstraint(
                condition=SANE_PERIOD, name="ledger_subledger_balance_period_sane"
            ),
        ),
        migrations.RunPython(restore_triggers, migrations.RunPython.noop, elidable=False),
    ]
