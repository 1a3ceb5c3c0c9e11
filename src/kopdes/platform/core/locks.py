"""Serialising writers of one chain (audit log, journal numbers) inside a transaction."""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_chain(name: str) -> None:
    """Hold an exclusive lock on ``name`` until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite: nothing to do, because every
    write transaction is BEGIN IMMEDIATE and so already holds the database's write lock.
    Must be called inside ``transaction.atomic()``.
    """
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
