"""Django's PostgreSQL backend, remembering which advisory locks this transaction holds.

A teller's deposit takes the koperasi's ledger lock in the savings service and again in
``ledger.post``, then the audit chain's lock: each ``pg_advisory_xact_lock`` is a round
trip made while every other teller of the koperasi waits. ``platform.core.locks`` skips a
lock this transaction already holds, and this wrapper forgets them whenever they could
have been released: at COMMIT, ROLLBACK, a rollback to a savepoint (a lock taken after the
savepoint goes with it) and when the connection closes.
"""

from __future__ import annotations

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_locks: set[str] = set()

    def _commit(self) -> None:
        self.held_locks.clear()
        super()._commit()

    def _rollback(self) -> None:
        self.held_locks.clear()
        super()._rollback()

    def _savepoint_rollback(self, sid) -> None:
        self.held_locks.clear()
        super()._savepoint_rollback(sid)

    def _close(self) -> None:
        self.held_locks.clear()
        super()._close()
