"""Repayments: dues on a date, the plan of a payment, and writing it (the loan's hand-written
SQL: the locked read and the installment updates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import loans as engine
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.loans.choices import (
    LoanStatus,
    PaymentSource,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    Installment,
    Loan,
    Repayment,
)

# The hand-written SQL is in loans.posting (some names re-exported by services/__init__).
from kopdes.loans.posting import LIVE_FIELDS as _LIVE_FIELDS  # noqa: F401
from kopdes.loans.posting import ROW_FIELDS, ScheduleRow, delete_rows
from kopdes.loans.posting import locked_read as _locked_read
from kopdes.loans.posting import locked_read_sql as _locked_read_sql  # noqa: F401
from kopdes.loans.posting import locked_read_statement as _locked_read_statement
from kopdes.loans.posting import row_updates as _row_updates
from kopdes.loans.posting import update_statements as _update_statements
from kopdes.loans.posting import write_rows_sql as _write_rows_sql  # noqa: F401
from kopdes.loans.services._common import (
    MEMOS,
    _amount,
    _date,
    _key,
    _loan_line,
    _lock_name,
    _not_before_disbursement,
    _post_batched,
    _savings_move,
)
from kopdes.loans.services.products import loan_terms
from kopdes.platform.audit.services import ChainReads, record_batched
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, execute_groups, insert_statements
from kopdes.platform.core.rows import insert as insert_rows
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

# --- repayment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dues:
    """What a loan owes on a day (sen): due now, and what pays it off."""

    penalty: int
    interest: int
    principal: int
    payoff: engine.Payoff
    outstanding: int
    penalties: dict[int, int]  # installment period -> denda due on it

    @property
    def total_due(self) -> int:
        return self.penalty + self.interest + self.principal


def _schedule_of(loan: Loan, rows: list[Installment] | list[ScheduleRow]) -> engine.Schedule:
    terms = loan_terms(
        loan,
        principal=loan.principal,
        term=len(rows),
        start_date=loan.disbursed_on,
        grace=min(loan.grace_periods, max(0, len(rows) - 1)),
    )
    return engine.Schedule(
        terms=terms,
        installments=tuple(
            engine.Installment(
                r.period, r.due_date, r.principal, r.interest, r.principal + r.interest, r.balance
            )
            for r in rows
        ),
        restructured=loan.restructured,
        prepaid=loan.prepaid,
    )


def dues_on(
    loan: Loan, as_of: dt.date, rows: list[Installment] | list[ScheduleRow] | None = None
) -> Dues:
    """Denda, jasa and pokok due on ``as_of`` and the payoff amount (pelunasan).

    Denda runs on each overdue installment's unpaid amount for the days beyond the
    product's grace, less what was already paid on it.
    """
    product = loan.product
    if rows is None:
        rows = list(Installment.objects.filter(loan=loan).order_by("period"))
    penalties: dict[int, int] = {}
    interest = principal = 0
    for r in rows:
        if r.due_date > as_of or r.paid_on is not None:
            continue
        unpaid = r.unpaid
        if unpaid <= 0:
            continue
        interest += r.interest - r.interest_paid
        principal += r.principal - r.principal_paid
        if product.penalty_bp:
            charged = engine.penalty(
                unpaid,
                (as_of - r.due_date).days,
                rate_bp=product.penalty_bp,
                per=product.penalty_per,
                grace_days=product.penalty_grace_days,
            )
            due = max(0, charged - r.penalty_paid)
            if due:
                penalties[r.period] = due
    penalty = sum(penalties.values())
    outstanding = loan.principal - loan.principal_paid
    payoff = engine.payoff_amount(
        _schedule_of(loan, rows),
        principal_paid=loan.principal_paid,
        interest_paid=loan.interest_paid,
        as_of=max(as_of, loan.disbursed_on),
        penalty_due=penalty,
    )
    return Dues(penalty, interest, principal, payoff, outstanding, penalties)


def _replay_repayment(
    koperasi, key: str, loan: Loan, amount: int, date, source, accelerated: bool = False
) -> Repayment:
    """The repayment already recorded under ``key`` (the caller saw it exists): the same
    content returns it marked ``replayed``; other content is a 409 that writes nothing."""
    found = Repayment.objects.get(koperasi=koperasi, idempotency_key=key)
    mine = (loan.pk, amount, date, source, accelerated)
    if (found.loan_id, found.amount, found.date, found.source, found.accelerated) != mine:
        diff = [
            name
            for name, a, b in (
                ("loan", found.loan_id, loan.pk),
                ("amount", found.amount, amount),
                ("date", found.date, date),
                ("source", found.source, source),
                ("accelerated", found.accelerated, accelerated),
            )
            if a != b
        ]
        raise ConflictError(
            _(
                "This idempotency key was already used for another payment (%(fields)s). "
                "Nothing was recorded."
            )
            % {"fields": ", ".join(diff)},
            field="idempotency_key",
        )
    found.replayed = True
    return found


def repay_loan(
    loan: Loan,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    source: str = PaymentSource.CASH,
    savings_account=None,
    permission: str = "loans.repay",
    accelerated: bool = False,
) -> Repayment:
    """Angsuran or pelunasan.

    By default the payment pays the installments in order, oldest unpaid first: the
    denda, jasa and pokok of one installment before the next, as scheduled (a payment
    before or on the due date pays the next installment; the schedule never changes).

    ``accelerated`` (pelunasan dipercepat, the member asks for it): the installments due
    (and any already part-paid ahead) are paid first as above, the rest goes to the
    principal and the installments still to come are recalculated (same end date,
    smaller installments); exactly the payoff amount closes the loan (future jasa is not
    charged). The repayment and its receipt say so.

    More than the payoff amount is refused; so is the payoff amount without
    ``accelerated`` when paying the installments as scheduled would not close the loan.

    ``source="savings"``: the savings app takes the amount from the member's sukarela
    (refused if the balance is short) in the same transaction.

    ``permission``: a leaving member's loan is paid off from their savings by the officer
    who approves the exit (``members.approve_exit``, see ``loans.obligations``).
    """
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, permission)
    if source not in PaymentSource.values:
        raise LoanError(_("Unknown payment source."), field="source")
    amount = _amount(amount)
    date = _date(date)
    key = _key(idempotency_key)
    if not (Loan.member.is_cached(loan) and Loan.product.is_cached(loan)):
        # Member and product never change under a payment: read them before the lock.
        loan = Loan.objects.select_related("member", "product").get(pk=loan.pk)
    _not_before_disbursement(loan, date)  # books start, today, closed: ledger.post
    number = f"{loan.number} {loan.member.number}"
    counter = chart.QRIS_CLEARING if source == PaymentSource.QRIS else chart.CASH
    # Every other teller of the koperasi waits while this one holds the lock: under it the
    # payment is one batch of reads (the lock, the loan, what the ledger and the audit
    # chain will read) and one batch of writes ending with the COMMIT. A payment from savings posts
    # and records in between, so the ledger and the chain read for themselves then.
    ahead = source != PaymentSource.SAVINGS
    books = ledger.BookReads(
        koperasi,
        idempotency_key=f"loans:repay:{key}",
        codes=[
            counter,
            chart.LOAN_PENALTY_INCOME,
            chart.LOAN_INTEREST_INCOME,
            chart.LOANS_RECEIVABLE,
        ],
    )
    chain = ChainReads(koperasi)
    with transaction.atomic():
        (*_lock_rows, found), book_rows, chain_rows = execute_groups(
            [
                [lock_statement(_lock_name(koperasi)), _locked_read_statement(loan, key)],
                books.statements() if ahead else [],
                chain.statements() if ahead else [],
            ]
        )
        if ahead:
            books.take(book_rows)
            chain.take(chain_rows)
        used, rows = _locked_read(loan, found)
        if used:
            return _replay_repayment(koperasi, key, loan, amount, date, source, accelerated)
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("This loan is not active: nothing is owed on it."), field="loan")
        if date < loan.disbursed_on:
            raise LoanError(_("The payment date is before the disbursement."), field="date")
        dues = dues_on(loan, date, rows)
        plan = plan_repayment(rows, dues, date, amount, accelerated=accelerated)
        # A pelunasan (the payoff amount, accelerated) waives the jasa not yet due and is
        # written by ``_apply_to_rows``; every other payment by its parts per installment.
        is_payoff = plan.is_payoff and plan.accelerated
        parts, extra, after = plan.parts, plan.extra, plan.after
        to_pen, to_int, to_prin = plan.penalty, plan.interest, plan.principal
        before = _snapshot(loan, rows)
        if source == PaymentSource.SAVINGS:
            _savings_move(
                loan.member,
                actor=actor,
                date=date,
                amount=-amount,
                key=f"loans:repay:{key}",
                memo=book_text(koperasi, MEMOS["payment"], loan=loan.number),
                account=savings_account,
            )
        if is_payoff:
            changed = _apply_to_rows(rows, dues, date, to_pen, to_int, to_prin, payoff=True)
            allocation = _allocation_from(before["rows"], changed)
        else:
            changed = _apply_parts(rows, parts, date)
            allocation = [[p.period, p.penalty, p.interest, p.principal] for p in parts]
        if extra:
            changed = _prepay(loan, rows, after, extra, changed)
        entry, writes = _post_batched(
            books,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS[_memo_word(is_payoff, accelerated)], loan=number),
            lines=[
                LineDraft.debit(counter, amount),
                LineDraft.credit(chart.LOAN_PENALTY_INCOME, to_pen),
                LineDraft.credit(chart.LOAN_INTEREST_INCOME, to_int),
                _loan_line("C", loan, to_prin + extra),
            ],
            source="loans.repayment",
            source_ref=str(loan.pk),
        )
        loan.principal_paid += to_prin + extra
        loan.interest_paid += to_int
        loan.penalty_paid += to_pen
        loan.prepaid += extra
        fields = ["principal_paid", "interest_paid", "penalty_paid", "prepaid"]
        if loan.principal_paid == loan.principal:
            loan.status = LoanStatus.PAID_OFF
            loan.closed_on = date
            loan.dpd = 0
            loan.ppap_required = 0
            fields += ["status", "closed_on", "dpd", "ppap_required"]
        repayment = Repayment(
            koperasi=koperasi,
            loan=loan,
            date=date,
            amount=amount,
            penalty=to_pen,
            interest=to_int,
            principal=to_prin + extra,
            source=source,
            is_payoff=loan.status == LoanStatus.PAID_OFF,
            accelerated=accelerated,
            allocation=allocation,
            outstanding_after=loan.principal - loan.principal_paid,
            entry=entry,
            idempotency_key=key,
            created_by=actor,
            created_at=timezone.now(),
            state_before=before,
        )
        # The entry, the installment rows, the loan's figures, the repayment row (a new,
        # append-only row; checks done above) and the audit event: one round trip.
        writes += [
            *_row_updates(changed),
            *_update_statements(Loan, [(loan.pk, {name: getattr(loan, name) for name in fields})]),
            *insert_statements([repayment]),
        ]
        # Without ``ahead`` the chain was not read in the batch: record_batched reads it.
        event = record_batched(
            chain,
            "loans.repayment.received",
            actor=actor,
            role=role_label(roles),
            obj=repayment,
            summary={
                "loan": loan.number,
                "amount": amount,
                "penalty": to_pen,
                "interest": to_int,
                "principal": to_prin + extra,
                "source": source,
                "accelerated": accelerated,
                "entry": entry.number,
            },
        )
        writes += event.writes
        execute_batch(writes, commit=True)
    return repayment


@dataclass(frozen=True)
class RepaymentPlan:
    """How a payment will be split (sen): per installment (``parts``, not for a payoff),
    the totals, the principal paid ahead (``extra``, accelerated only) and the last
    period kept as scheduled (``after``) when the rest is re-amortised."""

    is_payoff: bool
    accelerated: bool
    parts: tuple[engine.InstallmentPayment, ...]
    penalty: int
    interest: int
    principal: int
    extra: int
    after: int

    @property
    def paid_periods(self) -> list[int]:
        """The installments this payment pays in full or in part."""
        return [p.period for p in self.parts]


def plan_repayment(
    rows, dues: Dues, date: dt.date, amount: int, *, accelerated: bool
) -> RepaymentPlan:
    """The split of ``amount`` paid on ``date`` over the installment ``rows`` (as the
    rules of ``repay_loan`` say), or a ``LoanError`` saying why it is refused. Reads
    nothing: the repayment uses it under the lock, the confirmation page to show it."""
    payoff_total = dues.payoff.total
    if amount > payoff_total:
        raise LoanError(
            _("The amount is more than what pays the loan off today (%(payoff)s).")
            % {"payoff": format_rupiah(payoff_total)},
            field="amount",
        )
    if accelerated and amount == payoff_total:
        return RepaymentPlan(
            True, True, (), dues.penalty, dues.payoff.interest, dues.outstanding, 0, 0
        )
    parts, extra, after = _allocate(rows, dues, date, amount, accelerated=accelerated)
    principal = sum(p.principal for p in parts)
    closes = principal == dues.outstanding
    if not accelerated and amount == payoff_total and not extra and not closes:
        raise LoanError(
            _(
                "This is the amount that pays the loan off today: tick "
                "'accelerated payoff' (pelunasan dipercepat) so that the jasa "
                "not yet due is not charged."
            ),
            field="accelerated",
        )
    if extra and not accelerated:
        raise LoanError(
            _(
                "The amount is more than every installment still to pay. To pay "
                "principal ahead, tick 'accelerated payoff' (pelunasan dipercepat)."
            ),
            field="amount",
        )
    if accelerated and not extra:
        raise LoanError(
            _(
                "This amount only pays the installments due (%(due)s): nothing is left "
                "to pay ahead. Untick 'accelerated payoff' or pay more."
            )
            % {"due": format_rupiah(amount)},
            field="accelerated",
        )
    return RepaymentPlan(
        closes and not extra,
        accelerated,
        parts,
        sum(p.penalty for p in parts),
        sum(p.interest for p in parts),
        principal,
        extra,
        after,
    )


def preview_repayment(
    loan: Loan, *, amount: int, date: dt.date, accelerated: bool
) -> RepaymentPlan:
    """What ``repay_loan`` would do with this payment now (for the confirmation page);
    raises the same ``LoanError`` it would. Writes nothing."""
    if loan.status != LoanStatus.ACTIVE:
        raise LoanError(_("This loan is not active: nothing is owed on it."), field="loan")
    rows = list(Installment.objects.filter(loan=loan).order_by("period"))
    dues = dues_on(loan, date, rows)
    return plan_repayment(rows, dues, date, amount, accelerated=bool(accelerated))


def _memo_word(is_payoff: bool, accelerated: bool) -> str:
    """The key in ``MEMOS`` of a repayment's journal memo."""
    if is_payoff:
        return "payoff"
    return "accelerated" if accelerated else "installment"


