"""Units of the store's items and conversion to the item's base unit.

An item is counted in one **base unit** (``pcs``, ``kg``, ``gram``, ``liter``, ``ml``):
stock and prices are per base unit. It may also be bought or sold in packs: a ``pak``
and a ``dus`` hold a whole number of base units, set per item (a dus of mie instan = 40
pcs, a dus of minyak = 12 liter). Mass and volume units convert among themselves by the
metric factor (1 kg = 1000 gram, 1 liter = 1000 ml), never mass to volume.

Quantities are ``Decimal`` (at most 3 places: a gram of a kilo, a ml of a liter), never
float. Stock is counted in whole **stock units** (``domain.inventory`` and ``domain.sale``
take integers): the smallest unit of the base unit's kind (gram for kg, ml for liter, else
the base unit itself), with the item's price quoted per base unit = ``price_per`` stock
units (Rp14.500 per kg is 1.450.000 sen per 1000 gram). ``ItemUnits.to_stock`` gives that
integer. A **whole** unit (pcs, pak, dus) takes whole numbers only: 1,5 pcs is refused with a
message in Bahasa Indonesia. ``parse_quantity`` reads what a person types ("1,5", "2").
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_PLACES = 3
MAX_QUANTITY = Decimal("1000000000")  # a billion base units: more is a typing mistake
_QUANTUM = Decimal(1).scaleb(-MAX_PLACES)
_NUMBER = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]{1,6})?$", re.ASCII)
_GROUPED = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]{1,6})?$", re.ASCII)


class UnitError(ValueError):
    """A quantity or unit was refused; the message (Bahasa Indonesia) says why."""


class Unit(enum.StrEnum):
    PCS = "pcs"
    PAK = "pak"
    DUS = "dus"
    KG = "kg"
    GRAM = "gram"
    LITER = "liter"
    ML = "ml"


class Dimension(enum.StrEnum):
    COUNT = "count"
    MASS = "mass"
    VOLUME = "volume"
    PACK = "pack"  # as many base units as the item says


WHOLE_UNITS = frozenset({Unit.PCS, Unit.PAK, Unit.DUS})
PACK_UNITS = frozenset({Unit.PAK, Unit.DUS})
BASE_UNITS = frozenset({Unit.PCS, Unit.KG, Unit.GRAM, Unit.LITER, Unit.ML})
DIMENSION: dict[Unit, Dimension] = {
    Unit.PCS: Dimension.COUNT,
    Unit.PAK: Dimension.PACK,
    Unit.DUS: Dimension.PACK,
    Unit.KG: Dimension.MASS,
    Unit.GRAM: Dimension.MASS,
    Unit.LITER: Dimension.VOLUME,
    Unit.ML: Dimension.VOLUME,
}
# The metric factor of each measured unit to the smallest of its dimension.
_METRIC: dict[Unit, int] = {Unit.KG: 1000, Unit.GRAM: 1, Unit.LITER: 1000, Unit.ML: 1}
# Indonesian names for messages.
LABEL: dict[Unit, str] = {
    Unit.PCS: "pcs",
    Unit.PAK: "pak",
    Unit.DUS: "dus",
    Unit.KG: "kg",
    Unit.GRAM: "gram",
    Unit.LITER: "liter",
    Unit.ML: "ml",
}


# The whole unit stock is counted in, for a base unit (kg -> gram, liter -> ml).
STOCK_UNIT: dict[Unit, Unit] = {Unit.KG: Unit.GRAM, Unit.LITER: Unit.ML}


def stock_unit(base: Unit) -> Unit:
    """The unit stock of an item with ``base`` is counted in (whole numbers of it)."""
    return STOCK_UNIT.get(base, base)


def price_per(base: Unit) -> int:
    """How many stock units the price of one ``base`` unit is for (kg: 1000 gram)."""
    if base in STOCK_UNIT:
        return _METRIC[base] // _METRIC[STOCK_UNIT[base]]
    return 1


def _show(quantity: Decimal) -> str:
    text = format(tidy(quantity), "f")
    return text.replace(".", ",")


def tidy(quantity: Decimal) -> Decimal:
    """``quantity`` without trailing zeros and never in exponent form (80, not 8E+1)."""
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()


def unit_of(value: str) -> Unit:
    """The ``Unit`` named ``value`` ("pcs", "KG", " Dus "), or ``UnitError``."""
    try:
        return Unit(str(value).strip().lower())
    except ValueError:
        names = ", ".join(u.value for u in Unit)
        raise UnitError(f"Satuan '{value}' tidak dikenal. Pilih salah satu: {names}.") from None


def is_whole_unit(unit: Unit) -> bool:
    return unit in WHOLE_UNITS


def check_whole(quantity: Decimal, unit: Unit) -> Decimal:
    """``quantity`` unchanged, or ``UnitError`` when ``unit`` is whole and it is not."""
    if unit in WHOLE_UNITS and quantity != quantity.to_integral_value():
        raise UnitError(
            f"Jumlah dalam satuan {LABEL[unit]} harus bilangan bulat "
            f"(tidak boleh {_show(quantity)} {LABEL[unit]})."
        )
    return quantity


def parse_quantity(text: str, unit: Unit, *, allow_zero: bool = False) -> Decimal:
    """A quantity typed in ``unit`` ("2", "1,5", "0.25", "1.000"), checked for the unit.

    A comma or a single dot is the decimal mark ("1,5" = "1.5"); dots that group thousands
    ("1.000", "12.500,5") are read as groups. Refuses words, negatives, more than 3 places,
    zero (unless ``allow_zero``), more than a billion, and a fraction in a whole unit.
    """
    if not isinstance(text, str):
        raise UnitError("Jumlah harus berupa teks angka.")
    s = text.strip().replace(" ", "")
    if not s:
        raise UnitError("Jumlah wajib diisi.")
    if s.startswith(("-", "−")):
        raise UnitError("Jumlah tidak boleh negatif.")
    if _GROUPED.match(s):
        # "1.000", "12.500,5": dots group thousands (Indonesian notation).
        s = s.replace(".", "").replace(",", ".")
    elif _NUMBER.match(s):
        s = s.replace(",", ".")  # "1,5" and "1.5" alike
    else:
        raise UnitError(
            f"Jumlah '{text.strip()[:20]}' tidak bisa dibaca. Tulis angka, misalnya 2 atau 1,5."
        )
    try:
        quantity = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        raise UnitError("Jumlah tidak bisa dibaca.") from None
    return check_quantity(quantity, unit, allow_zero=allow_zero)


def check_quantity(quantity: Decimal | int, unit: Unit, *, allow_zero: bool = False) -> Decimal:
    """A quantity given as a number, checked like ``parse_quantity`` checks a typed one."""
    if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
        raise UnitError("Jumlah harus berupa angka.")
    q = Decimal(quantity)
    if not q.is_finite():
        raise UnitError("Jumlah harus berupa angka.")
    if q < 0:
        raise UnitError("Jumlah tidak boleh negatif.")
    if q == 0 and not allow_zero:
        raise UnitError("Jumlah harus lebih dari nol.")
    if q > MAX_QUANTITY:
        raise UnitError("Jumlah terlalu besar.")
    if q != q.quantize(_QUANTUM):
        raise UnitError(f"Jumlah paling banyak {MAX_PLACES} angka di belakang koma.")
    check_whole(q, unit)
    return q


@dataclass(frozen=True)
class ItemUnits:
    """How one item is counted: its base unit and how many base units a pak / dus holds."""

    base: Unit
    packs: Mapping[Unit, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.base not in BASE_UNITS:
            raise UnitError(
                f"Satuan dasar tidak boleh {LABEL.get(self.base, str(self.base))}: "
                "pilih pcs, kg, gram, liter atau ml."
            )
        for unit, size in self.packs.items():
            if unit not in PACK_UNITS:
                raise UnitError(f"Isi kemasan hanya untuk pak dan dus, bukan {LABEL[unit]}.")
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise UnitError(
                    f"Isi satu {LABEL[unit]} harus bilangan bulat 1 atau lebih "
                    f"({LABEL[self.base]} per {LABEL[unit]})."
                )

    def units(self) -> list[Unit]:
        """Every unit this item may be counted in: base, its metric kin, its packs."""
        dim = DIMENSION[self.base]
        kin = [u for u in Unit if DIMENSION[u] == dim and dim != Dimension.COUNT]
        own = kin or [self.base]
        return own + [u for u in (Unit.PAK, Unit.DUS) if u in self.packs]

    def factor(self, unit: Unit) -> Decimal:
        """How many base units one ``unit`` is (``UnitError`` if the item has no such unit)."""
        if unit == self.base:
            return Decimal(1)
        if unit in PACK_UNITS:
            size = self.packs.get(unit)
            if size is None:
                raise UnitError(
                    f"Barang ini tidak punya satuan {LABEL[unit]}: isi dulu berapa "
                    f"{LABEL[self.base]} per {LABEL[unit]}."
                )
            return Decimal(size)
        if unit in _METRIC and self.base in _METRIC and DIMENSION[unit] == DIMENSION[self.base]:
            return Decimal(_METRIC[unit]) / Decimal(_METRIC[self.base])
        raise UnitError(
            f"Satuan {LABEL[unit]} tidak bisa diubah ke {LABEL[self.base]} untuk barang ini."
        )

    def to_base(self, quantity: Decimal | int, unit: Unit) -> Decimal:
        """``quantity`` of ``unit`` in base units, checked: whole where the unit is whole,
        and the result whole where the base unit is; at most 3 places."""
        q = check_quantity(quantity, unit, allow_zero=True)
        base = q * self.factor(unit)
        if base != base.quantize(_QUANTUM):
            raise UnitError(
                f"{_show(q)} {LABEL[unit]} = {_show(base)} {LABEL[self.base]}: "
                f"paling banyak {MAX_PLACES} angka di belakang koma."
            )
        check_whole(base, self.base)
        return tidy(base)

    @property
    def stock_unit(self) -> Unit:
        return stock_unit(self.base)

    @property
    def price_per(self) -> int:
        return price_per(self.base)

    def to_stock(self, quantity: Decimal | int, unit: Unit) -> int:
        """``quantity`` of ``unit`` as a whole number of stock units (``UnitError`` for less
        than one: 0,5 gram cannot be weighed out or counted)."""
        q = check_quantity(quantity, unit, allow_zero=True)
        stock = q * self.factor(unit) * self.price_per
        if stock != stock.to_integral_value():
            raise UnitError(
                f"{_show(Decimal(quantity))} {LABEL[unit]} tidak bisa dihitung: satuan "
                f"terkecil barang ini 1 {LABEL[self.stock_unit]}."
            )
        return int(stock)

    def from_base(self, quantity: Decimal, unit: Unit) -> Decimal:
        """``quantity`` base units expressed in ``unit`` (exact; may be a fraction of a pack)."""
        return Decimal(quantity) / self.factor(unit)
