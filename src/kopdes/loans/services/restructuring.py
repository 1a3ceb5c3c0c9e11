"""Restructuring and write-off (maker-checker), and recovery of a written-off loan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import loans as engine
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.loans.choices import (
    Kolektibilitas,
    LoanStatus,
    ProposalKind,
)
from kopdes.loans.errors import LoanError
from kopdes.loans.models import (
    Installment,
    Loan,
    LoanProposal,
)
from kopdes.loans.services._common import (
    MEMOS,
    _amount,
    _business_date,
    _date,
    _key,
    _loan_line,
    _lock,
    _not_before_disbursement,
    _percent,
    _post,
)
from kopdes.loans.services.applications import _next_number, is_relative
from kopdes.loans.services.disbursement import _schedule_rows
from kopdes.platform.approvals import services as approvals
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm, roles_for

# --- restructuring and write-off (maker-checker) ------------------------------------------


def _open_proposal_check(loan: Loan, kind: str) -> None:
    if LoanProposal.objects.filter(
        koperasi_id=loan.koperasi_id, loan=loan, kind=kind, state=ProposalState.PENDING
    ).exists():
        raise LoanError(_("A proposal for this loan is already waiting for approval."))


def propose_restructure(
    loan: Loan,
    *,
    actor,
    reason: str,
    term: int,
    rate_percent: Any,
    start_date: dt.date,
    method: str | None = None,
    grace_periods: int = 0,
    capitalised_interest: int = 0,
) -> LoanProposal:
    """Propose rescheduling what is still owed; the ketua approves (another person)."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.propose_restructure")
    reason = (reason or "").strip()
    if not reason:
        raise LoanError(_("Write the reason."), field="reason")
    rate = _percent(rate_percent)
    start_date = _date(start_date)
    if not isinstance(term, int) or not 1 <= term <= engine.MAX_TERM:
        raise LoanError(_("The term must be between 1 and 600 months."), field="term")
    if not isinstance(capitalised_interest, int) or capitalised_interest < 0:
        raise LoanError(_("This figure must be a whole number, not negative."), field="capitalised")
    method = method or loan.method
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("Only an active loan can be restructured."), field="loan")
        _open_proposal_check(loan, ProposalKind.RESTRUCTURE)
        # The new schedule must be buildable before it is proposed.
        try:
            engine.restructure(
                loan.principal - loan.principal_paid,
                capitalised_interest=capitalised_interest,
                method=method,
                rate=engine.periodic_rate(rate, per=loan.rate_per),
                term=term,
                rounding=loan.rounding,
                start_date=start_date,
                grace_periods=grace_periods,
            )
        except engine.LoanError as exc:
            raise LoanError(exc.message, field="term") from exc
        proposal = LoanProposal.objects.create(
            koperasi=koperasi,
            loan=loan,
            kind=ProposalKind.RESTRUCTURE,
            reason=reason[:300],
            params={
                "term": term,
                "rate_percent": str(rate),
                "method": method,
                "grace_periods": grace_periods,
                "capitalised_interest": capitalised_interest,
                "start_date": start_date.isoformat(),
            },
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "loans.restructure.proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"loan": loan.number, **proposal.params},
        )
    return proposal


def eligible_collateral(loan: Loan) -> int:
    """The part of the loan's collateral that counts against its PPAP from DPK on: the
    appraised value times the AD/ART factor of its binding (sen)."""
    if not loan.collateral_value:
        return 0
    collateral = engine.Collateral(loan.collateral_value, loan.collateral_binding)
    return collateral.eligible(loan.koperasi.adart.collateral_factors)


