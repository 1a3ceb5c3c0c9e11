"""Disbursing an approved loan: its schedule and the journal entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain import loans as engine
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.loans.choices import (
    DisbursementMethod,
    FeeMode,
    LoanStatus,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    Installment,
    Loan,
)
from kopdes.loans.services._common import (
    MEMOS,
    _business_date,
    _date,
    _key,
    _loan_line,
    _lock,
    _post,
    _savings_move,
)
from kopdes.loans.services.products import loan_terms
from kopdes.members.choices import MemberStatus
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

# --- disbursement -------------------------------------------------------------------------


def _schedule_rows(loan: Loan, schedule: engine.Schedule, *, offset: int = 0) -> list[Installment]:
    return [
        Installment(
            koperasi_id=loan.koperasi_id,
            loan=loan,
            period=row.period,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            balance=row.balance,
        )
        for row in schedule.installments
        if row.period > offset
    ]


def disburse_loan(
    loan: Loan,
    *,
    actor,
    date: dt.date,
    method: str = DisbursementMethod.CASH,
    idempotency_key: str = "",
) -> Loan:
    """Pencairan: the schedule is fixed from ``date``; one entry Dr 1-1300 (the loan) /
    Cr Kas (net of fees) / Cr 4-2200 (admin fee + provisi, income at disbursement).

    Into savings: the savings app's own service then credits the member's sukarela with
    the money against Kas (the cash goes in and out on the same day, so the books show
    both). With fees paid separately the member receives the whole principal and pays the
    fees in cash. A retry (same key, or the loan already disbursed the same way) returns
    the loan; a loan that is not approved is refused.
    """
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.disburse")
    date = _date(date)
    if method not in DisbursementMethod.values:
        raise LoanError(_("Choose cash or voluntary savings."), field="method")
    key = _key(idempotency_key or f"disburse:{loan.pk}")
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.select_related("member", "product").get(pk=loan.pk)
        if loan.status != LoanStatus.APPROVED:
            if loan.disbursement_entry_id is not None:
                if (loan.disbursed_on, loan.disbursement_method) != (date, method):
                    raise ConflictError(
                        _("This loan was already disbursed. Nothing was recorded."),
                        field="idempotency_key",
                    )
                loan.replayed = True
                return loan
            raise LoanError(_("Only an approved loan can be disbursed."), field="loan")
        if loan.member.status != MemberStatus.ACTIVE:
            raise LoanError(
                _("Loans are only for active members; %(member)s is not an active member.")
                % {"member": loan.member.number},
                field="member",
            )
        if date < loan.applied_on:
            raise LoanError(_("The disbursement date is before the application."), field="date")
        _business_date(koperasi, date)
        fees = loan.admin_fee + loan.provisi
        schedule = engine.build_schedule(
            loan_terms(loan, principal=loan.principal, term=loan.term, start_date=date)
        )
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(
                koperasi, MEMOS["disburse"], loan=loan.number, member=loan.member.number
            ),
            lines=[
                _loan_line("D", loan, loan.principal),
                LineDraft.credit(chart.CASH, loan.principal - fees),
                LineDraft.credit(chart.LOAN_FEE_INCOME, fees),
            ],
            key=f"loans:disburse:{key}",
            source="loans.disbursement",
            source_ref=str(loan.pk),
        )
        if method == DisbursementMethod.SAVINGS:
            credited = (
                loan.principal
                if loan.product.fee_mode == FeeMode.SEPARATE
                else (loan.principal - fees)
            )
            _savings_move(
                loan.member,
                actor=actor,
                date=date,
                amount=credited,
                key=f"loans:disburse:{key}",
                memo=book_text(koperasi, MEMOS["disburse_line"], loan=loan.number),
            )
        Installment.objects.bulk_create(_schedule_rows(loan, schedule))
        loan.status = LoanStatus.ACTIVE
        loan.disbursed_on = date
        loan.disbursed_by = actor
        loan.disbursement_method = method
        loan.disbursement_entry = entry
        loan.save(
            update_fields=[
                "status",
                "disbursed_on",
                "disbursed_by",
                "disbursement_method",
                "disbursement_entry",
            ]
        )
        record(
            "loans.loan.disbursed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=loan,
            summary={
                "number": loan.number,
                "principal": loan.principal,
                "fees": fees,
                "method": method,
                "entry": entry.number,
            },
        )
    return loan
