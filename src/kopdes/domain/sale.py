"""A sale at the counter: lines, totals, price below cost, payments, change, bon, returns.

Quantities are integers in the item's base unit (``domain.inventory``); a price is sen per
``per`` base units (Rp14.500 per kg of loose sugar sold by the gram is ``price=1_450_000,
per=1000``). A line's gross is ``quantity * price / per`` rounded half-up to the
``unit`` (default whole rupiah: nobody pays 50 sen at the counter); its discount is whole
sen on the line. A discount on the whole sale is spread over the lines by their net
amounts with ``allocate_by_weights`` (largest remainder), so the lines' nets always add up
to the total and every item's revenue is exact for reports.

A line sold below its cost (net < HPP from ``domain.inventory.issue_cost``) sets
``below_cost``; the sale then needs the permission to sell below cost
(``SaleTotals.needs_below_cost_permission``, ``check_below_cost``).

Payments: ``cash`` (tunai), ``bon`` (member credit, only for a member and within the
AD/ART limit less her current bon) and any other method by name (``qris``, ``transfer``:
the payment-method interface). Only cash may exceed what is due; the excess is change.
A return refunds the line's net in proportion, exactly over several partial returns
(``price_return``); a refund reduces the sale's bon first, the rest is paid in cash
(``split_refund``); a void refunds everything the way it was paid (``void_refund``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from kopdes.domain.money import allocate_by_weights, format_rupiah

CASH = "cash"
BON = "bon"
MAX_AMOUNT = 10**17
MAX_QUANTITY = 10**15
_METHOD = re.compile(r"[a-z][a-z0-9_]{0,31}", re.ASCII)


class SaleError(ValueError):
    """A sale that may not be rung up. ``message`` is Bahasa Indonesia.

    ``code``: ``quantity``, ``price``, ``discount``, ``empty``, ``method``, ``amount``,
    ``overpaid``, ``underpaid``, ``not_member``, ``credit_limit``, ``below_cost``,
    ``returned``, ``refund``.
    """

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _whole(value: object, *, what: str, code: str, field: str, positive: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SaleError(f"{what} harus bilangan bulat.", code=code, field=field)
    if positive and value <= 0:
        raise SaleError(f"{what} harus lebih dari nol.", code=code, field=field)
    if value < 0:
        raise SaleError(f"{what} tidak boleh negatif.", code=code, field=field)
    if value > (MAX_QUANTITY if code == "quantity" else MAX_AMOUNT):
        raise SaleError(f"{what} terlalu besar.", code=code, field=field)
    return value


def _round(value: Fraction, unit: int) -> int:
    """Half-up to a multiple of ``unit`` sen (values here are never negative)."""
    q, r = divmod(value.numerator, value.denominator * unit)
    if 2 * r >= value.denominator * unit:
        q += 1
    return q * unit


def choose_price(*, is_member: bool, member_price: int | None, public_price: int) -> int:
    """The member price for a member when the item has one, else the public price."""
    if is_member and member_price is not None:
        return member_price
    return public_price


@dataclass(frozen=True)
class LineInput:
    """What the cashier rang up: ``quantity`` base units at ``price`` sen per ``per`` base
    units, less ``discount`` sen; ``cost`` is the HPP of the quantity (None: unknown,
    e.g. a service), for the below-cost check."""

    quantity: int
    price: int
    per: int = 1
    discount: int = 0
    cost: int | None = None


@dataclass(frozen=True)
class PricedLine:
    quantity: int
    gross: int
    discount: int  # the line's own discount plus its share of the sale's discount
    net: int
    cost: int | None
    below_cost: bool


@dataclass(frozen=True)
class SaleTotals:
    lines: tuple[PricedLine, ...]
    gross: int
    discount: int
    total: int

    @property
    def needs_below_cost_permission(self) -> bool:
        return any(line.below_cost for line in self.lines)

    @property
    def cost(self) -> int | None:
        """The sale's HPP, or None when a line's cost is unknown."""
        costs = [line.cost for line in self.lines]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)


def line_gross(quantity: int, price: int, per: int = 1, *, unit: int = 100) -> int:
    """``quantity * price / per`` rounded half-up to ``unit`` sen (default whole rupiah)."""
    _whole(quantity, what="Jumlah barang", code="quantity", field="quantity", positive=True)
    _whole(price, what="Harga", code="price", field="price")
    _whole(per, what="Satuan harga", code="price", field="per", positive=True)
    if unit not in (1, 100):
        raise ValueError("unit is 1 (sen) or 100 (rupiah)")
    return _round(Fraction(quantity * price, per), unit)


def price_line(line: LineInput, *, unit: int = 100) -> PricedLine:
    """One line's gross, discount and net; ``below_cost`` when net < cost."""
    gross = line_gross(line.quantity, line.price, line.per, unit=unit)
    _whole(line.discount, what="Diskon", code="discount", field="discount")
    if line.discount > gross:
        raise SaleError(
            f"Diskon {format_rupiah(line.discount)} melebihi harga baris {format_rupiah(gross)}.",
            code="discount",
            field="discount",
        )
    if line.cost is not None:
        _whole(line.cost, what="Harga pokok", code="price", field="cost")
    net = gross - line.discount
    below = line.cost is not None and net < line.cost
    return PricedLine(line.quantity, gross, line.discount, net, line.cost, below)


