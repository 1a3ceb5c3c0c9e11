"""The savings decisions in the approvals inbox (``platform.approvals``): large or
back-dated withdrawals, large deposits (``WithdrawalRequest.kind``) and corrections, all
``approvals.Proposal``s (``maker_field="proposed_by"``). Deciding calls the savings
services; the savings pages (``persetujuan/``, ``koreksi/``) post to the same inbox view
pair through ``approvals/_decide.html``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.money import format_rupiah
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.registry import ApprovalKind, ApprovalRow, register
from kopdes.savings import services
from kopdes.savings.choices import TxnKind
from kopdes.savings.models import Correction, WithdrawalRequest


def _requests(kind: str):
    def pending(koperasi, user, roles):
        return WithdrawalRequest.objects.filter(
            koperasi=koperasi, state=ProposalState.PENDING, kind=kind
        ).select_related("account", "account__member", "proposed_by", "koperasi")

    return pending


def _request_rule(req: WithdrawalRequest) -> str:
    adart = req.koperasi.adart
    if req.kind == TxnKind.DEPOSIT:
        threshold, text = adart.deposit_approval_threshold, _("Deposit above %(limit)s (AD/ART)")
    else:
        threshold = adart.withdrawal_approval_threshold
        text = _("Withdrawal above %(limit)s (AD/ART)")
    if req.amount > threshold:
        return text % {"limit": format_rupiah(threshold)}
    return _("Dated more than %(days)d days back (AD/ART)") % {"days": adart.backdate_approval_days}


def _request_row(req: WithdrawalRequest) -> ApprovalRow:
    return ApprovalRow(
        kind=DEPOSIT if req.kind == TxnKind.DEPOSIT else WITHDRAWAL,
        id=req.pk,
        subject=f"{req.account.member} · {req.account.number}",
        maker=req.proposed_by,
        amount=req.amount,
        rule=_request_rule(req),
        created_at=req.proposed_at,
        url=reverse(
            "savings:account",
            kwargs={"slug": req.koperasi.slug, "savings_account_id": req.account_id},
        ),
    )


def _approve_request(req, *, actor, source_address=""):
    return services.approve_withdrawal(req, actor=actor)


def _reject_request(req, *, actor, reason, source_address=""):
    return services.reject_withdrawal(req, actor=actor, reason=reason)


def _request_kind(name: str, label, kind: str) -> ApprovalKind:
    return ApprovalKind(
        name=name,
        label=label,
        permission="savings.approve_withdrawal",
        model=WithdrawalRequest,
        maker_field="proposed_by",
        pending=_requests(kind),
        row=_request_row,
        approve=_approve_request,
        reject=_reject_request,
        scope={"kind": kind},
    )


def _corrections(koperasi, user, roles):
    return Correction.objects.filter(koperasi=koperasi, state=ProposalState.PENDING).select_related(
        "transaction", "transaction__account", "transaction__member", "proposed_by", "koperasi"
    )


def _correction_row(c: Correction) -> ApprovalRow:
    txn = c.transaction
    return ApprovalRow(
        kind=CORRECTION,
        id=c.pk,
        subject=f"{txn.member} · {txn.account.number} · {txn.get_kind_display()}",
        maker=c.proposed_by,
        amount=abs(txn.amount),
        rule=_("A posted transaction is corrected by a second officer (four eyes)"),
        created_at=c.proposed_at,
        url=reverse("savings:receipt", kwargs={"slug": c.koperasi.slug, "transaction_id": txn.pk}),
    )


WITHDRAWAL = register(
    _request_kind("savings-withdrawal", gettext_lazy("Large withdrawal"), TxnKind.WITHDRAWAL)
)
DEPOSIT = register(_request_kind("savings-deposit", gettext_lazy("Large deposit"), TxnKind.DEPOSIT))
CORRECTION = register(
    ApprovalKind(
        name="savings-correction",
        label=gettext_lazy("Savings correction"),
        permission="savings.approve_correction",
        model=Correction,
        maker_field="proposed_by",
        pending=_corrections,
        row=_correction_row,
        approve=lambda c, *, actor, source_address="": services.approve_correction(c, actor=actor),
        reject=lambda c, *, actor, reason, source_address="": services.reject_correction(
            c, actor=actor, reason=reason
        ),
    )
)
