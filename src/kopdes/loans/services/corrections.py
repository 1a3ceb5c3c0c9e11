"""Repayment correction: the maker-checker reversal of a recorded payment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.ledger import selectors as ledger_selectors
from kopdes.loans.choices import (
    LoanStatus,
    PaymentSource,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    Installment,
    Loan,
    Repayment,
    RepaymentReversal,
)
from kopdes.loans.services._common import MEMOS, _date, _key, _lock, _post, _savings_move
from kopdes.loans.services.applications import is_relative
from kopdes.platform.approvals import services as approvals
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

# --- repayment correction (maker-checker reversal) ----------------------------------------


def _reason(value: str) -> str:
    reason = " ".join(str(value or "").split())
    if not reason:
        raise LoanError(_("Write the reason for the correction."), field="reason")
    if len(reason) > 300:
        raise LoanError(_("The reason may be at most 300 characters."), field="reason")
    return reason


def _check_reversible(rep: Repayment, *, pending: RepaymentReversal | None = None) -> None:
    """A payment can be reversed when its loan is still active or was closed by it, it is
    the latest payment not already reversed (later ones first: each payment's snapshot is
    the state the next one started from), and it carries its snapshot."""
    loan = rep.loan
    if loan.status not in (LoanStatus.ACTIVE, LoanStatus.PAID_OFF):
        raise LoanError(
            _("This loan was restructured or written off: its payments cannot be corrected."),
            field="repayment",
        )
    others = RepaymentReversal.objects.filter(koperasi_id=rep.koperasi_id, repayment=rep).exclude(
        state=ProposalState.REJECTED
    )
    if pending is not None:
        others = others.exclude(pk=pending.pk)
    found = others.first()
    if found is not None:
        if found.state == ProposalState.PENDING:
            raise LoanError(
                _("A correction of this payment is already waiting for approval."),
                field="repayment",
            )
        raise LoanError(_("This payment has already been corrected."), field="repayment")
    # Payments already reversed drop out (the one being approved has just been settled as
    # approved inside the caller's transaction: it still counts).
    reversed_ = RepaymentReversal.objects.filter(
        koperasi_id=rep.koperasi_id, loan_id=rep.loan_id, state=ProposalState.APPROVED
    )
    if pending is not None:
        reversed_ = reversed_.exclude(pk=pending.pk)
    latest = (
        Repayment.objects.filter(koperasi_id=rep.koperasi_id, loan_id=rep.loan_id)
        .exclude(pk__in=reversed_.values("repayment_id"))
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != rep.pk:
        raise LoanError(
            _(
                "Only the latest payment of a loan can be corrected: correct the later "
                "payments first."
            ),
            field="repayment",
        )
    if rep.idempotency_key.startswith("exit:"):
        # Paid off from the member's savings by their exit settlement (loans.obligations):
        # undoing only the loan side would leave the exit's payout wrong.
        raise LoanError(
            _("This payment settled a member's exit; it cannot be corrected on its own."),
            field="repayment",
        )
    if not rep.state_before:
        raise LoanError(
            _(
                "This payment was recorded before corrections were kept: ask the bookkeeper "
                "to correct it."
            ),
            field="repayment",
        )


def request_repayment_reversal(
    repayment: Repayment,
    *,
    actor,
    reason: str,
    idempotency_key: str,
    date: dt.date | None = None,
) -> RepaymentReversal:
    """Ask for a posted repayment to be reversed (koreksi pembayaran). Maker step.

    Nothing moves yet: another officer with ``ledger.approve_reversal`` approves
    (``approve_repayment_reversal``). Refused, writing nothing: an empty reason, a date
    before the payment, a payment that is not the loan's latest, already corrected or
    waiting, or of a restructured/written-off loan. The same key again returns the first
    request (``replayed``). Audited as ``loans.repayment_reversal.requested``.
    """
    koperasi = repayment.koperasi
    roles = require_perm(actor, koperasi, "loans.repay")
    reason = _reason(reason)
    key = _key(idempotency_key)
    date = _date(date if date is not None else timezone.localdate())
    with transaction.atomic():
        _lock(koperasi)
        existing = RepaymentReversal.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            if existing.repayment_id != repayment.pk:
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another payment. "
                        "Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            existing.replayed = True
            return existing
        rep = Repayment.objects.select_related("loan", "entry").get(
            koperasi=koperasi, pk=repayment.pk
        )
        if date < rep.date:
            raise LoanError(_("The correction cannot be dated before the payment."), field="date")
        _check_reversible(rep)
        reversal = RepaymentReversal.objects.create(
            koperasi=koperasi,
            repayment=rep,
            loan=rep.loan,
            reason=reason,
            date=date,
            idempotency_key=key,
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "loans.repayment_reversal.requested",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=reversal,
            summary={
                "loan": rep.loan.number,
                "amount": rep.amount,
                "entry": rep.entry.number,
                "date": date.isoformat(),
                "reason": reason,
            },
        )
    return reversal


def _restore(loan: Loan, state: dict[str, Any], rep: Repayment) -> list[str]:
    """Put the loan and its installment rows back as they were before ``rep``."""
    figures = state["loan"]
    # The payment being undone must be the last change to the paid figures.
    if (
        loan.principal_paid - rep.principal != figures["principal_paid"]
        or loan.interest_paid - rep.interest != figures["interest_paid"]
        or loan.penalty_paid - rep.penalty != figures["penalty_paid"]
    ):
        raise LoanError(
            _("The loan changed after this payment; ask the bookkeeper."), field="repayment"
        )
    fields = ["principal_paid", "interest_paid", "penalty_paid", "prepaid"]
    for name in fields:
        setattr(loan, name, figures[name])
    if loan.status != figures["status"]:
        loan.status = figures["status"]
        loan.closed_on = (
            dt.date.fromisoformat(figures["closed_on"]) if figures["closed_on"] else None
        )
        loan.dpd = figures["dpd"]
        loan.ppap_required = figures["ppap_required"]
        fields += ["status", "closed_on", "dpd", "ppap_required"]
    loan.save(update_fields=fields)
    Installment.objects.filter(koperasi_id=loan.koperasi_id, loan=loan).delete()
    Installment.objects.bulk_create(
        [
            Installment(
                koperasi_id=loan.koperasi_id,
                loan=loan,
                period=period,
                due_date=dt.date.fromisoformat(due),
                principal=principal,
                interest=interest,
                balance=balance,
                principal_paid=principal_paid,
                interest_paid=interest_paid,
                penalty_paid=penalty_paid,
                paid_on=dt.date.fromisoformat(paid_on) if paid_on else None,
            )
            for (
                period,
                due,
                principal,
                interest,
                balance,
                principal_paid,
                interest_paid,
                penalty_paid,
                paid_on,
            ) in state["rows"]
        ]
    )
    return fields


def approve_repayment_reversal(reversal: RepaymentReversal, *, actor) -> RepaymentReversal:
    """A second officer approves: the repayment's entry is mirrored by a new entry that
    ``reverses`` it (dated the request's date), the installment rows and the loan's paid
    figures are restored from the payment's snapshot (a loan the payment closed is active
    again), and money a payment took from savings is paid back into that account.

    Never the officer who asked (``approvals.check_decider``; the database refuses it
    too), nor the borrower or a recorded relative. Decided once: a second decision gets
    ``AlreadyDecidedError`` (409) and posts nothing (``approvals.settle``). Audited as
    ``loans.repayment_reversal.approved``.
    """
    from kopdes.savings.models import SavingsTransaction

    koperasi = reversal.koperasi
    roles = approvals.check_decider(reversal, actor, "ledger.approve_reversal")
    with transaction.atomic():
        _lock(koperasi)
        rv = RepaymentReversal.objects.select_related(
            "repayment", "repayment__entry", "loan", "loan__member", "loan__product"
        ).get(koperasi=koperasi, pk=reversal.pk)
        approvals.settle(rv, actor=actor, state=ProposalState.APPROVED)
        loan = rv.loan
        loan.koperasi = loan.member.koperasi = koperasi
        if is_relative(actor, loan.member):
            raise PermissionDeniedError(
                _("You may not decide a loan of yourself or of a relative."), code="maker_checker"
            )
        rep = rv.repayment
        rep.loan = loan
        _check_reversible(rep, pending=rv)
        entry = _post(
            koperasi,
            actor=actor,
            date=rv.date,
            memo=book_text(
                koperasi,
                MEMOS["reversal"],
                loan=loan.number,
                entry=rep.entry.number,
                reason=rv.reason,
            ),
            lines=ledger_selectors.mirrored_lines(rep.entry),
            key=f"loans:reverse:{rv.pk}",
            source="loans.repayment_reversal",
            source_ref=str(loan.pk),
            reverses=rep.entry,
        )
        if rep.source == PaymentSource.SAVINGS:
            taken = (
                SavingsTransaction.objects.filter(
                    koperasi=koperasi, idempotency_key=f"loans:repay:{rep.idempotency_key}"
                )
                .select_related("account")
                .first()
            )
            _savings_move(
                loan.member,
                actor=actor,
                date=rv.date,
                amount=rep.amount,
                key=f"loans:reverse:{rv.pk}",
                memo=book_text(koperasi, MEMOS["reversal_line"], loan=loan.number),
                account=taken.account if taken is not None else None,
            )
        _restore(loan, rep.state_before, rep)
        rv.reversal_entry = entry
        rv.save(update_fields=["reversal_entry"])
        record(
            "loans.repayment_reversal.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=rv,
            summary={
                "loan": loan.number,
                "amount": rep.amount,
                "penalty": rep.penalty,
                "interest": rep.interest,
                "principal": rep.principal,
                "source": rep.source,
                "entry": rep.entry.number,
                "reversal": entry.number,
                "requested_by": str(rv.proposed_by_id),
            },
        )
    return rv


def reject_repayment_reversal(
    reversal: RepaymentReversal, *, actor, reason: str = ""
) -> RepaymentReversal:
    """A second officer turns the correction down; nothing moves. Audited as
    ``loans.repayment_reversal.rejected`` (``approvals.services.reject``)."""
    note = (reason or "")[:300]
    return approvals.reject(
        reversal,
        actor=actor,
        permission="ledger.approve_reversal",
        note=note,
        action="loans.repayment_reversal.rejected",
        summary={"repayment": str(reversal.repayment_id), "reason": note},
    )
