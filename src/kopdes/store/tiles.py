"""The store's dashboard tile: today's sales per business unit (net and number of sales).

Grouped reads of today's sale lines and of the voids and returns approved today (the
figures of ``store.reports``). Cached by ``platform.web.tiles`` under the koperasi's data
version (every checkout appends ``store.sale.completed`` to the audit chain, so a new sale
shows at once) and the date.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from kopdes.domain.money import format_rupiah
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.web.tiles import Tile, TileData, register_tile
from kopdes.store import reports
from kopdes.store.models import BusinessUnit


def sales_today(koperasi) -> tuple[list[dict], int]:
    """Per business unit (running, or switched off but selling today), by kind: its name,
    net sales (less today's returns) and number of sales today; and the number of sales
    (a sale of goods of two units counts once). No rows when the koperasi runs no unit."""
    today = koperasi.today()
    scope = reports.Scope(koperasi, today, today)
    groups = reports.grouped_figures(scope, "business_unit_id", "sale_line__business_unit_id")
    rows = []
    for unit in BusinessUnit.objects.filter(koperasi=koperasi).order_by("kind"):
        figures = groups.get(unit.pk)
        if figures is None and not unit.is_active:
            continue
        figures = figures or reports.ZERO
        rows.append(
            {
                "unit": unit.name,
                "net": figures["net"] - figures["returns"],
                "sales": figures["sales"],
            }
        )
    total = reports.grouped_figures(scope, None, None)[None]
    return rows, total["sales"]


def _sales_today(koperasi, roles) -> TileData | None:
    rows, count = sales_today(koperasi)
    if not rows:
        return None  # no business unit: the koperasi runs no store
    note = " · ".join(f"{r['unit']}: {format_rupiah(r['net'])} ({r['sales']})" for r in rows)
    url = ""
    if has_perm(roles, reports.PERMISSION):
        url = reverse("store:report-sales-unit", kwargs={"slug": koperasi.slug})
    return TileData(
        figure=format_rupiah(sum(r["net"] for r in rows)),
        label=ngettext("sales today (%(n)d sale)", "sales today (%(n)d sales)", count)
        % {"n": count},
        url=url,
        note=note,
    )


register_tile(Tile("store.sales_today", "store.view", _sales_today, order=35))
