"""Titip jual (consignment): the settlement statement and payout per consignor per period.

The goods belong to the UMKM (the consignor) until sold: the koperasi owes the consignor
for what it sold, less its commission. Three ways to agree the commission (``Terms``):

- ``CONSIGNOR_PRICE`` (harga titip): the consignor is paid ``sold quantity x consignor
  price`` per line; the koperasi keeps what it sold above that (its margin).
- ``PERCENT``: the koperasi keeps ``rate_bp`` basis points of what it sold; the rest is
  paid out.
- ``FIXED_MARGIN``: the koperasi keeps a fixed ``margin`` sen per ``per`` base units sold.

Rounding, exact to the sen: a per-unit amount (consignor price, fixed margin) is rounded
half-up once per line, ``quantity * amount / per``. A percentage is rounded half-up once
on the period's total sales and then split over the lines by their sales with
``allocate_by_weights`` (largest remainder), so the lines add up to the statement's totals
exactly and every line's ``sales == commission + payout``. Deductions agreed with the
consignor (damaged goods charged back, an advance already paid) come off the total payout,
which may not go below zero.

``sales`` on a line is what the koperasi received for the consignor's goods in the period
(after returns), from the sale lines; quantities are integers in the base unit.

Posting that stays exact with this rounding: each sale of consigned goods credits the
whole amount to utang konsinyasi (2-1300; the goods cost the koperasi nothing,
``domain.inventory`` ``CONSIGNMENT_IN``); the settlement then moves ``commission`` from
utang konsinyasi to the unit's income, ``deductions`` to their counterpart (the advance
or the charge-back) and pays ``payout`` out of it: ``commission + deductions + payout ==
sales``, so the consignor's liability for the period nets to exactly zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from kopdes.domain.money import allocate_by_weights, format_rupiah

MAX_AMOUNT = 10**17


class ConsignmentError(ValueError):
    """A settlement the rules refuse. ``message`` is Bahasa Indonesia.

    ``code``: ``kind``, ``amount``, ``quantity``, ``rate``, ``margin``, ``payout``, ``stock``.
    """

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _whole(value: object, *, what: str, code: str, field: str, positive: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConsignmentError(f"{what} harus bilangan bulat.", code=code, field=field)
    if positive and value <= 0:
        raise ConsignmentError(f"{what} harus lebih dari nol.", code=code, field=field)
    if value < 0:
        raise ConsignmentError(f"{what} tidak boleh negatif.", code=code, field=field)
    if value > MAX_AMOUNT:
        raise ConsignmentError(f"{what} terlalu besar.", code=code, field=field)
    return value


def _round(value: Fraction) -> int:
    q, r = divmod(value.numerator, value.denominator)
    return q + 1 if 2 * r >= value.denominator else q


class CommissionKind(StrEnum):
    CONSIGNOR_PRICE = "consignor_price"
    PERCENT = "percent"
    FIXED_MARGIN = "fixed_margin"


@dataclass(frozen=True)
class Terms:
    """What the consignor and the koperasi agreed. ``rate_bp`` for ``PERCENT`` (1000 =
    10%); ``margin`` sen per ``per`` base units for ``FIXED_MARGIN``."""

    kind: CommissionKind
    rate_bp: int = 0
    margin: int = 0
    per: int = 1

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", CommissionKind(self.kind))
        except ValueError:
            raise ConsignmentError(
                "Cara komisi titip jual tidak dikenal.", code="kind", field="kind"
            ) from None
        _whole(self.per, what="Satuan", code="quantity", field="per", positive=True)
        rate = _whole(self.rate_bp, what="Komisi", code="rate", field="rate_bp")
        if rate > 10_000:
            raise ConsignmentError(
                "Komisi tidak boleh lebih dari 100%.", code="rate", field="rate_bp"
            )
        _whole(self.margin, what="Margin tetap", code="margin", field="margin")


@dataclass(frozen=True)
class ConsignedSale:
    """One item of the consignor in the period: ``quantity`` sold (base units), what the
    koperasi received for it (``sales``, sen) and the consignor price in sen per ``per``
    base units (for ``CONSIGNOR_PRICE`` terms)."""

    item: str
    quantity: int
    sales: int
    consignor_price: int = 0
    per: int = 1


@dataclass(frozen=True)
class StatementLine:
    item: str
    quantity: int
    sales: int
    commission: int  # what the koperasi keeps (negative: sold below the consignor price)
    payout: int


@dataclass(frozen=True)
class Statement:
    lines: tuple[StatementLine, ...]
    sales: int
    commission: int
    deductions: int
    payout: int  # what the consignor receives: sum of line payouts less deductions


def settle_consignment(
    sales: Sequence[ConsignedSale], terms: Terms, *, deductions: int = 0
) -> Statement:
    """The settlement statement of one consignor for one period."""
    _whole(deductions, what="Potongan", code="amount", field="deductions")
    for sale in sales:
        _whole(sale.quantity, what="Jumlah terjual", code="quantity", field="quantity")
        _whole(sale.sales, what="Nilai penjualan", code="amount", field="sales")
        _whole(sale.consignor_price, what="Harga titip", code="amount", field="consignor_price")
        _whole(sale.per, what="Satuan harga titip", code="quantity", field="per", positive=True)
    if terms.kind is CommissionKind.PERCENT:
        total_sales = sum(s.sales for s in sales)
        total_commission = _round(Fraction(total_sales * terms.rate_bp, 10_000))
        if total_sales:
            commissions = allocate_by_weights(total_commission, [s.sales for s in sales])
        else:
            commissions = [0] * len(sales)
    elif terms.kind is CommissionKind.FIXED_MARGIN:
        commissions = [_round(Fraction(s.quantity * terms.margin, terms.per)) for s in sales]
    else:
        commissions = [
            s.sales - _round(Fraction(s.quantity * s.consignor_price, s.per)) for s in sales
        ]
    lines: list[StatementLine] = []
    for sale, commission in zip(sales, commissions, strict=True):
        payout = sale.sales - commission
        if payout < 0:
            raise ConsignmentError(
                f"Margin tetap untuk {sale.item} ({format_rupiah(commission)}) melebihi "
                f"nilai penjualannya ({format_rupiah(sale.sales)}).",
                code="margin",
                field="margin",
            )
        lines.append(StatementLine(sale.item, sale.quantity, sale.sales, commission, payout))
    line_payouts = sum(line.payout for line in lines)
    if deductions > line_payouts:
        raise ConsignmentError(
            f"Potongan {format_rupiah(deductions)} melebihi hak penitip "
            f"{format_rupiah(line_payouts)}.",
            code="payout",
            field="deductions",
        )
    return Statement(
        tuple(lines),
        sum(line.sales for line in lines),
        sum(line.commission for line in lines),
        deductions,
        line_payouts - deductions,
    )


def stock_difference(*, received: int, sold: int, returned: int, counted: int) -> int:
    """Consignment stock that should be on hand less what was counted: positive means
    goods went missing in the koperasi's care (it owes the consignor for them)."""
    values = {
        "received": received,
        "sold": sold,
        "returned": returned,
        "counted": counted,
    }
    for name, value in values.items():
        _whole(value, what="Jumlah barang titipan", code="quantity", field=name)
    expected = received - sold - returned
    if expected < 0:
        raise ConsignmentError(
            f"Barang titipan yang terjual dan dikembalikan ({sold + returned}) melebihi "
            f"yang diterima ({received}).",
            code="stock",
            field="returned",
        )
    return expected - counted
