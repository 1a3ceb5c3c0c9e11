"""The SQLite backend queues writers on a lock file: the next starts when the last ends."""

from __future__ import annotations

import threading
import time

import pytest

from kopdes.platform.core.sqlite3.base import DatabaseWrapper

# The marker only lifts pytest-django's block on connections; these open their own files.
pytestmark = pytest.mark.django_db


def wrapper(path, alias: str, timeout: float = 5, busy_ms: int = 10_000) -> DatabaseWrapper:
    """A connected wrapper, as ``transaction.atomic()`` finds it before ``BEGIN``."""
    from kopdes.config.settings import SQLITE_PRAGMAS

    connection = DatabaseWrapper(
        {
            "ENGINE": "kopdes.platform.core.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "init_command": SQLITE_PRAGMAS.replace("10000", str(busy_ms)),
                "transaction_mode": "IMMEDIATE",
                "timeout": timeout,
            },
            "TEST": {},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
        },
        alias=alias,
    )
    connection.ensure_connection()
    return connection


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "laptop.sqlite3"
    setup = wrapper(path, "setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    setup.close()
    return path


def test_a_second_writer_queues_on_the_lock_file_and_starts_after_the_first_commits(database):
    released_at: list[float] = []
    started_at: list[float] = []
    holding = threading.Event()

    def hold() -> None:
        first = wrapper(database, "first")  # a connection belongs to its thread
        first._start_transaction_under_autocommit()
        first.cursor().execute("INSERT INTO t VALUES (1)")
        holding.set()
        time.sleep(0.3)
        released_at.append(time.monotonic())
        first.commit()
        first.close()

    def write() -> None:
        # SQLite's busy handler off: had the writer not queued on the lock file, its
        # BEGIN IMMEDIATE would fail at once with "database is locked".
        second = wrapper(database, "second", timeout=10, busy_ms=0)
        assert holding.wait(10)
        second._start_transaction_under_autocommit()
        started_at.append(time.monotonic())
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second.commit()
        second.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=write)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert (database.parent / "laptop.sqlite3.writer-lock").exists()
    # Queued behind the first (no timing bound: that is for bench/, not for tests).
    assert started_at and started_at[0] >= released_at[0]
    check = wrapper(database, "check")
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert [row[0] for row in cursor.fetchall()] == [1, 2]
    check.close()


def test_rollback_and_close_release_the_lock(database):
    first, second = wrapper(database, "first"), wrapper(database, "second", timeout=0.2)
    first._start_transaction_under_autocommit()
    first.rollback()
    second._start_transaction_under_autocommit()  # would wait 0.2 s and then fail if held
    assert second._writer_locked
    second.close()
    assert not second._writer_locked
    first._start_transaction_under_autocommit()
    assert first._writer_locked
    first.close()


def test_a_writer_that_waited_past_the_timeout_falls_back_to_sqlites_own_lock(database):
    from django.db import OperationalError

    first = wrapper(database, "first")
    second = wrapper(database, "second", timeout=0.1, busy_ms=100)
    first._start_transaction_under_autocommit()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"), second.wrap_database_errors:
        second._start_transaction_under_autocommit()
    assert time.monotonic() - started < 2
    assert not second._writer_locked
    first.rollback()
    first.close()
    second.close()


def test_every_twentieth_commit_checkpoints_the_wal_after_releasing_the_lock(database):
    from kopdes.platform.core.sqlite3 import base

    writer = wrapper(database, "writer")
    checkpoints: list[bool] = []
    real = writer._checkpoint

    def checkpoint() -> None:
        checkpoints.append(writer._writer_locked)
        real()

    writer._checkpoint = checkpoint
    for n in range(base.CHECKPOINT_EVERY * 2):
        writer._start_transaction_under_autocommit()
        writer.cursor().execute("INSERT INTO t VALUES (%s)", [n])
        writer.commit()
    assert checkpoints == [False, False]  # two checkpoints, neither under the lock file
    with writer.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, wal_frames, done = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (4000,)
    assert busy == 0 and wal_frames == done  # every frame made it into the database file
    writer.close()
