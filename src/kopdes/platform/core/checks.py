"""System checks for the promises that settings alone can break (durability, prepared
statements)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database, deploy=False)
def check_sqlite_durability(app_configs=None, **kwargs):
    """A laptop's SQLite must run WAL + synchronous=FULL + IMMEDIATE transactions."""
    errors = []
    for alias, db in settings.DATABASES.items():
        if not db["ENGINE"].endswith("sqlite3"):
            continue
        options = db.get("OPTIONS", {})
        init = options.get("init_command", "").replace(" ", "").lower()
        if "synchronous=full" not in init and "synchronous=extra" not in init:
            errors.append(Error(f"{alias}: SQLite must run synchronous=FULL", id="kopdes.E001"))
        if "journal_mode=wal" not in init:
            errors.append(Error(f"{alias}: SQLite must run journal_mode=WAL", id="kopdes.E002"))
        if options.get("transaction_mode") != "IMMEDIATE":
            errors.append(
                Error(f"{alias}: SQLite must use transaction_mode=IMMEDIATE", id="kopdes.E003")
            )
    return errors


@register(Tags.database)
def check_prepared_statements(app_configs=None, **kwargs):
    """Prepared statements (``KOPDES_PG_PREPARE=1``) live on one server session: refused
    behind a pooler in transaction mode (``KOPDES_PG_POOLER=transaction``), with Django's
    connection pool (``OPTIONS["pool"]``) and with ``server_side_binding`` (psycopg's own
    server-side statements)."""
    return prepared_statement_errors(settings.DATABASES)


def prepared_statement_errors(databases: dict[str, dict]) -> list[Error]:
    errors = []
    for alias, db in databases.items():
        if not db.get("PREPARE_STATEMENTS"):
            continue
        options = db.get("OPTIONS", {})
        refused = []
        if str(db.get("POOLER_MODE", "")).strip().lower() == "transaction":
            refused.append("a pooler in transaction mode (KOPDES_PG_POOLER=transaction)")
        if options.get("pool"):
            refused.append('Django\'s connection pool (OPTIONS["pool"])')
        if options.get("server_side_binding"):
            refused.append('server-side binding (OPTIONS["server_side_binding"])')
        errors.extend(
            Error(
                f"{alias}: prepared statements (KOPDES_PG_PREPARE=1) cannot be used with "
                f"{what}: a prepared statement belongs to one server session.",
                hint="Set KOPDES_PG_PREPARE=0.",
                id="kopdes.E004",
            )
            for what in refused
        )
    return errors
