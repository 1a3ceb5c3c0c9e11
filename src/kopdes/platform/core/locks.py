"""Serialising writers of one chain (audit log, journal numbers) inside a transaction."""

from __future__ import annotations

import hashlib

from django.db import connection


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_statement(name: str) -> tuple[str, list[int]] | None:
    """The statement that takes ``name``'s lock, for the caller to send in the same round
    trip as its first query (``rows.execute_batch``), or None when nothing is to be done.

    PostgreSQL: a transaction-level advisory lock (taking it again in the same transaction
    is allowed and costs microseconds inside a batch). SQLite: None, because every write
    transaction is BEGIN IMMEDIATE and so already holds the database's write lock.
    """
    if connection.vendor != "postgresql":
        return None
    return "SELECT pg_advisory_xact_lock(%s)", [_key(name)]


def lock_chain(name: str) -> None:
    """Hold an exclusive lock on ``name`` until the current transaction ends.

    Must be called inside ``transaction.atomic()``; see ``lock_statement``.
    """
    statement = lock_statement(name)
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)
