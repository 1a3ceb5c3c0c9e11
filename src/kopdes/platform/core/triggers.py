"""Database triggers that make a table append-only, on SQLite and PostgreSQL.

The ORM can be bypassed (``QuerySet.update()``, ``bulk_update()``, raw SQL), so immutability
is enforced by the database itself. Used from migrations with ``append_only_operations``.
"""

from __future__ import annotations

from django.db import migrations

APPEND_ONLY_MESSAGE = "kopdes: {table} is append-only; correct by a new row, never edit"


def _sqlite_sql(table: str) -> tuple[str, str]:
    msg = APPEND_ONLY_MESSAGE.format(table=table)
    forward = f"""
CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{msg}'); END;
CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{msg}'); END;
"""
    reverse = f"DROP TRIGGER IF EXISTS {table}_no_update; DROP TRIGGER IF EXISTS {table}_no_delete;"
    return forward, reverse


def _postgres_sql(table: str) -> tuple[str, str]:
    msg = APPEND_ONLY_MESSAGE.format(table=table)
    forward = f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{msg}' USING ERRCODE = 'integrity_constraint_violation'; END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
"""
    reverse = (
        f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};"
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
        f"DROP FUNCTION IF EXISTS {table}_append_only();"
    )
    return forward, reverse


class AppendOnly(migrations.RunSQL):
    """Migration operation: install the append-only triggers for ``table`` on any vendor."""

    def __init__(self, table: str):
        self.table = table
        super().__init__(sql="", reverse_sql="")

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table], {})

    def _sql(self, vendor: str) -> tuple[str, str]:
        return _postgres_sql(self.table) if vendor == "postgresql" else _sqlite_sql(self.table)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        forward, _ = self._sql(schema_editor.connection.vendor)
        self._run_sql(schema_editor, forward)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _, reverse = self._sql(schema_editor.connection.vendor)
        self._run_sql(schema_editor, reverse)

    def describe(self):
        return f"Make {self.table} append-only"
