"""Stock of one item in one business unit: movements and moving-average cost (HPP).

Quantities are integers in the item's base unit (grams, millilitres or pieces, as the
catalog and ``domain.units`` say). A whole number of the smallest unit is exact, adds up
without drift, fits a ``BigIntegerField`` and is what a scale or a count sheet reads;
a fraction of a gram is never sold. Money is integer sen.

A position is ``(quantity, value)``: how much is on hand and what it cost, in sen. The
average cost is ``value / quantity``, kept as an exact ``Fraction`` and never stored: the
integer ``value`` is the truth, so the stock account is a sum of integers.

The rounding rule (one rounding per issue, none per receipt):

- a receipt adds its quantity and its cost, exactly (the average moves up or down);
- an issue (sale, shrinkage, return to supplier, transfer out) of ``q`` from ``Q`` on hand
  worth ``V`` costs ``round_half_up(V * q / Q)`` sen; issuing everything on hand costs
  exactly ``V``, so an empty item is worth exactly 0.

Hence, for every sequence of movements, the value on hand equals the sum of receipt costs
less the sum of issue costs, to the sen (``test_inventory.py`` checks it by property),
and no sen is ever stranded on an empty item. The value never goes negative, because
``round_half_up(V * q / Q) <= V`` when ``q <= Q``.

Issuing more than is on hand is refused (no negative stock). A customer's return comes
back at what it cost when sold (``returned_cost``, exact over several partial returns);
a return to the supplier leaves at the average, like any issue, and the difference from
the supplier's credit note is the service's price variance. A stock-count (opname)
difference is valued at the average; a surplus on an empty item needs a unit cost.
Consigned goods (titip jual) are the UMKM's, not the koperasi's: they are kept as their own
item with quantity only (``CONSIGNMENT_IN`` at cost 0), so their sales cost 0 and the
inventory account never holds them.

Pure: the services keep the position per item and unit and post what a movement says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

# A quantity or value beyond this is a typing slip, not a stock (10^15 base units).
MAX_QUANTITY = 10**15
MAX_VALUE = 10**17


class InventoryError(ValueError):
    """A stock movement that may not happen. ``message`` is Bahasa Indonesia.

    ``code``: ``quantity``, ``cost``, ``insufficient``, ``no_cost``, ``sold``.
    """

    def __init__(self, message: str, *, code: str, field: str = "quantity") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class MovementKind(StrEnum):
    """Why stock moved. Incoming kinds add, outgoing kinds issue at the average."""

    RECEIPT = "receipt"  # goods received from a supplier or a member's harvest
    SALE = "sale"
    SALE_RETURN = "sale_return"  # a customer brings goods back
    PURCHASE_RETURN = "purchase_return"  # goods sent back to the supplier
    ADJUSTMENT_IN = "adjustment_in"  # stock count found more
    ADJUSTMENT_OUT = "adjustment_out"  # stock count found less (shrinkage, damage)
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    CONSIGNMENT_IN = "consignment_in"  # a UMKM's goods left for sale (titip jual)
    CONSIGNMENT_OUT = "consignment_out"  # unsold consigned goods taken back by the UMKM

    @property
    def incoming(self) -> bool:
        return self in _INCOMING


_INCOMING = frozenset(
    {
        MovementKind.RECEIPT,
        MovementKind.SALE_RETURN,
        MovementKind.ADJUSTMENT_IN,
        MovementKind.TRANSFER_IN,
        MovementKind.CONSIGNMENT_IN,
    }
)


def round_half_up(value: Fraction) -> int:
    """Round an exact amount of sen half away from zero."""
    n, d = value.numerator, value.denominator
    q, r = divmod(abs(n), d)
    if 2 * r >= d:
        q += 1
    return q if n >= 0 else -q


def _check_int(value: object, *, what: str, code: str, field: str, positive: bool) -> int:
    """``value`` as a whole number (> 0 when ``positive``, else >= 0) within the limits."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InventoryError(f"{what} harus bilangan bulat.", code=code, field=field)
    if positive and value <= 0:
        raise InventoryError(f"{what} harus lebih dari nol.", code=code, field=field)
    if value < 0:
        raise InventoryError(f"{what} tidak boleh negatif.", code=code, field=field)
    limit = MAX_VALUE if code == "cost" else MAX_QUANTITY
    if value > limit:
        raise InventoryError(f"{what} terlalu besar.", code=code, field=field)
    return value


