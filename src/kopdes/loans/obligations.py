"""A member's active loans as obligations for the exit settlement (``platform.core.obligations``).

On exit the member's savings pay off their loans first (DOMAIN.md: pokok and wajib are
returned less what the member owes). Each active loan is owed its payoff amount on the
exit date (denda, jasa to date, outstanding pokok: ``services.dues_on``); settling it is
an ordinary pelunasan through ``services.repay_loan`` so the schedule, the repayment row,
the audit event and the journal entry are the loan's own. The exit approver (ketua,
``members.approve_exit``) is the officer who authorises it.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from kopdes.loans import services
from kopdes.loans.choices import LoanStatus, PaymentSource
from kopdes.loans.models import Loan
from kopdes.platform.core.obligations import Obligation, obligations_provider


def _pay_off(loan: Loan, amount: int, date: dt.date, *, actor, idempotency_key: str):
    return services.repay_loan(
        loan,
        actor=actor,
        amount=amount,
        date=date,
        idempotency_key=idempotency_key,
        source=PaymentSource.CASH,
        permission="members.approve_exit",
        accelerated=True,  # a pelunasan: future jasa is not charged
    )


@obligations_provider
def loan_obligations(member, as_of: dt.date) -> list[Obligation]:
    """Each active loan of ``member`` with its payoff amount on ``as_of``."""
    out = []
    loans = Loan.objects.filter(
        koperasi_id=member.koperasi_id, member_id=member.pk, status=LoanStatus.ACTIVE
    ).select_related("product", "member")
    for loan in loans.order_by("disbursed_on", "number"):
        loan.koperasi = member.koperasi
        date = max(as_of, loan.disbursed_on)
        amount = services.dues_on(loan, date).payoff.total
        if amount > 0:
            out.append(
                Obligation(
                    kind="loan",
                    ref=loan.number,
                    amount=amount,
                    date=date,
                    settle=partial(_pay_off, loan, amount, date),
                )
            )
    return out