def current_kolektibilitas(loan: Loan, as_of: dt.date | None = None) -> engine.Kolektibilitas:
    """The loan's class on ``as_of`` (default today) from its oldest unpaid installment
    and the AD/ART buckets: what the daily job would give it, without waiting for it."""
    as_of = as_of or timezone.localdate()
    oldest = (
        Installment.objects.filter(loan=loan, paid_on__isnull=True, due_date__lte=as_of)
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    return engine.kolektibilitas(
        engine.days_past_due(oldest, as_of),
        loan.koperasi.adart.kolektibilitas_buckets,
        restructured=loan.restructured,
    )


def can_write_off(loan: Loan, as_of: dt.date | None = None) -> bool:
    """Whether the AD/ART allows hapus buku for this loan: an active loan whose class
    today (or the class the daily job last gave it, if worse) is at least the AD/ART's
    ``write_off_min_kolektibilitas`` (default macet)."""
    if loan.status != LoanStatus.ACTIVE:
        return False
    klass = max(int(current_kolektibilitas(loan, as_of)), loan.kolektibilitas)
    return loan.koperasi.adart.allows_write_off(klass)


def propose_write_off(loan: Loan, *, actor, reason: str) -> LoanProposal:
    """Propose hapus buku; the ketua and a pengawas must both approve."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.propose_write_off")
    reason = (reason or "").strip()
    if not reason:
        raise LoanError(_("Write the reason."), field="reason")
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("Only an active loan can be written off."), field="loan")
        if not can_write_off(loan):
            raise LoanError(
                _("The AD/ART allows a write-off only from %(klass)s; this loan is %(current)s.")
                % {
                    "klass": Kolektibilitas(koperasi.adart.write_off_min_kolektibilitas).label,
                    "current": Kolektibilitas(int(current_kolektibilitas(loan))).label,
                },
                field="loan",
            )
        _open_proposal_check(loan, ProposalKind.WRITE_OFF)
        proposal = LoanProposal.objects.create(
            koperasi=koperasi,
            loan=loan,
            kind=ProposalKind.WRITE_OFF,
            reason=reason[:300],
            params={"outstanding": loan.principal - loan.principal_paid},
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            "loans.write_off.proposed",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"loan": loan.number, "outstanding": proposal.params["outstanding"]},
        )
    return proposal


def _permission(proposal: LoanProposal) -> str:
    if proposal.kind == ProposalKind.RESTRUCTURE:
        return "loans.approve_restructure"
    return "loans.approve_write_off"


def approve_proposal(proposal: LoanProposal, *, actor, date: dt.date) -> LoanProposal:
    """Approve a restructuring (ketua) or one half of a write-off (ketua, pengawas).

    The proposer never approves (``approvals.check_decider``; the database refuses it
    too), nor the borrower or a recorded relative. A restructuring is decided by its one
    approval (``approvals.settle``). A write-off's first approval is recorded as
    ``decided_by`` and the proposal stays pending; it takes effect when the other of the
    two roles approves (``second_approved_by``, never the first approver). A decided
    proposal is refused (``AlreadyDecidedError``).
    """
    koperasi = proposal.koperasi
    date = _date(date)
    roles = approvals.check_decider(proposal, actor, _permission(proposal))
    with transaction.atomic():
        _lock(koperasi)
        proposal = LoanProposal.objects.select_related("loan", "loan__member").get(pk=proposal.pk)
        if is_relative(actor, proposal.loan.member):
            raise PermissionDeniedError(
                _("You may not decide a loan of yourself or of a relative."), code="maker_checker"
            )
        if proposal.kind == ProposalKind.WRITE_OFF and proposal.decided_by_id is None:
            # The first half: recorded while the proposal stays pending (so a decided
            # proposal is refused by the same conditional update as any other decision).
            first = LoanProposal.objects.filter(
                pk=proposal.pk, state=ProposalState.PENDING, decided_by__isnull=True
            ).update(decided_by=actor)
            if not first:
                raise approvals.AlreadyDecidedError(_("This proposal has already been decided."))
            proposal.decided_by = actor
            loan = proposal.loan
            if loan.status != LoanStatus.ACTIVE:
                raise LoanError(_("This loan is no longer active."))
            _business_date(koperasi, date, loan)
            record(
                "loans.write_off.first_approved",
                actor=actor,
                koperasi=koperasi,
                role=role_label(roles),
                obj=proposal,
                summary={"loan": loan.number},
            )
            return proposal
        if proposal.kind == ProposalKind.WRITE_OFF:
            # ``decided_by`` stays the first approver; the second is ``second_approved_by``
            # (a refusal below rolls the settlement back).
            first = proposal.decided_by
            if actor.pk == first.pk:
                raise PermissionDeniedError(
                    _("The second approval must come from another person."), code="maker_checker"
                )
            approvals.settle(
                proposal, actor=first, state=ProposalState.APPROVED, second_approved_by=actor
            )
            first_roles = roles_for(first, koperasi)
            if not (
                (Role.KETUA in first_roles and Role.PENGAWAS in roles)
                or (Role.PENGAWAS in first_roles and Role.KETUA in roles)
            ):
                raise PermissionDeniedError(
                    _("A write-off needs the ketua and a pengawas."), code="maker_checker"
                )
        else:
            approvals.settle(proposal, actor=actor, state=ProposalState.APPROVED)
        loan = proposal.loan
        if loan.status != LoanStatus.ACTIVE:
            raise LoanError(_("This loan is no longer active."))
        _business_date(koperasi, date, loan)
        if proposal.kind == ProposalKind.WRITE_OFF:
            _write_off(loan, actor=actor, date=date, roles=roles)
        else:
            _restructure(loan, proposal, actor=actor, date=date, roles=roles)
        record(
            f"loans.{proposal.kind}.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=proposal,
            summary={"loan": loan.number},
        )
    return proposal


def reject_proposal(proposal: LoanProposal, *, actor, reason: str = "") -> LoanProposal:
    """Turn a restructuring or write-off proposal down (nothing is posted); audited as
    ``loans.<kind>.rejected`` (``approvals.services.reject``)."""
    note = (reason or "")[:300]
    return approvals.reject(
        proposal,
        actor=actor,
        permission=_permission(proposal),
        note=note,
        action=f"loans.{proposal.kind}.rejected",
        summary={"reason": note},
    )


def _restructure(loan: Loan, proposal: LoanProposal, *, actor, date, roles) -> Loan:
    p = proposal.params
    start = dt.date.fromisoformat(p["start_date"])
    outstanding = loan.principal - loan.principal_paid
    capitalised = int(p.get("capitalised_interest", 0))
    schedule = engine.restructure(
        outstanding,
        capitalised_interest=capitalised,
        method=p["method"],
        rate=engine.periodic_rate(p["rate_percent"], per=loan.rate_per),
        term=int(p["term"]),
        rounding=loan.rounding,
        start_date=start,
        grace_periods=int(p.get("grace_periods", 0)),
    )
    koperasi = loan.koperasi
    lock_chain(f"loans:{koperasi.pk}")  # loan numbers, as in apply_for_loan
    new = Loan.objects.create(
        koperasi=koperasi,
        number=_next_number(koperasi),
        member=loan.member,
        product=loan.product,
        status=LoanStatus.ACTIVE,
        channel=loan.channel,
        principal=outstanding + capitalised,
        term=int(p["term"]),
        method=p["method"],
        rate_percent=Decimal(p["rate_percent"]),
        rate_per=loan.rate_per,
        rounding=loan.rounding,
        grace_periods=int(p.get("grace_periods", 0)),
        purpose=f"Restrukturisasi {loan.number}"[:200],
        collateral_value=loan.collateral_value,
        collateral_binding=loan.collateral_binding,
        collateral_note=loan.collateral_note,
        guarantor_note=loan.guarantor_note,
        applied_on=date,
        created_by=proposal.proposed_by,
        decided_by=actor,
        decided_at=timezone.now(),
        disbursed_on=start,
        disbursed_by=actor,
        restructured=True,
        restructured_from=loan,
        kolektibilitas=3,
    )
    entry = _post(
        koperasi,
        actor=actor,
        date=date,
        memo=book_text(koperasi, MEMOS["restructure"], loan=loan.number, new=new.number),
        lines=[
            _loan_line("D", new, outstanding + capitalised),
            _loan_line("C", loan, outstanding),
            LineDraft.credit(chart.LOAN_INTEREST_INCOME, capitalised),
        ],
        key=f"loans:restructure:{proposal.pk}",
        source="loans.restructure",
        source_ref=str(loan.pk),
    )
    new.disbursement_entry = entry
    new.save(update_fields=["disbursement_entry"])
    Installment.objects.bulk_create(_schedule_rows(new, schedule))
    Installment.objects.filter(loan=loan, paid_on__isnull=True).update(paid_on=date)
    loan.status = LoanStatus.RESTRUCTURED
    loan.principal_paid = loan.principal
    loan.closed_on = date
    loan.ppap_required = 0
    loan.save(update_fields=["status", "principal_paid", "closed_on", "ppap_required"])
    record(
        "loans.loan.restructured",
        actor=actor,
        koperasi=koperasi,
        role=role_label(roles),
        obj=new,
        summary={"from": loan.number, "to": new.number, "principal": new.principal},
    )
    return new


def _write_off(loan: Loan, *, actor, date, roles) -> None:
    outstanding = loan.principal - loan.principal_paid
    entry = _post(
        loan.koperasi,
        actor=actor,
        date=date,
        memo=book_text(loan.koperasi, MEMOS["write_off"], loan=loan.number),
        lines=[
            LineDraft.debit(chart.LOAN_LOSS_ALLOWANCE, outstanding),
            _loan_line("C", loan, outstanding),
        ],
        key=f"loans:write_off:{loan.pk}",
        source="loans.write_off",
        source_ref=str(loan.pk),
    )
    loan.status = LoanStatus.WRITTEN_OFF
    loan.written_off_amount = outstanding
    loan.principal_paid = loan.principal
    loan.closed_on = date
    loan.ppap_required = 0
    loan.save(
        update_fields=[
            "status",
            "written_off_amount",
            "principal_paid",
            "closed_on",
            "ppap_required",
        ]
    )
    record(
        "loans.loan.written_off",
        actor=actor,
        koperasi=loan.koperasi,
        role=role_label(roles),
        obj=loan,
        summary={"number": loan.number, "amount": outstanding, "entry": entry.number},
    )


def record_recovery(loan: Loan, *, actor, amount: int, date: dt.date, idempotency_key: str):
    """Money received on a written-off loan. It restores the PPAP allowance (Dr Kas /
    Cr 1-1310); the next month-end PPAP run releases the surplus into income."""
    koperasi = loan.koperasi
    roles = require_perm(actor, koperasi, "loans.repay")
    amount = _amount(amount)
    date = _date(date)
    key = _key(idempotency_key)
    with transaction.atomic():
        _lock(koperasi)
        loan = Loan.objects.get(pk=loan.pk)
        if loan.status != LoanStatus.WRITTEN_OFF:
            raise LoanError(_("Recoveries are only for written-off loans."), field="loan")
        _not_before_disbursement(loan, date)
        entry = _post(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["recovery"], loan=loan.number),
            lines=[
                LineDraft.debit(chart.CASH, amount),
                LineDraft.credit(chart.LOAN_LOSS_ALLOWANCE, amount),
            ],
            key=f"loans:recovery:{key}",
            source="loans.recovery",
            source_ref=str(loan.pk),
        )
        if not getattr(entry, "replayed", False):
            if loan.recovered_amount + amount > loan.written_off_amount:
                raise LoanError(
                    _("The recovery is more than what was written off."), field="amount"
                )
            loan.recovered_amount += amount
            loan.save(update_fields=["recovered_amount"])
            record(
                "loans.recovery.received",
                actor=actor,
                koperasi=koperasi,
                role=role_label(roles),
                obj=loan,
                summary={"number": loan.number, "amount": amount, "entry": entry.number},
            )
    return entry
