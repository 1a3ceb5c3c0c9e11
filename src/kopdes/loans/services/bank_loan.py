"""The koperasi's own bank loan: drawing and paying its installments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kopdes.domain import loans as engine
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import MAX_SEN
from kopdes.ledger import chart
from kopdes.loans.errors import LoanError
from kopdes.loans.holidays import next_working_day
from kopdes.loans.models import (
    BankLoan,
    BankLoanMovement,
)
from kopdes.loans.services._common import (
    MEMOS,
    _amount,
    _date,
    _key,
    _lock,
    _percent,
    _post,
)
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

# --- the koperasi's own bank loan ---------------------------------------------------------


def create_bank_loan(
    koperasi,
    *,
    actor,
    lender: str,
    plafond: int,
    rate_percent: Any,
    term: int,
    grace_periods: int,
    start_date: dt.date,
    reference: str = "",
    due_day: int = 12,
) -> BankLoan:
    """Record the koperasi's borrowing contract (e.g. Himbara: <= Rp3 billion, 6% a year,
    <= 72 months, 6-8 months grace, due on the 12th)."""
    roles = require_perm(actor, koperasi, "loans.manage_bank_loan")
    lender = (lender or "").strip()
    if not lender:
        raise LoanError(_("Write the lender's name."), field="lender")
    plafond = _amount(plafond, "plafond")
    rate = _percent(rate_percent)
    if not isinstance(term, int) or not 1 <= term <= engine.MAX_TERM:
        raise LoanError(_("The term must be between 1 and 600 months."), field="term")
    if not isinstance(grace_periods, int) or not 0 <= grace_periods < term:
        raise LoanError(_("The grace period must be shorter than the term."), field="grace")
    if not 1 <= due_day <= 28:
        raise LoanError(_("The due day must be between 1 and 28."), field="due_day")
    with transaction.atomic():
        bank_loan = BankLoan.objects.create(
            koperasi=koperasi,
            lender=lender[:100],
            reference=(reference or "")[:60],
            plafond=plafond,
            rate_percent=rate,
            term=term,
            grace_periods=grace_periods,
            due_day=due_day,
            start_date=_date(start_date),
            created_by=actor,
        )
        record(
            "loans.bank_loan.created",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=bank_loan,
            summary={"lender": lender, "plafond": plafond, "rate": str(rate), "term": term},
        )
    return bank_loan


def bank_drawn(bank_loan: BankLoan) -> int:
    return (
        bank_loan.movements.filter(kind=BankLoanMovement.Kind.DRAWDOWN).aggregate(
            t=Sum("principal")
        )["t"]
        or 0
    )


def bank_schedule(bank_loan: BankLoan) -> list[tuple[int, dt.date, int, int]]:
    """(period, due date, principal, interest) on what was drawn: the engine's schedule
    with due dates moved to the contract's day (the 12th), then to the next working day."""
    drawn = bank_drawn(bank_loan)
    if drawn <= 0:
        return []
    terms = engine.LoanTerms(
        method=engine.LoanMethod(bank_loan.method),
        principal=drawn,
        rate=engine.periodic_rate(bank_loan.rate_percent, per="year"),
        term=bank_loan.term,
        rounding=engine.Rounding.RUPIAH,
        start_date=bank_loan.start_date,
        grace_periods=bank_loan.grace_periods,
    )
    out = []
    for row in engine.build_schedule(terms).installments:
        assert row.due_date is not None
        day = row.due_date.replace(day=bank_loan.due_day)
        out.append((row.period, next_working_day(day), row.principal, row.interest))
    return out


