"""T1/T2 with real threads on PostgreSQL: one key -> one entry; numbers and chain never fork.

SQLite serialises writers with BEGIN IMMEDIATE; its concurrency is exercised across
processes by the kill -9 test (test_crash.py) on a file database.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services
from kopdes.ledger.errors import IdempotencyConflictError
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.testing import with_books
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import make_koperasi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = dt.date(2026, 2, 2)


@pytest.fixture
def pg_books():
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite: see test_crash.py)")
    return with_books(make_koperasi())


def run_concurrently(n, func, workers=20):
    barrier = threading.Barrier(min(n, workers))

    def task(i):
        try:
            if i < workers:
                barrier.wait(timeout=30)
            return ("ok", func(i))
        except Exception as exc:  # collected and asserted on below
            return ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, range(n)))


def post(koperasi, key, amount):
    return services.post(
        koperasi,
        actor=None,
        date=DAY,
        memo="Setoran serentak",
        lines=[LineDraft.debit("1-1100", amount), LineDraft.credit("3-2000", amount)],
        idempotency_key=key,
    )


def test_t1_one_hundred_concurrent_submits_with_one_key_post_exactly_once(pg_books):
    results = run_concurrently(100, lambda i: post(pg_books, "double-submit", 50_000_00).pk)
    errors = [r for kind, r in results if kind == "error"]
    assert errors == []
    assert len({pk for _, pk in results}) == 1
    assert JournalEntry.objects.filter(koperasi=pg_books).count() == 1
    assert JournalLine.objects.filter(koperasi=pg_books).count() == 2
    posted = AuditEvent.objects.filter(koperasi=pg_books, action="ledger.entry.posted")
    assert posted.count() == 1
    assert all(r.ok for r in verify_books(pg_books))


def test_t2_same_key_with_different_content_concurrently_is_refused(pg_books):
    results = run_concurrently(40, lambda i: post(pg_books, "k", 1_000_00 + (i % 2)))
    entries = JournalEntry.objects.filter(koperasi=pg_books)
    assert entries.count() == 1
    winner = entries.get()
    for kind, value in results:
        if kind == "ok":
            assert value.pk == winner.pk and value.total_amount == winner.total_amount
        else:
            assert isinstance(value, IdempotencyConflictError), value
            assert "lines[1].amount" in value.differences
    assert sum(1 for kind, _ in results if kind == "error") == 20


def test_concurrent_postings_with_distinct_keys_never_share_a_number_or_fork(pg_books):
    results = run_concurrently(60, lambda i: post(pg_books, f"key-{i}", (i + 1) * 100).number)
    assert [kind for kind, _ in results] == ["ok"] * 60
    assert sorted(n for _, n in results) == list(range(1, 61))
    for result in verify_books(pg_books):
        assert result.ok, result.problems
