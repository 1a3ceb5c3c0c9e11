"""The loan decisions in the approvals inbox (``platform.approvals``): applications,
restructuring and write-off proposals, and repayment corrections. Deciding calls the same
services as the loan pages (maker != checker, the borrower's relatives, the AD/ART limit)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.money import format_rupiah
from kopdes.loans import services
from kopdes.loans.choices import LoanStatus, ProposalKind
from kopdes.loans.models import Loan, LoanProposal, Relationship, RepaymentReversal
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.registry import (
    ApprovalKind,
    ApprovalRow,
    created_from_id,
    register,
)
from kopdes.platform.identity.choices import Role


def _not_hers(qs, user, member: str):
    """Leave out loans of ``user`` herself or of a member she is recorded a relative of."""
    return qs.exclude(**{f"{member}__user_id": user.pk}).exclude(
        **{f"{member}__in": Relationship.objects.filter(user=user).values("member")}
    )


def _loan_url(loan) -> str:
    return reverse("loans:loan-detail", kwargs={"slug": loan.koperasi.slug, "loan_id": loan.pk})


# --- applications ----------------------------------------------------------------------------


def _applications(koperasi, user, roles):
    qs = Loan.objects.filter(koperasi=koperasi, status=LoanStatus.APPLIED)
    if Role.KETUA not in roles:
        qs = qs.filter(principal__lte=koperasi.adart.loan_approval_threshold)
    return _not_hers(qs, user, "member").select_related("member", "created_by", "koperasi")


def _application_row(loan: Loan) -> ApprovalRow:
    threshold = loan.koperasi.adart.loan_approval_threshold
    if loan.principal > threshold:
        rule = _("Loan above %(limit)s: the ketua decides (AD/ART)") % {
            "limit": format_rupiah(threshold)
        }
    else:
        rule = _("Another officer than the one who entered the application decides it")
    return ApprovalRow(
        kind=APPLICATION,
        id=loan.pk,
        subject=f"{loan.number} · {loan.member}",
        maker=loan.created_by,
        amount=loan.principal,
        rule=rule,
        created_at=created_from_id(loan.pk),
        url=_loan_url(loan),
    )


APPLICATION = register(
    ApprovalKind(
        name="loans-application",
        label=gettext_lazy("Loan application"),
        permission="loans.approve",
        model=Loan,
        maker_field="created_by",
        pending=_applications,
        row=_application_row,
        approve=lambda loan, *, actor, source_address="": services.approve_loan(loan, actor=actor),
        reject=lambda loan, *, actor, reason, source_address="": services.reject_loan(
            loan, actor=actor, reason=reason
        ),
    )
)


# --- restructuring and write-off proposals ---------------------------------------------------


def _proposals(kind: str):
    def pending(koperasi, user, roles):
        qs = LoanProposal.objects.filter(
            koperasi=koperasi, kind=kind, state=ProposalState.PENDING
        ).exclude(decided_by_id=user.pk)  # a write-off's second half is another person
        return _not_hers(qs, user, "loan__member").select_related(
            "loan", "loan__member", "proposed_by", "koperasi"
        )

    return pending


def _proposal_row(p: LoanProposal) -> ApprovalRow:
    loan = p.loan
    if p.kind == ProposalKind.WRITE_OFF:
        kind, amount = WRITE_OFF, int(p.params.get("outstanding", 0))
        rule = (
            _("A write-off needs the ketua and a pengawas; one has approved")
            if p.decided_by_id
            else _("A write-off needs the ketua and a pengawas")
        )
    else:
        kind, amount = RESTRUCTURE, loan.principal - loan.principal_paid
        rule = _("A restructuring is approved by the ketua")
    return ApprovalRow(
        kind=kind,
        id=p.pk,
        subject=f"{loan.number} · {loan.member}",
        maker=p.proposed_by,
        amount=amount,
        rule=rule,
        created_at=p.proposed_at,
        url=_loan_url(loan),
    )


def _approve_proposal(p, *, actor, source_address=""):
    return services.approve_proposal(p, actor=actor, date=timezone.localdate())


def _reject_proposal(p, *, actor, reason, source_address=""):
    return services.reject_proposal(p, actor=actor, reason=reason)


RESTRUCTURE = register(
    ApprovalKind(
        name="loans-restructure",
        label=gettext_lazy("Loan restructuring"),
        permission="loans.approve_restructure",
        model=LoanProposal,
        maker_field="proposed_by",
        pending=_proposals(ProposalKind.RESTRUCTURE),
        row=_proposal_row,
        approve=_approve_proposal,
        reject=_reject_proposal,
        scope={"kind": ProposalKind.RESTRUCTURE},
    )
)
WRITE_OFF = register(
    ApprovalKind(
        name="loans-write-off",
        label=gettext_lazy("Loan write-off"),
        permission="loans.approve_write_off",
        model=LoanProposal,
        maker_field="proposed_by",
        pending=_proposals(ProposalKind.WRITE_OFF),
        row=_proposal_row,
        approve=_approve_proposal,
        reject=_reject_proposal,
        scope={"kind": ProposalKind.WRITE_OFF},
    )
)


# --- repayment corrections -------------------------------------------------------------------


def _reversals(koperasi, user, roles):
    qs = RepaymentReversal.objects.filter(koperasi=koperasi, state=ProposalState.PENDING)
    return _not_hers(qs, user, "loan__member").select_related(
        "loan", "loan__member", "repayment", "proposed_by", "koperasi"
    )


def _reversal_row(rv: RepaymentReversal) -> ApprovalRow:
    return ApprovalRow(
        kind=REPAYMENT_REVERSAL,
        id=rv.pk,
        subject=f"{rv.loan.number} · {rv.loan.member}",
        maker=rv.proposed_by,
        amount=rv.repayment.amount,
        rule=_("A posted repayment is corrected by a second officer (four eyes)"),
        created_at=rv.proposed_at,
        url=reverse(
            "loans:repayment-receipt",
            kwargs={"slug": rv.koperasi.slug, "repayment_id": rv.repayment_id},
        ),
    )


REPAYMENT_REVERSAL = register(
    ApprovalKind(
        name="loans-repayment-reversal",
        label=gettext_lazy("Repayment correction"),
        permission="ledger.approve_reversal",
        model=RepaymentReversal,
        maker_field="proposed_by",
        pending=_reversals,
        row=_reversal_row,
        approve=lambda rv, *, actor, source_address="": services.approve_repayment_reversal(
            rv, actor=actor
        ),
        reject=lambda rv, *, actor, reason, source_address="": services.reject_repayment_reversal(
            rv, actor=actor, reason=reason
        ),
    )
)