def draw_bank_loan(bank_loan: BankLoan, *, actor, amount: int, date: dt.date, idempotency_key: str):
    """A drawdown: Dr 1-1200 Bank / Cr 2-2100 Utang bank; never above the plafond."""
    koperasi = bank_loan.koperasi
    roles = require_perm(actor, koperasi, "loans.manage_bank_loan")
    amount = _amount(amount)
    date = _date(date)
    key = _key(idempotency_key)
    with transaction.atomic():
        _lock(koperasi)
        found = BankLoanMovement.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if found is not None:
            if (found.bank_loan_id, found.kind, found.principal, found.date) != (
                bank_loan.pk,
                BankLoanMovement.Kind.DRAWDOWN,
                amount,
                date,
            ):
                raise ConflictError(
                    _("This idempotency key was already used. Nothing was recorded."),
                    field="idempotency_key",
                )
            return found
        if bank_drawn(bank_loan) + amount > bank_loan.plafond:
            raise LoanError(_("The drawdown is above the plafond."), field="amount")
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["bank_received"], bank_loan=bank_loan),
            lines=[LineDraft.debit(chart.BANK, amount), LineDraft.credit(chart.BANK_LOAN, amount)],
            key=f"loans:bank:{key}",
            source="loans.bank_loan",
            source_ref=str(bank_loan.pk),
        )
        move = BankLoanMovement.objects.create(
            koperasi=koperasi,
            bank_loan=bank_loan,
            kind=BankLoanMovement.Kind.DRAWDOWN,
            date=date,
            principal=amount,
            entry=entry,
            idempotency_key=key,
            created_by=actor,
        )
        record(
            "loans.bank_loan.drawn",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=move,
            summary={"amount": amount, "entry": entry.number},
        )
    return move


def pay_bank_installment(
    bank_loan: BankLoan,
    *,
    actor,
    principal: int,
    interest: int,
    date: dt.date,
    idempotency_key: str,
):
    """An installment paid to the bank: Dr 2-2100 (pokok) + Dr 5-2300 beban bunga bank /
    Cr 1-1200 Bank. Never more principal than is owed."""
    koperasi = bank_loan.koperasi
    roles = require_perm(actor, koperasi, "loans.manage_bank_loan")
    date = _date(date)
    key = _key(idempotency_key)
    for name, value in (("principal", principal), ("interest", interest)):
        if not isinstance(value, int) or value < 0 or value > MAX_SEN:
            raise LoanError(_("This figure must be a whole number, not negative."), field=name)
    if principal + interest <= 0:
        raise LoanError(_("The amount must be more than zero."), field="principal")
    with transaction.atomic():
        _lock(koperasi)
        found = BankLoanMovement.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if found is not None:
            if (found.bank_loan_id, found.principal, found.interest, found.date) != (
                bank_loan.pk,
                principal,
                interest,
                date,
            ):
                raise ConflictError(
                    _("This idempotency key was already used. Nothing was recorded."),
                    field="idempotency_key",
                )
            return found
        if principal > bank_outstanding(bank_loan):
            raise LoanError(
                _("The principal is more than what is owed to the bank."), field="principal"
            )
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["bank_installment"], bank_loan=bank_loan),
            lines=[
                LineDraft.debit(chart.BANK_LOAN, principal),
                LineDraft.debit(chart.BANK_INTEREST_EXPENSE, interest),
                LineDraft.credit(chart.BANK, principal + interest),
            ],
            key=f"loans:bank:{key}",
            source="loans.bank_loan",
            source_ref=str(bank_loan.pk),
        )
        move = BankLoanMovement.objects.create(
            koperasi=koperasi,
            bank_loan=bank_loan,
            kind=BankLoanMovement.Kind.PAYMENT,
            date=date,
            principal=principal,
            interest=interest,
            entry=entry,
            idempotency_key=key,
            created_by=actor,
        )
        record(
            "loans.bank_loan.paid",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=move,
            summary={"principal": principal, "interest": interest, "entry": entry.number},
        )
    return move


def bank_outstanding(bank_loan: BankLoan) -> int:
    paid = (
        bank_loan.movements.filter(kind=BankLoanMovement.Kind.PAYMENT).aggregate(
            t=Sum("principal")
        )["t"]
        or 0
    )
    return bank_drawn(bank_loan) - paid
