"""The ledger's dashboard tile: cash and bank on hand (one grouped read of balance rows)."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy

from kopdes.domain.money import format_rupiah
from kopdes.ledger.models import AccountBalance
from kopdes.ledger.reports import BANK_PREFIX, CASH_PREFIX
from kopdes.platform.web.tiles import Tile, TileData, register_tile


def _cash_and_bank(koperasi, roles) -> TileData | None:
    del roles
    totals = AccountBalance.objects.filter(
        Q(account__code__startswith=CASH_PREFIX) | Q(account__code__startswith=BANK_PREFIX),
        koperasi=koperasi,
        account__type="aset",
    ).aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    if totals["d"] is None:
        return None
    balance = totals["d"] - totals["c"]
    return TileData(
        figure=format_rupiah(balance),
        label=str(gettext_lazy("cash and bank")),
        url=reverse("ledger:cash-book", kwargs={"slug": koperasi.slug}),
        tone="err" if balance < 0 else "",
    )


register_tile(Tile("ledger.cash_and_bank", "ledger.view", _cash_and_bank, order=10))
