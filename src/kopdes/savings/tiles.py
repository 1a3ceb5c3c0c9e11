"""Dashboard tiles: member savings held, and large withdrawals waiting for approval."""

from __future__ import annotations

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from kopdes.domain.money import format_rupiah
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.web.tiles import Tile, TileData, register_tile
from kopdes.savings.models import SavingsAccount, WithdrawalRequest


def _savings_total(koperasi, roles) -> TileData | None:
    del roles
    total = SavingsAccount.objects.filter(koperasi=koperasi).aggregate(t=Sum("balance"))["t"]
    if total is None:
        return None
    return TileData(
        figure=format_rupiah(total),
        label=_("member savings"),
        url=reverse("savings:home", kwargs={"slug": koperasi.slug}),
    )


def _pending_withdrawals(koperasi, roles) -> TileData | None:
    del roles
    n = WithdrawalRequest.objects.filter(koperasi=koperasi, state=ProposalState.PENDING).count()
    if not n:
        return None
    return TileData(
        figure=str(n),
        label=_("withdrawals waiting for approval"),
        url=reverse("savings:approval-list", kwargs={"slug": koperasi.slug}),
        tone="warn",
    )


register_tile(Tile("savings.total", "savings.view", _savings_total, order=20))
register_tile(Tile("savings.pending", "savings.approve_withdrawal", _pending_withdrawals, order=21))
