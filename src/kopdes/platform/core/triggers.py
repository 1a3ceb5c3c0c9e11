"""Database triggers that make a table append-only, on SQLite and PostgreSQL.

The ORM can be bypassed (``QuerySet.update()``, ``bulk_update()``, raw SQL), so immutability
is enforced by the database itself. Used from migrations with ``append_only_operations``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations

APPEND_ONLY_MESSAGE = "kopdes: {table} is append-only; correct by a new row, never edit"


@dataclass(frozen=True)
class TriggerSpec:
    """One trigger ``AppendOnly`` installs, as ``kopdes verify`` expects to find it."""

    name: str
    table: str
    events: tuple[str, ...]  # "UPDATE", "DELETE", "TRUNCATE", in the order written
    for_each: str  # "ROW" or "STATEMENT"
    body: str  # SQLite: the trigger's program; PostgreSQL: the body of ``function``
    function: str = ""  # PostgreSQL: the function the trigger executes

    def sqlite_create(self) -> str:
        """The CREATE statement (SQLite stores it without IF NOT EXISTS and the last ';')."""
        return (
            f"CREATE TRIGGER IF NOT EXISTS {self.name} BEFORE {' OR '.join(self.events)} "
            f"ON {self.table}\nBEGIN {self.body} END;"
        )

    def postgres_create(self) -> str:
        return (
            f"CREATE OR REPLACE TRIGGER {self.name} BEFORE {' OR '.join(self.events)} "
            f"ON {self.table}\nFOR EACH {self.for_each} EXECUTE FUNCTION {self.function}();"
        )


def append_only_triggers(table: str, vendor: str) -> list[TriggerSpec]:
    """The triggers that make ``table`` append-only on ``vendor``: the single source of
    both the migration's SQL and what ``kopdes verify`` checks in the live database."""
    msg = APPEND_ONLY_MESSAGE.format(table=table)
    if vendor == "postgresql":
        function = f"{table}_append_only"
        body = (
            f"BEGIN RAISE EXCEPTION '{msg}' USING ERRCODE = 'integrity_constraint_violation'; END;"
        )
        return [
            TriggerSpec(f"{table}_no_update", table, ("UPDATE", "DELETE"), "ROW", body, function),
            TriggerSpec(f"{table}_no_truncate", table, ("TRUNCATE",), "STATEMENT", body, function),
        ]
    body = f"SELECT RAISE(ABORT, '{msg}');"
    return [
        TriggerSpec(f"{table}_no_update", table, ("UPDATE",), "ROW", body),
        TriggerSpec(f"{table}_no_delete", table, ("DELETE",), "ROW", body),
    ]


def _sqlite_sql(table: str) -> tuple[str, str]:
    specs = append_only_triggers(table, "sqlite")
    forward = "\n" + "\n".join(spec.sqlite_create() for spec in specs) + "\n"
    reverse = " ".join(f"DROP TRIGGER IF EXISTS {spec.name};" for spec in specs)
    return forward, reverse


def _postgres_sql(table: str) -> tuple[str, str]:
    specs = append_only_triggers(table, "postgresql")
    function, body = specs[0].function, specs[0].body
    forward = (
        f"\nCREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n{body}\n"
        "$$ LANGUAGE plpgsql;\n" + "\n".join(spec.postgres_create() for spec in specs) + "\n"
    )
    reverse = "".join(f"DROP TRIGGER IF EXISTS {spec.name} ON {table};" for spec in specs)
    reverse += f"DROP FUNCTION IF EXISTS {function}();"
    return forward, reverse


def _run_script(schema_editor, script: str) -> None:
    """Run ``script`` statement by statement, as ``RunSQL`` runs its own SQL."""
    for statement in schema_editor.connection.ops.prepare_sql_script(script):
        schema_editor.execute(statement, params=None)


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
        _run_script(schema_editor, forward)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _, reverse = self._sql(schema_editor.connection.vendor)
        _run_script(schema_editor, reverse)

    def describe(self):
        return f"Make {self.table} append-only"
