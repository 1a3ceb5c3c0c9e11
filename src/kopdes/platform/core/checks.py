"""System checks for the promises that settings alone can break (durability)."""

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
