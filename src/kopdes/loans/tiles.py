"""Dashboard tiles: loans outstanding with PAR 30, and applications waiting for a decision."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kopdes.domain.money import format_rupiah
from kopdes.loans import selectors
from kopdes.loans.choices import LoanStatus
from kopdes.loans.models import Loan
from kopdes.platform.web.tiles import Tile, TileData, register_tile


def _outstanding(koperasi, roles) -> TileData | None:
    del roles
    summary = selectors.portfolio_totals(koperasi)
    if not summary["count"]:
        return None
    par = summary["par30_bp"]
    return TileData(
        figure=format_rupiah(summary["outstanding"]),
        label=_("loans outstanding"),
        url=reverse("loans:home", kwargs={"slug": koperasi.slug}),
        note=_("PAR 30: %(par)s") % {"par": selectors.format_bp(par)},
        tone="warn" if par is not None and par > 500 else "",
    )


def _waiting(koperasi, roles) -> TileData | None:
    del roles
    n = Loan.objects.filter(koperasi=koperasi, status=LoanStatus.APPLIED).count()
    if not n:
        return None
    return TileData(
        figure=str(n),
        label=_("loan applications waiting"),
        url=reverse("loans:loan-list", kwargs={"slug": koperasi.slug}) + "?status=applied",
        tone="warn",
    )


register_tile(Tile("loans.outstanding", "loans.view", _outstanding, order=30))
register_tile(Tile("loans.waiting", "loans.approve", _waiting, order=31))