def _allocate(
    rows: list[ScheduleRow], dues: Dues, date: dt.date, amount: int, *, accelerated: bool
) -> tuple[tuple[engine.InstallmentPayment, ...], int, int]:
    """(parts per installment, amount left over, last period kept as scheduled).

    Oldest unpaid installment first, denda -> jasa -> pokok of each (the engine's
    ``allocate_to_installments``). As scheduled: every installment still unpaid, due or
    not. Accelerated: only those due on ``date`` or already part-paid ahead; what is left
    pays principal ahead of the rows after them (``after``)."""
    after = 0
    if accelerated:
        after = max(
            (
                r.period
                for r in rows
                if r.due_date <= date
                or r.paid_on is not None
                or r.principal_paid
                or r.interest_paid
            ),
            default=0,
        )
    owed = [
        engine.InstallmentDue(
            r.period,
            dues.penalties.get(r.period, 0),
            r.interest - r.interest_paid,
            r.principal - r.principal_paid,
        )
        for r in rows
        if r.paid_on is None and (not accelerated or r.period <= after)
    ]
    parts, left = engine.allocate_to_installments(amount, owed)
    return parts, left, after


def _allocation_from(before: list[list], changed: list[ScheduleRow]) -> list[list[int]]:
    """[[period, denda, jasa, pokok]] paid on each row: the rows' figures less the
    snapshot taken before the payment (``_snapshot``'s row layout)."""
    old = {row[0]: row for row in before}
    out = []
    for r in sorted(changed, key=lambda r: r.period):
        o = old[r.period]
        parts = [r.penalty_paid - o[7], r.interest_paid - o[6], r.principal_paid - o[5]]
        if any(parts):
            out.append([r.period, *parts])
    return out


