"""Repayment corrections under real threads on PostgreSQL: a correction approved many
times at once posts once; a correction racing a new payment never leaves the schedule and
the books disagreeing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kopdes.ledger.models import JournalEntry
from kopdes.loans import services, testing
from kopdes.loans.models import Repayment, RepaymentReversal
from kopdes.loans.tests.test_concurrency import _books_ok, run_concurrently
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.core.testing import make_koperasi, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = dt.date(2026, 4, 2)


@pytest.fixture
def pg_paid_loan():
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises writers)")
    koperasi = make_koperasi()
    loan = testing.active_loan(koperasi)
    kasir = make_user("kasir", koperasi)
    rep = services.repay_loan(loan, actor=kasir, amount=118_000_00, date=DAY, idempotency_key="r")
    reversal = services.request_repayment_reversal(
        rep, actor=kasir, reason="Salah input", idempotency_key="c", date=DAY
    )
    return loan, kasir, reversal, make_user("bendahara", koperasi)


def test_a_correction_approved_many_times_at_once_posts_once(pg_paid_loan):
    loan, _kasir, reversal, bendahara = pg_paid_loan
    results = run_concurrently(
        20, lambda i: services.approve_repayment_reversal(reversal, actor=bendahara).state
    )
    # One decision wins; every other one is refused as already decided (409).
    assert [r for kind, r in results if kind != "error"] == ["approved"]
    errors = [r for kind, r in results if kind == "error"]
    assert len(errors) == 19 and all(isinstance(e, AlreadyDecidedError) for e in errors)
    assert JournalEntry.objects.filter(source="loans.repayment_reversal").count() == 1
    _books_ok(loan.koperasi)


def test_a_correction_racing_a_new_payment_keeps_schedule_and_books_equal(pg_paid_loan):
    loan, kasir, reversal, bendahara = pg_paid_loan

    def act(i):
        if i == 0:
            return services.approve_repayment_reversal(reversal, actor=bendahara).state
        return services.repay_loan(
            loan, actor=kasir, amount=50_000_00, date=DAY, idempotency_key=f"n{i}"
        ).pk

    results = run_concurrently(4, act)
    approved = RepaymentReversal.objects.get(pk=reversal.pk).state == "approved"
    # Either the correction went first (then every payment applied on the restored
    # schedule) or a payment went first (then the correction was refused: not the latest).
    errors = [r for kind, r in results if kind == "error"]
    assert len(errors) == (0 if approved else 1)
    assert Repayment.objects.filter(loan=loan).count() == 4
    _books_ok(loan.koperasi)
