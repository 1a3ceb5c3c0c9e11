"""Buying members' harvest (gabah, sayur, hasil bumi): weight, deductions, price, receipt.

Weights are integers in grams (the base unit of ``domain.inventory``); prices are sen per
kg. What the koperasi pays for is the net weight after the deductions its terms set
(``HarvestTerms``, a setting per commodity):

1. moisture (kadar air): when the measured moisture is above the standard, the weight is
   brought to the standard: ``gross * (100% - measured) / (100% - standard)``
   (e.g. gabah bought as GKG at 14%, so 1.000 kg at 17% counts as 965,116 kg);
2. refraction (rafaksi: dirt, empty grain, rot): a flat percentage of what is left.

Each deduction is rounded half-up to the gram once, and ``net = gross - moisture -
refraction`` exactly. The amount is ``net * price / 1000`` rounded half-up to the rupiah
(the farmer is paid in cash or to her savings). Percentages are basis points (1% = 100).
The receipt lists every line with its deductions so the member can check the arithmetic;
its total counts toward her SHU as the AD/ART says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

GRAMS_PER_KG = 1000
FULL_BP = 10_000
MAX_GRAMS = 10**12
MAX_PRICE = 10**12


class HarvestError(ValueError):
    """A harvest purchase the rules refuse. ``message`` is Bahasa Indonesia.

    ``code``: ``weight``, ``price``, ``moisture``, ``refraction``, ``empty``.
    """

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _int(value: object, *, what: str, code: str, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise HarvestError(f"{what} harus bilangan bulat.", code=code, field=field)
    if not low <= value <= high:
        raise HarvestError(f"{what} di luar batas yang masuk akal.", code=code, field=field)
    return value


def _round(value: Fraction, unit: int = 1) -> int:
    q, r = divmod(value.numerator, value.denominator * unit)
    if 2 * r >= value.denominator * unit:
        q += 1
    return q * unit


def _percent(bp: int) -> str:
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


@dataclass(frozen=True)
class HarvestTerms:
    """A commodity's buying terms. ``standard_moisture_bp`` None: no moisture deduction;
    ``refraction_bp``: the flat deduction (0 = none)."""

    standard_moisture_bp: int | None = None
    refraction_bp: int = 0

    def __post_init__(self) -> None:
        if self.standard_moisture_bp is not None:
            _int(
                self.standard_moisture_bp, what="Kadar air standar", code="moisture",
                field="standard_moisture_bp", low=0, high=FULL_BP - 1,
            )  # fmt: skip
        _int(
            self.refraction_bp, what="Rafaksi", code="refraction", field="refraction_bp",
            low=0, high=FULL_BP - 1,
        )  # fmt: skip


@dataclass(frozen=True)
class HarvestLine:
    commodity: str
    gross_grams: int
    moisture_grams: int
    refraction_grams: int
    net_grams: int
    price_per_kg: int
    amount: int


def price_harvest_line(
    commodity: str,
    *,
    gross_grams: int,
    price_per_kg: int,
    terms: HarvestTerms,
    moisture_bp: int | None = None,
) -> HarvestLine:
    """One weighed lot: deductions, net weight and amount (see the module's rules)."""
    gross = _int(
        gross_grams, what="Berat kotor", code="weight", field="gross_grams", low=1, high=MAX_GRAMS
    )
    price = _int(
        price_per_kg, what="Harga per kg", code="price", field="price_per_kg", low=0,
        high=MAX_PRICE,
    )  # fmt: skip
    moisture = 0
    standard = terms.standard_moisture_bp
    if standard is not None:
        if moisture_bp is None:
            raise HarvestError(
                f"Isi kadar air hasil ukur (standar {_percent(standard)}).",
                code="moisture",
                field="moisture_bp",
            )
        measured = _int(
            moisture_bp, what="Kadar air", code="moisture", field="moisture_bp", low=0,
            high=FULL_BP - 1,
        )  # fmt: skip
        if measured > standard:
            kept = Fraction(gross * (FULL_BP - measured), FULL_BP - standard)
            moisture = gross - _round(kept)
    after_moisture = gross - moisture
    refraction = _round(Fraction(after_moisture * terms.refraction_bp, FULL_BP))
    net = after_moisture - refraction
    amount = _round(Fraction(net * price, GRAMS_PER_KG), 100)
    return HarvestLine(commodity, gross, moisture, refraction, net, price, amount)


@dataclass(frozen=True)
class HarvestReceipt:
    lines: tuple[HarvestLine, ...]
    gross_grams: int
    net_grams: int
    total: int


def harvest_receipt(lines: Sequence[HarvestLine]) -> HarvestReceipt:
    """The member's receipt: every line and the totals."""
    if not lines:
        raise HarvestError("Belum ada hasil panen yang ditimbang.", code="empty", field="lines")
    return HarvestReceipt(
        tuple(lines),
        sum(line.gross_grams for line in lines),
        sum(line.net_grams for line in lines),
        sum(line.amount for line in lines),
    )
