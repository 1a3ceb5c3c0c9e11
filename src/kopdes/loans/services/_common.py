"""What several loan services share: the sub-ledger constants, journal memos, the ledger lock,
argument checks and the posting helper.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain import dates
from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import MAX_SEN, divide_round
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.choices import EntryKind
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    Loan,
)
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.selectors import roles_for

SUBLEDGER = "loans"
BP = 10_000
MAX_KEY = 150
# Journal memos, in the koperasi's language whatever the officer's (``core.booktext``).
MEMOS = {
    "disburse": gettext_lazy("Loan disbursement %(loan)s %(member)s"),
    "disburse_line": gettext_lazy("Loan disbursement %(loan)s"),
    "payment": gettext_lazy("Loan payment %(loan)s"),
    "payoff": gettext_lazy("Payoff of loan %(loan)s"),
    "accelerated": gettext_lazy("Accelerated payoff of loan %(loan)s"),
    "installment": gettext_lazy("Installment of loan %(loan)s"),
    "reversal": gettext_lazy("Correction of loan payment %(loan)s (journal %(entry)s): %(reason)s"),
    "reversal_line": gettext_lazy("Correction of loan payment %(loan)s"),
    "ppap": gettext_lazy("PPAP %(month)s: %(amount)s required"),
    "restructure": gettext_lazy("Restructuring of %(loan)s into %(new)s"),
    "write_off": gettext_lazy("Write-off of loan %(loan)s"),
    "recovery": gettext_lazy("Recovery of written-off loan %(loan)s"),
    "bank_received": gettext_lazy("Bank loan received %(bank_loan)s"),
    "bank_installment": gettext_lazy("Bank loan installment %(bank_loan)s"),
}


# --- helpers ------------------------------------------------------------------------------


def _roles(actor, koperasi) -> frozenset:
    if actor is None:
        return frozenset()
    return roles_for(actor, koperasi)


def _lock_name(koperasi) -> str:
    # The ledger's lock: every loan write is serialised with every posting of the koperasi.
    return ledger.lock_name(koperasi)


def _lock(koperasi) -> None:
    lock_chain(_lock_name(koperasi))


def _amount(value: Any, field: str = "amount") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LoanError(_("The amount must be a whole number of sen."), field=field)
    if value <= 0:
        raise LoanError(_("The amount must be more than zero."), field=field)
    if value > MAX_SEN:
        raise LoanError(_("The amount is too large."), field=field)
    return value


def _key(value: str) -> str:
    key = (value or "").strip()
    if not key:
        raise LoanError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > MAX_KEY:
        raise LoanError(_("The idempotency key is too long."), field="idempotency_key")
    return key


def _date(value) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise LoanError(_("The date is not valid."), field="date")
    return value


def _business_date(koperasi, date: dt.date, loan: Loan | None = None) -> dt.date:
    """The ledger's business-date rule (books start .. today in the koperasi's time zone,
    no closed month) plus, for a loan's movement, not before its disbursement."""
    try:
        return ledger.check_business_date(
            koperasi,
            date,
            opened_on=loan.disbursed_on if loan is not None else None,
            opened_what="tanggal pencairan pinjaman",
        )
    except LedgerError as exc:
        raise LoanError(exc.message, field="date") from exc


def _not_before_disbursement(loan: Loan, date: dt.date) -> None:
    try:
        dates.check_not_before_opening(date, loan.disbursed_on, "tanggal pencairan pinjaman")
    except dates.BusinessDateError as exc:
        raise LoanError(exc.message, field="date") from exc


def _percent(value: Any, field: str = "rate_percent") -> Decimal:
    if isinstance(value, float | bool):
        raise LoanError(_("The interest rate must be an exact number."), field=field)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise LoanError(_("The interest rate is not a number."), field=field) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise LoanError(_("The interest rate must be between 0 and 100%."), field=field)
    return number.quantize(Decimal("0.0001"))


def _bp_of(amount: int, bp: int) -> int:
    """``bp`` basis points of ``amount`` sen, half-up to the rupiah."""
    return divide_round(amount * bp, BP * 100) * 100


def _post(
    koperasi,
    *,
    actor,
    date,
    memo,
    lines,
    key,
    source,
    source_ref="",
    reverses=None,
    audited_by_caller=True,
):
    """Post through the ledger. The loan services record their own audit event naming the
    entry, so the ledger's is skipped unless ``audited_by_caller=False``."""
    extra = {} if reverses is None else {"reverses": reverses, "kind": EntryKind.REVERSAL}
    with _ledger_errors():
        return ledger.post(
            koperasi,
            actor=actor,
            date=date,
            memo=memo[:200],
            lines=[line for line in lines if line.amount > 0],
            idempotency_key=key,
            source=source,
            source_ref=source_ref,
            audited_by_caller=audited_by_caller,
            **extra,
        )


def _post_batched(reads, *, actor, date, memo, lines, source, source_ref=""):
    """``ledger.post_batched`` for the repayment's two round trips under the lock: the
    entry and the statements writing it, for the caller's write batch."""
    with _ledger_errors():
        return ledger.post_batched(
            reads,
            actor=actor,
            date=date,
            memo=memo[:200],
            lines=[line for line in lines if line.amount > 0],
            source=source,
            source_ref=source_ref,
        )


@contextlib.contextmanager
def _ledger_errors():
    """The ledger's refusals as the loans' own."""
    try:
        yield
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise LoanError(exc.message, field=exc.field) from exc


def _loan_line(side: str, loan: Loan, amount: int) -> LineDraft:
    make = LineDraft.debit if side == "D" else LineDraft.credit
    return make(
        chart.LOANS_RECEIVABLE,
        amount,
        subledger_kind=SUBLEDGER,
        subledger_ref=str(loan.pk),
        memo=loan.number,
    )


def _savings_move(member, *, actor, date, amount: int, key: str, memo: str, account=None):
    """Move ``amount`` sen into (+) or out of (-) the member's sukarela through the savings
    app's own service, against cash (the loan entry takes or gives that cash)."""
    from kopdes.savings import services as savings
    from kopdes.savings.choices import AccountStatus, SavingsKind, TxnKind
    from kopdes.savings.errors import SavingsError
    from kopdes.savings.models import SavingsAccount

    if account is None:
        account = (
            SavingsAccount.objects.filter(
                koperasi=member.koperasi,
                member=member,
                kind=SavingsKind.VOLUNTARY,
                status=AccountStatus.OPEN,
            )
            .order_by("opened_on", "number")
            .first()
        )
    if account is None or account.member_id != member.pk:
        raise LoanError(
            _("%(member)s has no open voluntary savings account.") % {"member": member.number},
            field="savings_account",
        )
    kind = TxnKind.DEPOSIT if amount > 0 else TxnKind.WITHDRAWAL
    try:
        savings.post_cash_batch(
            member.koperasi,
            actor=actor,
            date=date,
            moves=[savings.Move(account, kind, amount, memo[:200])],
            idempotency_key=key,
            memo=memo,
            source="loans.savings",
        )
    except SavingsError as exc:
        raise LoanError(exc.message, field=exc.field) from exc
    return account