@dataclass(frozen=True)
class StockPosition:
    """What is on hand: ``quantity`` in base units and its ``value`` in sen."""

    quantity: int = 0
    value: int = 0

    def __post_init__(self) -> None:
        _check_int(self.quantity, what="Stok", code="quantity", field="quantity", positive=False)
        _check_int(self.value, what="Nilai stok", code="cost", field="value", positive=False)
        if self.quantity == 0 and self.value != 0:
            raise InventoryError(
                "Stok kosong tidak boleh bernilai selain nol.", code="cost", field="value"
            )

    @property
    def average_cost(self) -> Fraction | None:
        """Exact sen per base unit, or None when nothing is on hand (no average)."""
        if self.quantity == 0:
            return None
        return Fraction(self.value, self.quantity)

    def unit_cost(self, per: int = 1) -> int | None:
        """The average cost of ``per`` base units rounded to the sen (for screens)."""
        average = self.average_cost
        return None if average is None else round_half_up(average * per)


@dataclass(frozen=True)
class Movement:
    """One movement: its kind, quantity (> 0) and value in sen (>= 0), and the position
    after it. ``value`` is the cost added (incoming) or taken out (outgoing: the HPP of a
    sale)."""

    kind: MovementKind
    quantity: int
    value: int
    after: StockPosition

    @property
    def signed_quantity(self) -> int:
        return self.quantity if self.kind.incoming else -self.quantity

    @property
    def signed_value(self) -> int:
        return self.value if self.kind.incoming else -self.value


_OUT_KINDS = frozenset(
    {
        MovementKind.SALE,
        MovementKind.PURCHASE_RETURN,
        MovementKind.ADJUSTMENT_OUT,
        MovementKind.TRANSFER_OUT,
        MovementKind.CONSIGNMENT_OUT,
    }
)


def receive(
    position: StockPosition,
    quantity: int,
    cost: int,
    *,
    kind: MovementKind = MovementKind.RECEIPT,
) -> Movement:
    """Add ``quantity`` that cost ``cost`` sen in total (the average moves to the blend).

    A free receipt (cost 0, a bonus item) lowers the average; that is how moving average
    treats it.
    """
    if not kind.incoming:
        raise ValueError(f"{kind} is not an incoming movement")
    _check_int(quantity, what="Jumlah barang", code="quantity", field="quantity", positive=True)
    _check_int(cost, what="Harga pokok", code="cost", field="cost", positive=False)
    if kind is MovementKind.CONSIGNMENT_IN and cost:
        raise InventoryError(
            "Barang titipan milik penitip, bukan persediaan koperasi: diterima tanpa harga "
            "pokok (utang kepada penitip timbul saat barang terjual).",
            code="cost",
            field="cost",
        )
    after = StockPosition(position.quantity + quantity, position.value + cost)
    return Movement(kind, quantity, cost, after)


def issue_cost(position: StockPosition, quantity: int) -> int:
    """The cost in sen of issuing ``quantity`` at the average (the rounding rule above)."""
    _check_int(quantity, what="Jumlah barang", code="quantity", field="quantity", positive=True)
    if quantity > position.quantity:
        raise InventoryError(
            f"Stok tidak cukup: diminta {quantity}, tersedia {position.quantity}.",
            code="insufficient",
        )
    if quantity == position.quantity:
        return position.value
    return round_half_up(Fraction(position.value * quantity, position.quantity))


def issue(
    position: StockPosition,
    quantity: int,
    *,
    kind: MovementKind = MovementKind.SALE,
) -> Movement:
    """Take ``quantity`` out at the average cost; refuses more than on hand.

    For a sale the movement's ``value`` is the HPP (COGS) to post.
    """
    if kind not in _OUT_KINDS:
        raise ValueError(f"{kind} is not an outgoing movement")
    cost = issue_cost(position, quantity)
    after = StockPosition(position.quantity - quantity, position.value - cost)
    return Movement(kind, quantity, cost, after)


