"""Transactional ledger tests end with Django's flush (TRUNCATE / DELETE), which the
append-only triggers refuse; the triggers are taken off for that flush only (the same
approach as ``platform/core/tests/test_backup.py``)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection


@contextmanager
def _append_only_suspended(conn):
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
                ["%_no_update"],
            )
            tables = [row[0] for row in cur.fetchall()]
            for table in tables:
                cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            try:
                yield
            finally:
                for table in tables:
                    cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' "
                "AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')"
            )
            saved = cur.fetchall()
            for name, _sql in saved:
                cur.execute(f'DROP TRIGGER "{name}"')
            try:
                yield
            finally:
                for _name, sql in saved:
                    cur.execute(sql)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    ops_class = type(connection.ops)
    original = ops_class.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with _append_only_suspended(self.connection):
            original(self, sql_list)

    patch = pytest.MonkeyPatch()
    patch.setattr(ops_class, "execute_sql_flush", execute_sql_flush)
    yield
    patch.undo()