def _apply_parts(rows: list[ScheduleRow], parts, date) -> list[ScheduleRow]:
    """Write each installment's part of a payment onto its row; a row paid in full gets
    ``paid_on``. Returns the rows that changed."""
    by_period = {r.period: r for r in rows}
    changed = []
    for part in parts:
        r = by_period[part.period]
        r.penalty_paid += part.penalty
        r.interest_paid += part.interest
        r.principal_paid += part.principal
        if r.unpaid == 0:
            r.paid_on = date
        changed.append(r)
    return changed


def _apply_to_rows(rows, dues: Dues, date, to_pen, to_int, to_prin, *, payoff: bool):
    changed: dict[int, ScheduleRow] = {}
    for r in rows:
        if to_pen <= 0:
            break
        part = min(to_pen, dues.penalties.get(r.period, 0))
        if part:
            r.penalty_paid += part
            to_pen -= part
            changed[r.period] = r
    due_rows = [r for r in rows if r.due_date <= date and r.paid_on is None]
    for r in due_rows:
        part = min(to_int, r.interest - r.interest_paid)
        if part > 0:
            r.interest_paid += part
            to_int -= part
            changed[r.period] = r
    for r in rows if payoff else due_rows:
        part = min(to_prin, r.principal - r.principal_paid)
        if part > 0:
            r.principal_paid += part
            to_prin -= part
            changed[r.period] = r
    for r in rows:
        if r.paid_on is None and (payoff or r.unpaid == 0):
            r.paid_on = date
            changed[r.period] = r
    return list(changed.values())