def price_sale(
    lines: Sequence[LineInput], *, sale_discount: int = 0, unit: int = 100
) -> SaleTotals:
    """Price every line, spread ``sale_discount`` over the lines by net (largest
    remainder) and total. A sale has at least one line."""
    if not lines:
        raise SaleError("Penjualan belum berisi barang.", code="empty", field="lines")
    priced = [price_line(line, unit=unit) for line in lines]
    _whole(sale_discount, what="Diskon penjualan", code="discount", field="sale_discount")
    subtotal = sum(p.net for p in priced)
    if sale_discount > subtotal:
        raise SaleError(
            f"Diskon penjualan {format_rupiah(sale_discount)} melebihi jumlah belanja "
            f"{format_rupiah(subtotal)}.",
            code="discount",
            field="sale_discount",
        )
    if sale_discount:
        shares = allocate_by_weights(sale_discount, [p.net for p in priced])
        priced = [
            PricedLine(
                p.quantity,
                p.gross,
                p.discount + share,
                p.net - share,
                p.cost,
                p.cost is not None and p.net - share < p.cost,
            )
            for p, share in zip(priced, shares, strict=True)
        ]
    gross = sum(p.gross for p in priced)
    discount = sum(p.discount for p in priced)
    return SaleTotals(tuple(priced), gross, discount, gross - discount)


def check_below_cost(totals: SaleTotals, *, may_sell_below_cost: bool) -> None:
    """Refuse a sale with a line below cost unless the cashier holds the permission."""
    if totals.needs_below_cost_permission and not may_sell_below_cost:
        rows = [str(i) for i, line in enumerate(totals.lines, start=1) if line.below_cost]
        raise SaleError(
            f"Harga di bawah harga pokok (baris {', '.join(rows)}): perlu izin menjual di "
            "bawah harga pokok.",
            code="below_cost",
            field="lines",
        )


def check_credit_limit(*, limit: int, current_bon: int, amount: int) -> int:
    """Refuse a bon of ``amount`` that would take the member over ``limit``; return what
    remains of the limit afterwards. A limit of 0 means no bon at all."""
    _whole(limit, what="Batas bon", code="amount", field="limit")
    _whole(current_bon, what="Bon berjalan", code="amount", field="current_bon")
    _whole(amount, what="Jumlah bon", code="amount", field="bon")
    available = max(limit - current_bon, 0)
    if amount > available:
        raise SaleError(
            f"Bon {format_rupiah(amount)} melebihi sisa batas bon anggota "
            f"{format_rupiah(available)} (batas {format_rupiah(limit)}, bon berjalan "
            f"{format_rupiah(current_bon)}).",
            code="credit_limit",
            field="bon",
        )
    return available - amount


@dataclass(frozen=True)
class Payment:
    method: str
    amount: int


@dataclass(frozen=True)
class Settlement:
    """How a sale was paid. ``cash`` is what the till keeps (tendered less change);
    ``by_method`` maps every method to the amount applied to the sale."""

    total: int
    cash_tendered: int
    change: int
    by_method: Mapping[str, int] = field(default_factory=dict)

    @property
    def cash(self) -> int:
        return self.by_method.get(CASH, 0)

    @property
    def bon(self) -> int:
        return self.by_method.get(BON, 0)


def normalize_method(name: str) -> str:
    """A payment method's code: lower case letters, digits and ``_`` (``"QRIS"`` -> ``qris``)."""
    if not isinstance(name, str) or not _METHOD.fullmatch(name.strip().lower()):
        raise SaleError(
            "Nama cara bayar tidak dikenal (huruf, angka dan garis bawah, paling banyak 32).",
            code="method",
            field="method",
        )
    return name.strip().lower()


