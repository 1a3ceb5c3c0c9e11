"""T3 (no overdraw) and T1 (one key, one deposit) with real threads on PostgreSQL.

The balance is read inside the posting transaction after the koperasi's ledger lock
(PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE does the same by serialising writers),
so concurrent withdrawals never both see the same balance.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kopdes.ledger.tests.test_concurrency import run_concurrently
from kopdes.ledger.verification import verify_books
from kopdes.platform.core.testing import make_koperasi
from kopdes.savings import services
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import SavingsAccount, SavingsTransaction
from kopdes.savings.testing import teller, voluntary_account
from kopdes.savings.verification import check_accounts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def pg_koperasi():
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises writers)")
    return make_koperasi()


def test_t3_fifty_concurrent_withdrawals_never_overdraw(pg_koperasi):
    kasir = teller(pg_koperasi)
    account = voluntary_account(pg_koperasi, balance=1_000_000_00, actor=kasir)

    def withdraw(i):
        acc = SavingsAccount.objects.get(pk=account.pk)
        return services.withdraw(
            acc, actor=kasir, amount=100_000_00, date=DAY, idempotency_key=f"w-{i}"
        )

    results = run_concurrently(50, withdraw)
    ok = [r for kind, r in results if kind == "ok"]
    errors = [r for kind, r in results if kind == "error"]
    assert len(ok) == 10
    assert len(errors) == 40 and all(isinstance(e, SavingsError) for e in errors)
    account.refresh_from_db()
    assert account.balance == 0
    balances = SavingsTransaction.objects.filter(account=account).values_list(
        "balance_after", flat=True
    )
    assert min(balances) >= 0
    assert all(r.ok for r in verify_books(pg_koperasi))
    assert check_accounts(pg_koperasi).ok


def test_t1_fifty_concurrent_deposits_with_one_key_post_once(pg_koperasi):
    kasir = teller(pg_koperasi)
    account = voluntary_account(pg_koperasi, actor=kasir)

    def deposit(i):
        acc = SavingsAccount.objects.get(pk=account.pk)
        return services.deposit(
            acc, actor=kasir, amount=20_000_00, date=DAY, idempotency_key="same"
        ).pk

    results = run_concurrently(50, deposit)
    assert [r for kind, r in results if kind == "error"] == []
    assert len({pk for _, pk in results}) == 1
    account.refresh_from_db()
    assert account.balance == 20_000_00
    assert check_accounts(pg_koperasi).ok


def test_t16_concurrent_approvals_of_one_correction_post_one_reversal(pg_koperasi):
    from kopdes.platform.core.testing import make_user
    from kopdes.savings.choices import TxnKind
    from kopdes.savings.models import Correction

    kasir = teller(pg_koperasi)
    account = voluntary_account(pg_koperasi, balance=100_000_00, actor=kasir)
    txn = SavingsTransaction.objects.filter(account=account).latest("seq")
    correction = services.request_correction(
        txn, actor=kasir, reason="Salah", idempotency_key="c-1"
    )
    checkers = [make_user("ketua", pg_koperasi) for _ in range(4)]

    def approve(i):
        c = Correction.objects.select_related("koperasi").get(pk=correction.pk)
        return services.approve_correction(c, actor=checkers[i % 4])

    results = run_concurrently(8, approve)
    assert all(kind == "ok" for kind, _r in results), results
    assert SavingsTransaction.objects.filter(kind=TxnKind.CORRECTION).count() == 1
    account.refresh_from_db()
    assert account.balance == 0
    assert all(r.ok for r in verify_books(pg_koperasi))
    assert check_accounts(pg_koperasi).ok