def _prepay(loan: Loan, rows: list[ScheduleRow], after: int, extra: int, changed):
    """Re-amortise the installments after period ``after`` (the last one due or paid
    on) after ``extra`` principal paid ahead.

    The principal still scheduled after ``after`` is what the rows say (earlier
    prepayments already shrank them), so the engine is given that balance. ``rows``
    become the new schedule in place (a row after ``after`` is as new: nothing paid on
    it); the rows to write are returned with the ``changed`` ones.
    """
    remaining = sum(r.principal - r.principal_paid for r in rows if r.period > after)
    if extra >= remaining:
        raise LoanError(
            _("To pay the whole loan off, pay exactly the payoff amount."), field="amount"
        )
    base = _schedule_of(loan, rows)
    installments = list(base.installments)
    if after:
        index = after - installments[0].period
        installments[index] = installments[index]._replace(balance=remaining)
    terms = replace(base.terms, principal=remaining) if after == 0 else base.terms
    try:
        new = engine.recalculate_after_prepayment(
            engine.Schedule(terms, tuple(installments)), after_period=after, prepayment=extra
        )
    except engine.LoanError as exc:
        raise LoanError(exc.message, field="amount") from exc
    return _reamortise(loan, rows, new, after, changed)


def _reamortise(loan: Loan, rows: list[ScheduleRow], new: engine.Schedule, after: int, changed):
    """Make ``rows`` after period ``after`` equal ``new``'s installments, as fresh rows
    (nothing paid). Only what differs is written: the same periods (the engine keeps the
    term) are updated where their figures changed, a period the schedule no longer has is
    deleted and one it gained is inserted. Returns the rows to update: ``changed`` ones
    up to ``after`` and the re-amortised ones that differ."""
    old = {r.period: r for r in rows if r.period > after}
    out = [r for r in changed if r.period <= after]
    kept = [r for r in rows if r.period <= after]
    added: list[Installment] = []
    for row in new.installments:
        if row.period <= after:
            continue
        figures = (row.due_date, row.principal, row.interest, row.balance, 0, 0, 0, None)
        r = old.pop(row.period, None)
        if r is None:
            obj = Installment(koperasi_id=loan.koperasi_id, loan_id=loan.pk, period=row.period)
            db_pk = Installment._meta.pk.get_db_prep_value(obj.pk, connection)
            r = ScheduleRow(db_pk, row.period, *figures)
            for name, value in zip(ROW_FIELDS, figures, strict=True):
                setattr(obj, name, value)
            added.append(obj)
        elif figures != tuple(getattr(r, name) for name in ROW_FIELDS):
            for name, value in zip(ROW_FIELDS, figures, strict=True):
                setattr(r, name, value)
            out.append(r)
        kept.append(r)
    delete_rows(list(old.values()))
    insert_rows(added)  # a period the new schedule gained (not with keep-term)
    rows[:] = kept
    return out


_LOAN_STATE_FIELDS = (
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "prepaid",
    "status",
    "closed_on",
    "dpd",
    "ppap_required",
)


def _snapshot(loan: Loan, rows: list[ScheduleRow]) -> dict[str, Any]:
    """The loan and its installment rows as they are before a payment (JSON-ready)."""
    state = {name: getattr(loan, name) for name in _LOAN_STATE_FIELDS}
    state["closed_on"] = loan.closed_on.isoformat() if loan.closed_on else None
    return {
        "loan": state,
        "rows": [
            [
                r.period,
                r.due_date.isoformat(),
                r.principal,
                r.interest,
                r.balance,
                r.principal_paid,
                r.interest_paid,
                r.penalty_paid,
                r.paid_on.isoformat() if r.paid_on else None,
            ]
            for r in rows
        ],
    }