def settle_payments(
    total: int,
    payments: Sequence[Payment],
    *,
    is_member: bool,
    credit_limit: int = 0,
    current_bon: int = 0,
) -> Settlement:
    """Check the payments against the total and work out the change.

    Non-cash payments (bon, QRIS, ...) may not together exceed the total; cash must
    cover the rest and may exceed it (the excess is change). Bon only for a member and
    within ``credit_limit`` less ``current_bon``. The same method twice is added up.
    """
    _whole(total, what="Total", code="amount", field="total")
    amounts: dict[str, int] = {}
    for payment in payments:
        method = normalize_method(payment.method)
        _whole(payment.amount, what="Jumlah bayar", code="amount", field=method, positive=True)
        amounts[method] = amounts.get(method, 0) + payment.amount
    tendered = amounts.pop(CASH, 0)
    non_cash = sum(amounts.values())
    if non_cash > total:
        raise SaleError(
            f"Pembayaran non-tunai {format_rupiah(non_cash)} melebihi total "
            f"{format_rupiah(total)}: hanya tunai yang boleh lebih (kembalian).",
            code="overpaid",
            field="payments",
        )
    due_in_cash = total - non_cash
    if tendered < due_in_cash:
        raise SaleError(
            f"Pembayaran kurang {format_rupiah(due_in_cash - tendered)} dari total "
            f"{format_rupiah(total)}.",
            code="underpaid",
            field="payments",
        )
    if tendered and due_in_cash == 0:
        raise SaleError(
            "Penjualan sudah lunas tanpa uang tunai: kosongkan uang tunai yang diterima.",
            code="overpaid",
            field=CASH,
        )
    bon = amounts.get(BON, 0)
    if bon:
        if not is_member:
            raise SaleError("Bon hanya untuk anggota koperasi.", code="not_member", field=BON)
        check_credit_limit(limit=credit_limit, current_bon=current_bon, amount=bon)
    by_method = dict(amounts)
    if due_in_cash:
        by_method[CASH] = due_in_cash
    return Settlement(total, tendered, tendered - due_in_cash, by_method)


@dataclass(frozen=True)
class ReturnedLine:
    quantity: int
    refund: int  # the line's net in proportion to the quantity returned


def price_return(line: PricedLine, *, returned_before: int, quantity: int) -> ReturnedLine:
    """Refund for ``quantity`` of a sold line of which ``returned_before`` came back
    already: the cumulative refund is the net in proportion, rounded half-up, so returning
    the whole line in any parts refunds exactly its net."""
    _whole(quantity, what="Jumlah retur", code="quantity", field="quantity", positive=True)
    _whole(returned_before, what="Jumlah sudah diretur", code="quantity", field="returned")
    if returned_before + quantity > line.quantity:
        raise SaleError(
            f"Retur melebihi yang terjual: terjual {line.quantity}, sudah diretur "
            f"{returned_before}.",
            code="returned",
            field="quantity",
        )

    def cumulative(n: int) -> int:
        return _round(Fraction(line.net * n, line.quantity), 1)

    refund = cumulative(returned_before + quantity) - cumulative(returned_before)
    return ReturnedLine(quantity, refund)


def split_refund(
    refund: int, *, paid: Settlement, refunded_before: Mapping[str, int] | None = None
) -> dict[str, int]:
    """How a return's ``refund`` goes back: first it reduces the bon this sale created
    (what is left of it), the rest is paid out in cash. Never more than the sale's total
    less what was refunded before."""
    before = dict(refunded_before or {})
    _whole(refund, what="Jumlah pengembalian", code="refund", field="refund", positive=True)
    left = paid.total - sum(before.values())
    if refund > left:
        raise SaleError(
            f"Pengembalian {format_rupiah(refund)} melebihi sisa penjualan "
            f"{format_rupiah(max(left, 0))}.",
            code="refund",
            field="refund",
        )
    bon_left = max(paid.bon - before.get(BON, 0), 0)
    out: dict[str, int] = {}
    to_bon = min(refund, bon_left)
    if to_bon:
        out[BON] = to_bon
    if refund - to_bon:
        out[CASH] = refund - to_bon
    return out


def void_refund(paid: Settlement) -> dict[str, int]:
    """A void (the whole sale cancelled the same day): every method gets back what it paid
    (cash: what the till kept, not what was tendered)."""
    return {method: amount for method, amount in paid.by_method.items() if amount}
