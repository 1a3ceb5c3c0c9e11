"""The store's decisions in the approvals inbox (``platform.approvals``): a void of a whole
sale and a return of some of its items, proposed at the counter. Deciding calls the same
services as the sale's page (``services.returns``: maker != checker, decided once)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.registry import ApprovalKind, ApprovalRow, register
from kopdes.store.models import ReturnKind, SaleReturn
from kopdes.store.services import returns as services


def _pending(kind: str):
    def pending(koperasi, user, roles):
        return SaleReturn.objects.filter(
            koperasi=koperasi, kind=kind, state=ProposalState.PENDING
        ).select_related("sale", "proposed_by", "koperasi")

    return pending


def _row(rv: SaleReturn) -> ApprovalRow:
    if rv.kind == ReturnKind.VOID:
        kind, rule = VOID, _("A sale is voided only when another officer approves (four eyes)")
    else:
        kind, rule = RETURN, _("Returned goods are refunded only when another officer approves")
    return ApprovalRow(
        kind=kind,
        id=rv.pk,
        subject=_("Sale #%(number)d") % {"number": rv.sale.number} + f" · {rv.reason}"[:80],
        maker=rv.proposed_by,
        amount=rv.amount,
        rule=rule,
        created_at=rv.proposed_at,
        url=reverse("store:sale-detail", kwargs={"slug": rv.koperasi.slug, "sale_id": rv.sale_id}),
    )


def _approve(rv, *, actor, source_address=""):
    return services.approve_sale_return(rv, actor=actor)


def _reject(rv, *, actor, reason, source_address=""):
    return services.reject_sale_return(rv, actor=actor, reason=reason)


VOID = register(
    ApprovalKind(
        name="store-void",
        label=gettext_lazy("Void of a sale"),
        permission=services.APPROVE,
        model=SaleReturn,
        maker_field="proposed_by",
        pending=_pending(ReturnKind.VOID),
        row=_row,
        approve=_approve,
        reject=_reject,
        scope={"kind": ReturnKind.VOID},
    )
)

RETURN = register(
    ApprovalKind(
        name="store-return",
        label=gettext_lazy("Return of sold goods"),
        permission=services.APPROVE,
        model=SaleReturn,
        maker_field="proposed_by",
        pending=_pending(ReturnKind.RETURN),
        row=_row,
        approve=_approve,
        reject=_reject,
        scope={"kind": ReturnKind.RETURN},
    )
)
