"""Django's SQLite backend with writers queued on a lock file instead of SQLite's busy sleeps.

Every kopdes transaction starts ``BEGIN IMMEDIATE`` (settings: a read-then-write must
never fail half way). When another process already writes, SQLite's busy handler makes
the newcomer sleep and retry on a growing, fixed schedule of sleeps, so at a busy counter
a teller's deposit waits for the sleeps rather than for the much shorter posting ahead of
it. Here each write transaction first takes an exclusive ``flock`` on
``<database>.writer-lock``, polled at a short interval (``POLL_SECONDS``): the next writer
starts right after the previous commit.

The lock file is an optimisation, never the guarantee: SQLite's own lock still decides,
a writer that waited longer than the connection's ``timeout`` goes on to ``BEGIN`` and
SQLite's busy handler as before, and the kernel drops the lock of a killed process.

WAL checkpoints are taken out of the queue too. SQLite runs its automatic checkpoint
inside the COMMIT that crosses the threshold (1,000 pages by default), so the writer
still held the lock file while it copied the WAL into the database and fsync'ed it: that
one commit took many times as long as the others, and every teller behind it waited
(figures: docs/decisions/0003, bench/RESULTS.md). Here every
``CHECKPOINT_EVERY``-th commit of a connection runs ``wal_checkpoint(PASSIVE)`` after the
lock file is released (a passive checkpoint never blocks writers or readers), and the
settings raise SQLite's own threshold to a safety net for connections that rarely commit
through ``atomic`` (e.g. a bulk load).

The database file is the koperasi's books and its members' personal data: it is created
owner-only (0600) before SQLite opens it, and an existing one (with its ``-wal`` and
``-shm``, which SQLite creates with the database's own mode) is narrowed to 0600.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time

from django.db.backends.sqlite3 import base

POLL_SECONDS = 0.0005
CHECKPOINT_EVERY = 20  # commits; a teller commit adds ~20 pages to the WAL


SIDE_FILES = ("", "-wal", "-shm", "-journal")


def make_private(path: str | os.PathLike[str]) -> None:
    """Create the SQLite file at ``path`` owner-only (0600) if it does not exist, and take
    group and other access away from it and its side files if it does."""
    name = os.fspath(path)
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in SIDE_FILES:
        # Not ours (another user's file) or gone meanwhile: SQLite will say what matters.
        with contextlib.suppress(OSError):
            mode = os.stat(name + suffix).st_mode & 0o777
            if mode & 0o077:
                os.chmod(name + suffix, mode & 0o700)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False
    _commits = 0

    def get_new_connection(self, conn_params):
        if not self.is_in_memory_db():
            make_private(self.settings_dict["NAME"])
        return super().get_new_connection(conn_params)

    def _writer_lock(self) -> None:
        if self.is_in_memory_db():
            return
        if self._writer_fd is None:
            path = f"{self.settings_dict['NAME']}.writer-lock"
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # let SQLite's busy timeout decide, as without the lock file
                time.sleep(POLL_SECONDS)
            else:
                self._writer_locked = True
                return

    def _writer_unlock(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._writer_unlock()
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY == 0 and not self.is_in_memory_db():
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy committed WAL frames into the database file without holding anyone up."""
        # Busy means another connection is checkpointing: it does the same work.
        with contextlib.suppress(sqlite3.OperationalError):
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._writer_unlock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._writer_unlock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
