"""T1/T2/T3 for loans with real threads on PostgreSQL.

T1: many concurrent submits of one repayment (one key) and one disbursement -> exactly one
posting each. T2: the same key with another amount -> 409, nothing written. T3: repayments
with different keys racing to pay the same loan off never overpay it. SQLite serialises
writers with BEGIN IMMEDIATE (the same code path; select_for_update is not relied on).
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from kopdes.ledger.models import JournalEntry
from kopdes.ledger.verification import verify_books
from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Loan, Repayment
from kopdes.loans.verification import check_loans
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.testing import make_koperasi, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = dt.date(2026, 4, 2)


@pytest.fixture
def pg_loan():
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises writers)")
    koperasi = make_koperasi()
    return testing.active_loan(koperasi), make_user("kasir", koperasi)


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


def _books_ok(koperasi):
    assert [p for r in verify_books(koperasi) for p in r.problems] == []
    assert check_loans(koperasi).problems == []


def test_t1_concurrent_double_submit_of_one_repayment_posts_once(pg_loan):
    loan, kasir = pg_loan
    results = run_concurrently(
        60,
        lambda i: (
            services.repay_loan(
                loan, actor=kasir, amount=118_000_00, date=DAY, idempotency_key="same"
            ).pk
        ),
    )
    assert [r for kind, r in results if kind == "error"] == []
    assert len({pk for _, pk in results}) == 1
    assert Repayment.objects.filter(loan=loan).count() == 1
    assert JournalEntry.objects.filter(source="loans.repayment").count() == 1
    assert AuditEvent.objects.filter(action="loans.repayment.received").count() == 1
    _books_ok(loan.koperasi)


def test_t1_concurrent_disbursement_posts_once(pg_loan):
    loan0, _ = pg_loan
    koperasi = loan0.koperasi
    member = loan0.member
    loan = services.apply_for_loan(
        member,
        actor=make_user("petugas_pinjaman", koperasi),
        product=loan0.product,
        principal=300_000_00,
        term=3,
        applied_on=DAY,
    )
    services.approve_loan(loan, actor=make_user("ketua", koperasi))
    payer = make_user("bendahara", koperasi)
    results = run_concurrently(
        40,
        lambda i: services.disburse_loan(loan, actor=payer, date=DAY, idempotency_key="d").pk,
    )
    assert [r for kind, r in results if kind == "error"] == []
    assert (
        JournalEntry.objects.filter(source="loans.disbursement", source_ref=str(loan.pk)).count()
        == 1
    )
    _books_ok(koperasi)


def test_t2_same_key_other_amount_is_a_conflict_and_writes_nothing(pg_loan):
    loan, kasir = pg_loan
    results = run_concurrently(
        40,
        lambda i: services.repay_loan(
            loan, actor=kasir, amount=100_000_00 + (i % 2) * 100, date=DAY, idempotency_key="k"
        ),
    )
    assert Repayment.objects.filter(loan=loan).count() == 1
    errors = [r for kind, r in results if kind == "error"]
    assert len(errors) == 20 and all(isinstance(e, ConflictError) for e in errors)
    _books_ok(loan.koperasi)


def test_t3_racing_payoffs_never_overpay(pg_loan):
    loan, kasir = pg_loan
    payoff = services.dues_on(loan, DAY).payoff.total
    results = run_concurrently(
        30,
        lambda i: services.repay_loan(
            loan,
            actor=kasir,
            amount=payoff,
            date=DAY,
            idempotency_key=f"race-{i}",
            accelerated=True,  # a pelunasan (issue 13: only when the member asks)
        ),
    )
    ok = [r for kind, r in results if kind == "ok"]
    errors = [r for kind, r in results if kind == "error"]
    assert len(ok) == 1 and all(isinstance(e, LoanError) for e in errors)
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.status == LoanStatus.PAID_OFF and loan.principal_paid == loan.principal
    _books_ok(loan.koperasi)


def test_t3_racing_installments_stop_at_the_payoff(pg_loan):
    loan, kasir = pg_loan
    # 20 payments of Rp100.000 on the day of disbursement. Since issue 13 each pays the
    # installments as scheduled (Rp118.000: jasa 18.000 + pokok 100.000), no longer
    # principal ahead: 13 fit (11 whole installments and 82.000 of the 12th); the 14th
    # would be the payoff amount (the Rp100.000 of principal left) without paying it off,
    # and is refused. Before, 12 payments of pure principal fitted.
    results = run_concurrently(
        20,
        lambda i: services.repay_loan(
            loan, actor=kasir, amount=100_000_00, date=DAY, idempotency_key=f"i-{i}"
        ),
    )
    ok = [r for kind, r in results if kind == "ok"]
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.principal_paid <= loan.principal
    assert len(ok) == 13 and sum(r.amount for r in ok) == 1_300_000_00
    assert (loan.principal_paid, loan.interest_paid, loan.prepaid) == (
        1_100_000_00,
        200_000_00,
        0,
    )
    _books_ok(loan.koperasi)
