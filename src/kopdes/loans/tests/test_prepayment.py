"""Payments ahead of the schedule when the member asks for it (pelunasan dipercepat,
``accelerated=True``): the rows written under the lock (``services._prepay``,
``services._reamortise``) are exactly the engine's re-amortised schedule, also after
several prepayments, and a reversal still restores the rows from the snapshot.

These tests used to pay the extra without the flag: every payment above what was due
re-amortised the schedule. That was the defect of issue 13 (a member paying the next
installment early saw it still unpaid); a payment without the flag now pays the next
installments as scheduled (``test_payment_allocation.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from kopdes.domain import loans as engine
from kopdes.loans import services, testing
from kopdes.loans.models import Installment, Loan
from kopdes.loans.verification import check_loans
from kopdes.platform.core.rows import execute_batch

pytestmark = pytest.mark.django_db

FIELDS = testing.ROW_FIELDS
_rows = testing.installment_rows


def _ids(loan) -> dict[int, object]:
    return dict(Installment.objects.filter(loan=loan).values_list("period", "id"))


def _engine_tail(loan, day: dt.date, extra: int) -> list[tuple]:
    """What the engine says the rows after the due ones become (nothing paid on them),
    computed from the rows in the database before the payment."""
    rows = list(Installment.objects.filter(loan=loan).order_by("period"))
    after = max((r.period for r in rows if r.due_date <= day), default=0)
    remaining = sum(r.principal - r.principal_paid for r in rows if r.period > after)
    terms = services.loan_terms(
        loan, principal=loan.principal, term=len(rows), start_date=loan.disbursed_on
    )
    schedule = engine.Schedule(
        terms if after else replace(terms, principal=remaining),
        tuple(
            engine.Installment(
                r.period,
                r.due_date,
                r.principal,
                r.interest,
                r.principal + r.interest,
                remaining if r.period == after else r.balance,
            )
            for r in rows
        ),
    )
    new = engine.recalculate_after_prepayment(schedule, after_period=after, prepayment=extra)
    return [
        (x.period, x.due_date, x.principal, x.interest, x.balance, 0, 0, 0, None)
        for x in new.installments
        if x.period > after
    ]


@pytest.mark.parametrize("method", ["flat", "efektif", "anuitas"])
def test_several_prepayments_leave_the_rows_the_engine_computes(koperasi, officers, method):
    prod = testing.product(koperasi, actor=officers["checker"], method=method)
    loan = testing.active_loan(koperasi, officers=officers, prod=prod)
    # Before the first due date (everything is extra), then with installments due.
    payments = [
        (dt.date(2026, 3, 10), 100_000_00),
        (dt.date(2026, 4, 2), None),
        (dt.date(2026, 4, 20), 1_000_00),
        (dt.date(2026, 6, 2), None),
    ]
    for n, (day, extra) in enumerate(payments):
        loan = Loan.objects.get(pk=loan.pk)
        dues = services.dues_on(loan, day)
        extra = extra or 75_000_00 + n
        due = dues.penalty + dues.interest + dues.principal
        after = max((r.due_date <= day) * r.period for r in Installment.objects.filter(loan=loan))
        ids = _ids(loan)
        expected_tail = _engine_tail(loan, day, extra)
        services.repay_loan(
            loan,
            actor=officers["kasir"],
            amount=due + extra,
            date=day,
            idempotency_key=f"pre-{method}-{n}",
            accelerated=True,
        )
        loan = Loan.objects.get(pk=loan.pk)
        rows = _rows(loan)
        assert [r for r in rows if r[0] > after] == expected_tail
        # Everything due was paid first (denda -> jasa -> pokok), then the rest ahead.
        assert all(r[5] == r[2] and r[6] == r[3] and r[8] for r in rows if r[0] <= after)
        # Updated in place: the same rows (ids), the same periods.
        assert _ids(loan) == ids
        # The schedule still adds up: rows' principal + prepaid = the loan's principal.
        assert sum(r[2] for r in rows) + loan.prepaid == loan.principal
        assert rows[-1][4] == 0
    assert loan.prepaid == 100_000_00 + 75_000_00 + 1 + 1_000_00 + 75_000_00 + 3
    assert check_loans(koperasi).problems == []


def test_a_reversed_prepayment_restores_the_rows_from_the_snapshot(koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"], method="efektif")
    loan = testing.active_loan(koperasi, officers=officers, prod=prod)
    before = _rows(loan)
    rep = services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=200_000_00,
        date=dt.date(2026, 3, 20),
        idempotency_key="pre-rev",
        accelerated=True,
    )
    assert _rows(loan) != before
    reversal = services.request_repayment_reversal(
        rep,
        actor=officers["kasir"],
        reason="Salah input",
        idempotency_key="pre-rev-c",
        date=dt.date(2026, 3, 20),
    )
    services.approve_repayment_reversal(reversal, actor=officers["payer"])
    assert _rows(loan) == before
    assert check_loans(koperasi).problems == []


def _schedule_rows(loan) -> list[services.ScheduleRow]:
    from django.db import connection

    pk = Installment._meta.pk
    return [
        services.ScheduleRow(
            pk.get_db_prep_value(r.pk, connection), *(getattr(r, f) for f in FIELDS)
        )
        for r in Installment.objects.filter(loan=loan).order_by("period")
    ]


def test_reamortise_deletes_a_period_the_schedule_lost_and_inserts_one_it_gained(
    koperasi, officers
):
    """Keep-term prepayments never change the number of rows; ``_reamortise`` still
    handles a schedule with fewer or more periods (e.g. a keep-installment mode)."""
    loan = testing.active_loan(koperasi, officers=officers, term=6)
    rows = _schedule_rows(loan)
    terms = services.loan_terms(loan, principal=600_000_00, term=5, start_date=loan.disbursed_on)
    shorter = engine.build_schedule(terms)
    changed = services._reamortise(loan, rows, shorter, 0, [])
    execute_batch(services._row_updates(changed))
    assert [r.period for r in rows] == [1, 2, 3, 4, 5]
    expected = [
        (x.period, x.due_date, x.principal, x.interest, x.balance, 0, 0, 0, None)
        for x in shorter.installments
    ]
    assert _rows(loan) == expected

    longer = engine.build_schedule(replace(terms, term=7))
    rows = _schedule_rows(loan)
    execute_batch(services._row_updates(services._reamortise(loan, rows, longer, 0, [])))
    assert [r.period for r in rows] == list(range(1, 8))
    assert _rows(loan) == [
        (x.period, x.due_date, x.principal, x.interest, x.balance, 0, 0, 0, None)
        for x in longer.installments
    ]


def test_a_write_the_database_refuses_in_the_batch_raises_and_writes_nothing(koperasi, officers):
    """On PostgreSQL the repayment's writes are sent together (``rows.execute_batch``); a
    refusal (here the not-overpaid check) still surfaces as Django's IntegrityError and the
    transaction writes nothing."""
    from django.db import IntegrityError, transaction

    loan = testing.active_loan(koperasi, officers=officers)
    before = _rows(loan)
    rows = _schedule_rows(loan)
    rows[0].principal_paid = rows[0].principal + 1
    rows[1].interest_paid = 1
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_batch(services._row_updates([rows[1], rows[0]]))
    assert _rows(loan) == before