def returned_cost(
    sold_quantity: int,
    sold_cost: int,
    *,
    returned_before: int,
    quantity: int,
) -> int:
    """The cost at which ``quantity`` of a sale line comes back into stock.

    The line sold ``sold_quantity`` for an HPP of ``sold_cost`` sen, and ``returned_before``
    of it came back already. The cumulative returned cost is
    ``round_half_up(sold_cost * returned / sold_quantity)``, so returning a line in parts
    brings back exactly its HPP, never a sen more or less.
    """
    _check_int(quantity, what="Jumlah retur", code="quantity", field="quantity", positive=True)
    _check_int(sold_quantity, what="Jumlah terjual", code="quantity", field="sold", positive=True)
    _check_int(sold_cost, what="HPP penjualan", code="cost", field="sold_cost", positive=False)
    _check_int(
        returned_before, what="Jumlah yang sudah diretur", code="quantity", field="returned",
        positive=False,
    )  # fmt: skip
    if returned_before + quantity > sold_quantity:
        left = max(sold_quantity - returned_before, 0)
        raise InventoryError(
            f"Retur melebihi yang terjual: terjual {sold_quantity}, sudah diretur "
            f"{returned_before}, sisa yang boleh diretur {left}.",
            code="sold",
        )

    def cumulative(n: int) -> int:
        return round_half_up(Fraction(sold_cost * n, sold_quantity))

    return cumulative(returned_before + quantity) - cumulative(returned_before)


def return_from_customer(position: StockPosition, quantity: int, cost: int) -> Movement:
    """A customer's return back into stock at ``cost`` (from ``returned_cost``)."""
    return receive(position, quantity, cost, kind=MovementKind.SALE_RETURN)


def adjust_to_count(
    position: StockPosition,
    counted: int,
    *,
    unit_cost: Fraction | int | None = None,
) -> Movement | None:
    """The stock-count (opname) difference as a movement, or None when the count agrees.

    Less than the books: an ``ADJUSTMENT_OUT`` at the average. More: an ``ADJUSTMENT_IN``
    at the average (rounded half-up to the sen); on an empty item there is no average, so
    ``unit_cost`` (sen per base unit, e.g. the last purchase price) must be given.
    """
    _check_int(counted, what="Hasil hitung", code="quantity", field="counted", positive=False)
    difference = counted - position.quantity
    if difference == 0:
        return None
    if difference < 0:
        return issue(position, -difference, kind=MovementKind.ADJUSTMENT_OUT)
    average = position.average_cost
    if average is None:
        if unit_cost is None:
            raise InventoryError(
                "Stok tercatat kosong, jadi tidak ada harga pokok rata-rata: isi harga "
                "pokok per satuan untuk kelebihan hasil hitung.",
                code="no_cost",
                field="unit_cost",
            )
        if isinstance(unit_cost, bool) or not isinstance(unit_cost, int | Fraction):
            raise InventoryError(
                "Harga pokok per satuan harus angka.", code="cost", field="unit_cost"
            )
        if unit_cost < 0:
            raise InventoryError(
                "Harga pokok per satuan tidak boleh negatif.", code="cost", field="unit_cost"
            )
        average = Fraction(unit_cost)
    cost = round_half_up(average * difference)
    return receive(position, difference, cost, kind=MovementKind.ADJUSTMENT_IN)


def transfer(
    source: StockPosition, target: StockPosition, quantity: int
) -> tuple[Movement, Movement]:
    """Move stock between units: out of ``source`` at its average, into ``target`` at the
    same cost (the value moves, nothing is gained or lost)."""
    out = issue(source, quantity, kind=MovementKind.TRANSFER_OUT)
    into = receive(target, quantity, out.value, kind=MovementKind.TRANSFER_IN)
    return out, into


def apply(position: StockPosition, kind: MovementKind, quantity: int, cost: int = 0) -> Movement:
    """One movement by kind: incoming kinds take ``cost``; outgoing kinds ignore it and
    issue at the average (for replaying a stored history)."""
    if kind.incoming:
        return receive(position, quantity, cost, kind=kind)
    return issue(position, quantity, kind=kind)


def replay(movements: Iterable[tuple[MovementKind, int, int]]) -> StockPosition:
    """The position after stored movements ``(kind, quantity, value)`` from empty, checking
    that each outgoing value is what the rounding rule gives (``kopdes verify``).

    Raises ``InventoryError`` (code ``replay``) at the first movement that disagrees.
    """
    position = StockPosition()
    for index, (kind, quantity, value) in enumerate(movements, start=1):
        movement = apply(position, kind, quantity, value)
        if movement.value != value:
            raise InventoryError(
                f"Pergerakan stok ke-{index} bernilai {value} sen, seharusnya "
                f"{movement.value} sen menurut harga pokok rata-rata.",
                code="replay",
                field="value",
            )
        position = movement.after
    return position


def stock_valuation(positions: Iterable[StockPosition]) -> int:
    """The value of all stock in sen (what the inventory account must show)."""
    return sum(p.value for p in positions)
