"""T5: the books refuse to run on a database that could lose a committed rupiah."""

from __future__ import annotations

import sqlite3

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kopdes.ledger.durability import assert_durable, durability_problems


@pytest.mark.django_db
def test_the_test_database_connection_is_durable():
    assert durability_problems(connection) == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in ("fsync", "synchronous_commit", "full_page_writes"):
                cursor.execute(f"SHOW {name}")
                assert cursor.fetchone()[0] == "on", name


@pytest.mark.django_db
def test_a_real_sqlite_file_connection_runs_wal_and_synchronous_full(tmp_path):
    """A real (file) connection built from the production settings."""
    from django.conf import settings

    from kopdes.platform.core.sqlite3.base import DatabaseWrapper

    params = dict(settings.DATABASES["default"])
    if not params["ENGINE"].endswith("sqlite3"):
        from kopdes.config.settings import SQLITE_PRAGMAS

        params = {
            "ENGINE": "kopdes.platform.core.sqlite3",
            "OPTIONS": {"init_command": SQLITE_PRAGMAS, "transaction_mode": "IMMEDIATE"},
        }
    params = {**params, "NAME": str(tmp_path / "laptop.sqlite3"), "TEST": {}}
    params.setdefault("TIME_ZONE", None)
    params.setdefault("CONN_MAX_AGE", 0)
    params.setdefault("CONN_HEALTH_CHECKS", False)
    params.setdefault("AUTOCOMMIT", True)
    params.setdefault("ATOMIC_REQUESTS", False)
    wrapper = DatabaseWrapper(params, alias="durability-probe")
    try:
        wrapper.ensure_connection()  # runs connection_created -> assert_durable
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        assert durability_problems(wrapper) == []
    finally:
        wrapper.close()


class _FakeSqlite:
    """A SQLite connection with the PRAGMAs a careless config would leave."""

    vendor = "sqlite"

    def __init__(self, path, synchronous):
        self.raw = sqlite3.connect(path)
        self.raw.execute("PRAGMA journal_mode=DELETE")
        self.raw.execute(f"PRAGMA synchronous={synchronous}")

    def is_in_memory_db(self):
        return False

    def cursor(self):
        raw = self.raw

        class Cursor:
            def __enter__(self):
                self.c = raw.cursor()
                return self.c

            def __exit__(self, *exc):
                self.c.close()

        return Cursor()


def test_an_unsafe_sqlite_connection_is_refused_at_start_up(tmp_path):
    fake = _FakeSqlite(str(tmp_path / "unsafe.sqlite3"), "NORMAL")
    problems = durability_problems(fake)
    assert any("journal_mode" in p for p in problems)
    assert any("synchronous is 1" in p for p in problems)
    assert any("foreign_keys" in p for p in problems)
    with pytest.raises(ImproperlyConfigured, match="refuses"):
        assert_durable(connection=fake)
