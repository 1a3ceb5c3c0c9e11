"""``kopdes verify``: every append-only trigger the migrations installed is still there.

Someone with write access to the database file (SQLite) or the tables' owner role
(PostgreSQL) can drop or disable the triggers, rewrite history underneath them and put them
back, or leave them off. This check reads the live definitions and compares them with what
``triggers.AppendOnly`` installs (``triggers.append_only_triggers``: the same specs the
migrations' SQL is made from), for every ``AppendOnly`` operation of an applied migration:

* SQLite: the trigger exists in ``sqlite_master`` on its table with the very statement;
* PostgreSQL: the trigger exists on its table in the current schema, is enabled, fires
  BEFORE the expected events FOR EACH ROW/STATEMENT without a WHEN clause or column list,
  and executes the expected PL/pgSQL function, whose body is the one installed.
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db.migrations.loader import MigrationLoader

from kopdes.platform.core.triggers import AppendOnly, TriggerSpec, append_only_triggers
from kopdes.platform.core.verification import CheckResult, register

# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE, _INSTEAD = 1, 2, 4, 8, 16, 32, 64
_EVENT_BITS = {"INSERT": _INSERT, "DELETE": _DELETE, "UPDATE": _UPDATE, "TRUNCATE": _TRUNCATE}


def expected_tables(connection=default_connection) -> list[str]:
    """Tables made append-only by an ``AppendOnly`` operation of an applied migration."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = loader.applied_migrations or {}
    tables = {
        op.table
        for key, migration in loader.disk_migrations.items()
        if key in applied
        for op in migration.operations
        if isinstance(op, AppendOnly)
    }
    return sorted(tables)


def expected_triggers(connection=default_connection) -> list[TriggerSpec]:
    vendor = connection.vendor
    return [
        spec
        for table in expected_tables(connection)
        for spec in append_only_triggers(table, vendor)
    ]


def _squash(sql: str) -> str:
    return " ".join(sql.split())


def _sqlite_problems(cursor, specs: list[TriggerSpec]) -> list[str]:
    cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    live = {name: (table, sql or "") for name, table, sql in cursor.fetchall()}
    problems = []
    for spec in specs:
        if spec.name not in live:
            problems.append(_missing(spec))
            continue
        table, sql = live[spec.name]
        expected = spec.sqlite_create().replace(" IF NOT EXISTS", "", 1).rstrip(";")
        if table != spec.table or _squash(sql) != _squash(expected):
            problems.append(_changed(spec, sql))
    return problems


_PG_TRIGGERS = """
SELECT t.tgname, c.relname, t.tgtype, t.tgenabled,
       t.tgqual IS NULL AND cardinality(t.tgattr::int2[]) = 0,
       p.proname, l.lanname, p.prosrc, pg_get_triggerdef(t.oid)
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_language l ON l.oid = p.prolang
WHERE NOT t.tgisinternal AND n.nspname = current_schema()
"""


def _pg_problems(cursor, specs: list[TriggerSpec]) -> list[str]:
    cursor.execute(_PG_TRIGGERS)
    live = {row[0]: row[1:] for row in cursor.fetchall()}
    problems = []
    for spec in specs:
        if spec.name not in live:
            problems.append(_missing(spec))
            continue
        table, tgtype, enabled, plain, function, language, body, definition = live[spec.name]
        events = sum(_EVENT_BITS[e] for e in spec.events)
        expected_type = _BEFORE | events | (_ROW if spec.for_each == "ROW" else 0)
        if table != spec.table or tgtype != expected_type or not plain or function != spec.function:
            problems.append(_changed(spec, definition))
        elif enabled not in ("O", "A"):  # D: disabled; R: fires only for replication
            problems.append(
                f"pemicu {spec.name} pada tabel {spec.table} dimatikan (DISABLE TRIGGER): "
                "tabel ini dapat diubah atau dihapus tanpa jejak"
            )
        elif language != "plpgsql" or _squash(body) != _squash(spec.body):
            problems.append(
                f"fungsi {spec.function}() yang dijalankan pemicu {spec.name} berbeda dari "
                "yang dipasang migrasi: penolakan UPDATE/DELETE bisa sudah tidak berlaku"
            )
    return problems


def _missing(spec: TriggerSpec) -> str:
    return (
        f"pemicu {spec.name} pada tabel {spec.table} tidak ada: "
        "tabel ini dapat diubah atau dihapus tanpa jejak"
    )


def _changed(spec: TriggerSpec, actual: str) -> str:
    return (
        f"pemicu {spec.name} pada tabel {spec.table} berbeda dari yang dipasang migrasi "
        f"(sekarang: {_squash(actual)[:200]})"
    )


def trigger_problems(connection=default_connection) -> tuple[int, list[str]]:
    """(triggers expected, every missing, disabled or altered one) on ``connection``."""
    specs = expected_triggers(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            problems = _pg_problems(cursor, specs)
        else:
            problems = _sqlite_problems(cursor, specs)
    return len(specs), problems


@register("core.triggers")
def check_append_only_triggers(koperasi=None) -> CheckResult:
    """The triggers guard whole tables, so ``koperasi`` does not narrow this check."""
    result = CheckResult(name="pemicu append-only", unit="pemicu")
    result.checked, result.problems = trigger_problems()
    return result
