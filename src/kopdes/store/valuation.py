"""Read-only stock views per business unit: the stock valuation (quantity, moving average,
value; its total is the unit's Persediaan balance, which ``kopdes verify`` checks as
``store.stock``) and the low-stock list (on hand below the item's minimum stock). The
page, the XLSX and the PDF all render the same ``Valuation``, through
``platform.documents`` (the one export path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Sum
from django.utils.translation import gettext as _

from kopdes.domain.inventory import round_half_up
from kopdes.domain.money import format_rupiah
from kopdes.domain.units import tidy
from kopdes.ledger.models import AccountBalance
from kopdes.platform.documents import xlsx
from kopdes.store.models import BusinessUnit, Item, StockPosition


def shown(quantity: Decimal) -> str:
    """A quantity as typed in Indonesia ("1,5"; thousands not grouped)."""
    return format(tidy(quantity), "f").replace(".", ",")


@dataclass(frozen=True)
class ValuationRow:
    item: Item
    quantity: Decimal  # in the item's base unit (kg, not gram)
    average: int  # sen per base unit, rounded (the exact average is value / quantity)
    value: int  # sen


@dataclass
class Valuation:
    unit: BusinessUnit
    rows: list[ValuationRow] = field(default_factory=list)
    total: int = 0  # sen: the sum of the positions' values
    book_balance: int = 0  # sen: the unit's Persediaan account (debit - credit)

    @property
    def reconciles(self) -> bool:
        return self.total == self.book_balance


def inventory_balance(unit: BusinessUnit) -> int:
    """The balance (debit - credit, sen) of ``unit``'s Persediaan account, all periods."""
    got = AccountBalance.objects.filter(
        koperasi_id=unit.koperasi_id, account__code=unit.inventory_account
    ).aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    return (got["d"] or 0) - (got["c"] or 0)


def valuation(unit: BusinessUnit) -> Valuation:
    """Every item of ``unit`` with stock on hand, by name: one query over the positions
    (no movement is read, so it stays fast after millions of them)."""
    result = Valuation(unit)
    positions = (
        StockPosition.objects.filter(koperasi_id=unit.koperasi_id, business_unit=unit)
        .filter(quantity__gt=0)
        .select_related("item")
        .order_by("item__name")
    )
    for p in positions:
        per = p.item.units().price_per
        result.rows.append(
            ValuationRow(
                item=p.item,
                quantity=Decimal(p.quantity) / per,
                average=round_half_up(Fraction(p.value * per, p.quantity)),
                value=p.value,
            )
        )
        result.total += p.value
    result.book_balance = inventory_balance(unit)
    return result


@dataclass(frozen=True)
class LowStockRow:
    item: Item
    on_hand: Decimal  # base unit
    minimum: Decimal  # base unit
    short: Decimal  # minimum - on hand


def low_stock(unit: BusinessUnit) -> list[LowStockRow]:
    """Active goods items of ``unit`` whose stock on hand is below their minimum stock
    (items never received count as 0), the emptiest first."""
    items = Item.objects.filter(
        koperasi_id=unit.koperasi_id,
        business_unit=unit,
        is_service=False,
        is_active=True,
        min_stock__gt=0,
    )
    held = dict(
        StockPosition.objects.filter(koperasi_id=unit.koperasi_id, business_unit=unit).values_list(
            "item_id", "quantity"
        )
    )
    rows = []
    for item in items:
        on_hand = Decimal(held.get(item.pk, 0)) / item.units().price_per
        if on_hand < item.min_stock:
            rows.append(LowStockRow(item, on_hand, item.min_stock, item.min_stock - on_hand))
    rows.sort(key=lambda r: (r.on_hand / r.minimum, r.item.name.lower()))
    return rows


COLUMNS = ["Barang", "Kategori", "Satuan", "Jumlah", "Harga pokok rata-rata", "Nilai"]


def workbook(v: Valuation, *, as_of: str):
    """The valuation as an XLSX workbook (amounts exact, Rupiah formats)."""
    wb, ws = xlsx.new_workbook(_("Stock valuation"))
    xlsx.write_row(ws, [f"{v.unit.koperasi.name} · {v.unit.name}"], bold=True)
    xlsx.write_row(ws, [_("Stock valuation at moving average, %(date)s") % {"date": as_of}])
    xlsx.write_header(ws, COLUMNS)
    for row in v.rows:
        xlsx.write_row(
            ws,
            [
                row.item.name,
                row.item.category.name if row.item.category_id else "",
                row.item.get_base_unit_display(),
                row.quantity,
                row.average,
                row.value,
            ],
            money_columns=(4, 5),
        )
    xlsx.write_row(ws, [_("Total"), "", "", "", "", v.total], money_columns=(5,), bold=True)
    xlsx.write_row(
        ws,
        [
            _("Balance of Persediaan %(code)s") % {"code": v.unit.inventory_account},
            "",
            "",
            "",
            "",
            v.book_balance,
        ],
        money_columns=(5,),
    )
    xlsx.set_widths(ws, [40, 18, 8, 12, 22, 22])
    return wb


def pdf_context(v: Valuation, *, as_of: str) -> dict:
    return {
        "koperasi": v.unit.koperasi,
        "title": _("Stock valuation"),
        "valuation": v,
        "as_of": as_of,
        "rows": [
            {
                "name": r.item.name,
                "unit": r.item.get_base_unit_display(),
                "quantity": shown(r.quantity),
                "average": format_rupiah(r.average),
                "value": format_rupiah(r.value),
            }
            for r in v.rows
        ],
        "total": format_rupiah(v.total),
        "book_balance": format_rupiah(v.book_balance),
    }
