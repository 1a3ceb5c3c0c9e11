"""How a payment is split (issue 13): installment by installment, oldest unpaid first
(denda, jasa, pokok of one before the next), as scheduled; principal ahead of the
schedule and a re-amortised rest only when the member asks for "pelunasan dipercepat"."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.loans import services, testing
from kopdes.loans.choices import LoanStatus
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Installment, Loan, Repayment
from kopdes.loans.verification import check_loans
from kopdes.platform.core.errors import ConflictError

pytestmark = pytest.mark.django_db

DAY = testing.DAY  # disbursement, 2 March 2026


def _schedule(loan) -> list[tuple]:
    """The scheduled figures of every row (what a re-amortisation would change)."""
    return list(
        Installment.objects.filter(loan=loan)
        .order_by("period")
        .values_list("period", "due_date", "principal", "interest", "balance")
    )


def _paid(loan) -> list[tuple]:
    return list(
        Installment.objects.filter(loan=loan)
        .order_by("period")
        .values_list("penalty_paid", "interest_paid", "principal_paid", "paid_on")
    )


def test_an_installment_paid_on_the_day_of_disbursement_is_that_installment_paid(
    koperasi, officers
):
    """The report: Rp491.666,67 (5 juta, 12 months flat 1,5%) paid on the day of
    disbursement went wholly to pokok, the schedule was re-amortised and installment 1
    still showed unpaid."""
    prod = testing.product(koperasi, actor=officers["checker"], rounding="sen")
    loan = testing.active_loan(koperasi, officers=officers, prod=prod, principal=5_000_000_00)
    before = _schedule(loan)
    assert before[0][2] + before[0][3] == 491_666_67
    rep = services.repay_loan(
        loan, actor=officers["kasir"], amount=491_666_67, date=DAY, idempotency_key="early"
    )
    assert (rep.penalty, rep.interest, rep.principal) == (0, 75_000_00, 416_666_67)
    assert not rep.accelerated and not rep.is_payoff
    assert _schedule(loan) == before  # nothing re-amortised
    paid = _paid(loan)
    assert paid[0] == (0, 75_000_00, 416_666_67, DAY)  # installment 1 is paid
    assert all(row == (0, 0, 0, None) for row in paid[1:])
    loan.refresh_from_db()
    assert loan.prepaid == 0 and loan.principal_paid == 416_666_67
    assert "angsuran" in rep.entry.memo.lower()
    assert check_loans(koperasi).problems == []


def test_more_than_the_next_installment_pays_the_following_ones_as_scheduled(koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"], method="efektif")
    loan = testing.active_loan(koperasi, officers=officers, prod=prod)
    before = _schedule(loan)
    # Installment 1 (due 2 April) 118.000, 2: 116.500, 3: 115.000, then 68.500 of the 4th.
    rep = services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=418_000_00,
        date=dt.date(2026, 4, 2),
        idempotency_key="ahead",
    )
    assert _schedule(loan) == before
    paid = _paid(loan)
    assert [p[3] is not None for p in paid[:4]] == [True, True, True, False]
    assert paid[3][:3] == (0, 13_500_00, 55_000_00)  # jasa of the 4th first, then pokok
    assert (rep.interest, rep.principal) == (
        18_000_00 + 16_500_00 + 15_000_00 + 13_500_00,
        355_000_00,
    )
    loan.refresh_from_db()
    assert loan.prepaid == 0
    assert check_loans(koperasi).problems == []


def test_overdue_installments_are_paid_one_by_one_denda_jasa_pokok(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    day = dt.date(2026, 5, 12)  # installment 1 is 40 days late, installment 2 is 10
    dues = services.dues_on(loan, day)
    first, second = dues.penalties[1], dues.penalties[2]
    assert first > 0 and second > 0
    amount = first + 118_000_00 + 500
    rep = services.repay_loan(
        loan, actor=officers["kasir"], amount=amount, date=day, idempotency_key="late"
    )
    paid = _paid(loan)
    # The whole of installment 1 (its denda, jasa, pokok) before anything of the second,
    # whose denda is paid next; its jasa and pokok wait.
    assert paid[0] == (first, 18_000_00, 100_000_00, day)
    assert paid[1] == (500, 0, 0, None)
    assert (rep.penalty, rep.interest, rep.principal) == (first + 500, 18_000_00, 100_000_00)


def test_accelerated_payoff_reamortises_and_says_so(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    before = _schedule(loan)
    rep = services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=300_000_00,
        date=dt.date(2026, 3, 20),
        idempotency_key="acc",
        accelerated=True,
    )
    assert rep.accelerated and (rep.interest, rep.principal) == (0, 300_000_00)
    assert "dipercepat" in rep.entry.memo.lower()
    after = _schedule(loan)
    assert after != before and [r[1] for r in after] == [r[1] for r in before]
    loan.refresh_from_db()
    assert loan.prepaid == 300_000_00
    assert sum(r[2] for r in after) + loan.prepaid == loan.principal
    assert check_loans(koperasi).problems == []


def test_accelerated_after_an_installment_paid_ahead_keeps_that_installment(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    kasir = officers["kasir"]
    services.repay_loan(loan, actor=kasir, amount=118_000_00, date=DAY, idempotency_key="i1")
    services.repay_loan(
        Loan.objects.get(pk=loan.pk),
        actor=kasir,
        amount=200_000_00,
        date=dt.date(2026, 3, 10),
        idempotency_key="acc2",
        accelerated=True,
    )
    rows = _schedule(loan)
    paid = _paid(loan)
    assert rows[0][2:4] == (100_000_00, 18_000_00) and paid[0][3] == DAY
    assert all(p == (0, 0, 0, None) for p in paid[1:])
    loan.refresh_from_db()
    assert loan.prepaid == 200_000_00 and loan.principal_paid == 300_000_00
    assert sum(r[2] for r in rows) + loan.prepaid == loan.principal
    assert check_loans(koperasi).problems == []
    # Paying off in the first period: the jasa already paid ahead is not charged again.
    payoff = services.dues_on(loan, dt.date(2026, 3, 17)).payoff
    assert payoff.interest == 0 and payoff.principal == 900_000_00


def test_accelerated_with_nothing_beyond_what_is_due_is_refused(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    with pytest.raises(LoanError, match="pelunasan dipercepat") as caught:
        services.repay_loan(
            loan,
            actor=officers["kasir"],
            amount=118_000_00,
            date=dt.date(2026, 4, 2),
            idempotency_key="acc-none",
            accelerated=True,
        )
    assert caught.value.field == "accelerated"
    assert Repayment.objects.count() == 0
    assert all(p == (0, 0, 0, None) for p in _paid(loan))


def test_a_replay_with_the_other_choice_is_a_conflict(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    day = dt.date(2026, 3, 20)
    services.repay_loan(
        loan, actor=officers["kasir"], amount=200_000_00, date=day, idempotency_key="k"
    )
    with pytest.raises(ConflictError, match="accelerated"):
        services.repay_loan(
            loan,
            actor=officers["kasir"],
            amount=200_000_00,
            date=day,
            idempotency_key="k",
            accelerated=True,
        )
    assert Repayment.objects.count() == 1


def test_paying_every_installment_as_scheduled_closes_the_loan(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers, term=3, principal=300_000_00)
    last_due = Installment.objects.filter(loan=loan).order_by("-period")[0].due_date
    dues = services.dues_on(loan, last_due)
    # Everything is due by then (with denda on the late ones): the payoff amount is what
    # the installments ask, so paying them as scheduled closes the loan.
    assert dues.payoff.total == dues.total_due > 3 * (100_000_00 + 4_500_00)
    rep = services.repay_loan(
        loan, actor=officers["kasir"], amount=dues.total_due, date=last_due, idempotency_key="all"
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAID_OFF and rep.is_payoff and not rep.accelerated
