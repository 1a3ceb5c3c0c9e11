"""``platform.core.locks``: an advisory lock per chain name, held until the transaction
(or the savepoint it was taken in) ends."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from kopdes.platform.core.locks import lock_chain, lock_statement

pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's write lock needs no statement"
)


def held_advisory_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_sqlite_takes_no_lock_statement():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL")
    with transaction.atomic():
        assert lock_statement("ledger:satu") is None


@postgres_only
def test_a_lock_taken_twice_is_held_once_and_released_with_the_transaction():
    with transaction.atomic():
        lock_chain("ledger:satu")
        lock_chain("ledger:satu")  # the same transaction may ask again: no wait
        assert held_advisory_locks() == 1
        assert lock_statement("ledger:dua") != lock_statement("ledger:satu")
    assert held_advisory_locks() == 0


@postgres_only
def test_rollback_and_a_rolled_back_savepoint_release_the_locks():
    with pytest.raises(RuntimeError), transaction.atomic():
        lock_chain("ledger:satu")
        raise RuntimeError
    assert held_advisory_locks() == 0
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            lock_chain("ledger:dua")
            raise RuntimeError
        # PostgreSQL released the lock with the savepoint.
        assert held_advisory_locks() == 0
