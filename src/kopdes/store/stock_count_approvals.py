"""Stock counts in the approvals inbox (``platform.approvals``), kind ``store-stock-count``:
a submitted count waits for another officer with ``store.approve_count``; the inbox's
decide views call ``approve_count`` / ``reject_count``. A count still being counted (not
submitted) is not a proposal yet: the kind's ``scope`` keeps it out of the decide URLs.
Imported from ``StoreConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.money import format_rupiah
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.registry import ApprovalKind, ApprovalRow, register
from kopdes.store.models import StockCount
from kopdes.store.services import stock_count as services


def _pending(koperasi, user, roles):
    # Not the counts she typed counts in (approve_count refuses them: four eyes).
    return (
        StockCount.objects.filter(
            koperasi=koperasi, state=ProposalState.PENDING, submitted_at__isnull=False
        )
        .exclude(lines__counted_by=user)
        .select_related("business_unit", "proposed_by", "koperasi")
    )


def _row(count: StockCount) -> ApprovalRow:
    return ApprovalRow(
        kind=STOCK_COUNT,
        id=count.pk,
        subject=f"{count} · {count.business_unit.name}",
        maker=count.proposed_by,
        # What the stock loses on balance (shortage less surplus), at the moving average.
        amount=abs(count.shortage_value - count.surplus_value),
        rule=_(
            "Stock count differences (short %(short)s, over %(over)s) are posted when "
            "another officer approves"
        )
        % {
            "short": format_rupiah(count.shortage_value),
            "over": format_rupiah(count.surplus_value),
        },
        created_at=count.proposed_at,
        url=reverse(
            "store:stock-count",
            kwargs={"slug": count.koperasi.slug, "stock_count_id": count.pk},
        ),
    )


def _approve(count, *, actor, source_address=""):
    return services.approve_count(count, actor=actor, source_address=source_address)


def _reject(count, *, actor, reason, source_address=""):
    return services.reject_count(count, actor=actor, note=reason, source_address=source_address)


STOCK_COUNT = register(
    ApprovalKind(
        name="store-stock-count",
        label=gettext_lazy("Stock count (opname)"),
        permission=services.APPROVE,
        model=StockCount,
        maker_field="proposed_by",
        pending=_pending,
        row=_row,
        approve=_approve,
        reject=_reject,
        scope={"submitted_at__isnull": False},
    )
)
