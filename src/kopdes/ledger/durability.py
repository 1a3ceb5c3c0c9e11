"""Refuse to run the books on a database that could lose a committed rupiah (T5).

Checked on every new connection (``connection_created``), so a misconfigured laptop or
server fails at start-up instead of after a power cut:

- SQLite (file): ``journal_mode`` = wal, ``synchronous`` = 2 (FULL) or 3 (EXTRA),
  ``foreign_keys`` = 1 (the journal's deferred foreign keys and guards rely on it);
- PostgreSQL: ``fsync``, ``synchronous_commit`` (or remote_write/remote_apply) and
  ``full_page_writes`` on.

An in-memory SQLite database (the default test database) has no journal on disk; only
its ``foreign_keys`` is checked.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

SAFE_SYNCHRONOUS_COMMIT = {"on", "remote_write", "remote_apply"}


def durability_problems(connection) -> list[str]:
    """What is unsafe about ``connection`` (empty when all is well)."""
    problems: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys")
            if cursor.fetchone()[0] != 1:
                problems.append("SQLite foreign_keys must be ON")
            if connection.is_in_memory_db():
                return problems
            cursor.execute("PRAGMA journal_mode")
            mode = str(cursor.fetchone()[0]).lower()
            if mode != "wal":
                problems.append(f"SQLite journal_mode is {mode}, must be wal")
            cursor.execute("PRAGMA synchronous")
            level = int(cursor.fetchone()[0])
            if level not in (2, 3):
                problems.append(f"SQLite synchronous is {level}, must be 2 (FULL) or 3 (EXTRA)")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
                "current_setting('full_page_writes')"
            )
            fsync, sync_commit, fpw = cursor.fetchone()
            if fsync != "on":
                problems.append(f"PostgreSQL fsync is {fsync}, must be on")
            if sync_commit not in SAFE_SYNCHRONOUS_COMMIT:
                problems.append(f"PostgreSQL synchronous_commit is {sync_commit}, must be on")
            if fpw != "on":
                problems.append(f"PostgreSQL full_page_writes is {fpw}, must be on")
    return problems


def assert_durable(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: raise ImproperlyConfigured on an unsafe database."""
    if connection is None:
        return
    problems = durability_problems(connection)
    if problems:
        raise ImproperlyConfigured(
            "kopdes refuses to run the books on this database: " + "; ".join(problems)
        )
