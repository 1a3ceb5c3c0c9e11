"""``platform.core.locks``: a lock the transaction holds is not asked for twice, and is
forgotten whenever PostgreSQL could have released it."""

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
def test_a_held_lock_is_not_taken_again_until_the_transaction_ends():
    with transaction.atomic():
        assert lock_statement("ledger:satu") is not None
        lock_chain("ledger:satu")  # the statement above was not run: nothing held yet
        connection.held_locks.discard("ledger:satu")
        lock_chain("ledger:satu")
        assert held_advisory_locks() == 1
        assert lock_statement("ledger:satu") is None
        assert lock_statement("ledger:dua") is not None  # another name is another lock
    assert connection.held_locks == set()
    assert held_advisory_locks() == 0
    with transaction.atomic():
        assert lock_statement("ledger:satu") is not None  # a new transaction asks again


@postgres_only
def test_rollback_and_a_rolled_back_savepoint_forget_the_locks():
    with pytest.raises(RuntimeError), transaction.atomic():
        lock_chain("ledger:satu")
        raise RuntimeError
    assert connection.held_locks == set()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            lock_chain("ledger:dua")
            raise RuntimeError
        # PostgreSQL released the lock with the savepoint: it must be asked for again.
        assert held_advisory_locks() == 0
        assert lock_statement("ledger:dua") is not None
