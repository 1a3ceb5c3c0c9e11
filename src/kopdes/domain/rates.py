"""Rates written the way people read them: "1,5%", never "1,5000%" or "150 bp".

The one place a percentage or a number of basis points becomes text. Pages use the template
filters of ``platform/web/templatetags/rates.py`` (which add "per bulan" and the like);
reports and the CLI call these functions. Exact: Decimals and integers only, rounded half
away from zero to at most four decimals, trailing zeros dropped, Indonesian decimal comma.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

BP_PER_PERCENT = 100  # 1% = 100 basis points
PLACES = 4


def _decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, (bool, float)):
        raise TypeError("a rate is a Decimal, an int or a decimal string, never a float")
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a rate: {value!r}") from exc


def percent_number(value: Decimal | int | str, places: int = PLACES) -> str:
    """1.5000 -> "1,5"; 18 -> "18"; 0.125 -> "0,125"; 1234.5 -> "1.234,5"."""
    d = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _dot, frac = f"{abs(d):f}".partition(".")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def format_percent(value: Decimal | int | str, places: int = PLACES) -> str:
    """A percentage: Decimal("1.5000") -> "1,5%"."""
    return percent_number(value, places) + "%"


def bp_to_percent(bp: int) -> Decimal:
    """Basis points as an exact percentage: 10 -> Decimal("0.1")."""
    return _decimal(bp) / BP_PER_PERCENT


def format_bp(bp: int | None, missing: str = "n/a") -> str:
    """Basis points as a percentage: 10 -> "0,1%", 3277 -> "32,77%"; None -> ``missing``."""
    if bp is None:
        return missing
    return format_percent(bp_to_percent(bp))


class RateInputError(ValueError):
    """Text that is not a percentage. ``message`` is Bahasa Indonesia, safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_percent_to_bp(text: str, *, maximum_bp: int = 10_000) -> int:
    """A percentage typed by a person as basis points: "1" -> 100, "0,1" -> 10,
    "2.5%" -> 250, "" -> 0. At most two decimals (a basis point), never negative."""
    value = (text or "").strip().removesuffix("%").strip()
    if not value:
        return 0
    whole, sep, frac = value.replace(",", ".").partition(".")
    if not (whole.isascii() and whole.isdigit()) or (
        sep and not (frac.isascii() and frac.isdigit() and len(frac) <= 2)
    ):
        raise RateInputError(
            "Tulis persentase dengan angka, misalnya 1 atau 0,5 (paling banyak dua angka "
            "di belakang koma)."
        )
    bp = int(whole) * BP_PER_PERCENT + int((frac + "00")[:2])
    if bp > maximum_bp:
        raise RateInputError(f"Persentase paling tinggi {format_bp(maximum_bp)}.")
    return bp
