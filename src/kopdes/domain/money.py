"""Money: integer sen (1 rupiah = 100 sen), Indonesian parsing, formatting and words.

Never a float. ``parse_rupiah`` reads what officers type ("50.000", "Rp 1.234.567,50"),
``format_rupiah`` writes "Rp 1.234.567", ``round_to_rupiah`` rounds half-up to the rupiah,
``terbilang`` spells an amount for receipts, and ``allocate_by_weights`` splits a total into
parts that sum exactly (largest remainder) for SHU, installments and discounts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SEN_PER_RUPIAH = 100
MAX_RUPIAH = 10**15
MAX_SEN = MAX_RUPIAH * SEN_PER_RUPIAH


class MoneyError(ValueError):
    """Input that is not an amount of money. ``message`` is Bahasa Indonesia."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, order=True)
class Money:
    """An amount in sen. Adds and subtracts with Money only; ``int(m)`` gives the sen."""

    sen: int

    def __post_init__(self) -> None:
        if not isinstance(self.sen, int) or isinstance(self.sen, bool):
            raise TypeError("Money holds an int number of sen")

    @classmethod
    def rupiah(cls, rupiah: int) -> Money:
        return cls(rupiah * SEN_PER_RUPIAH)

    @classmethod
    def parse(cls, text: str, *, allow_negative: bool = False) -> Money:
        return cls(parse_rupiah(text, allow_negative=allow_negative))

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.sen + other.sen)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.sen - other.sen)

    def __neg__(self) -> Money:
        return Money(-self.sen)

    def __int__(self) -> int:
        return self.sen

    def __str__(self) -> str:
        return format_rupiah(self.sen)

    def words(self) -> str:
        return terbilang(self.sen)


# ASCII digits only: str.isdigit() and \d accept Arabic-Indic and full-width digits.
_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.ASCII | re.IGNORECASE)
_GROUPED = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$", re.ASCII)
_PLAIN = re.compile(r"^[0-9]+$", re.ASCII)
_FRACTION = re.compile(r"^[0-9]{1,2}$", re.ASCII)
_WORDS = re.compile(r"(juta|jt|ribu|rb|miliar|milyar|triliun|k)\b", re.ASCII | re.IGNORECASE)

_HINT = "Tulis angka lengkap dengan titik pemisah ribuan, misalnya 1.500.000 atau 1.250,50."


def parse_rupiah(text: str, *, allow_negative: bool = False, allow_zero: bool = True) -> int:
    """Read an amount typed in Indonesian notation and return sen.

    Accepts "50000", "50.000", "Rp 1.234.567,50", "Rp1.234.567", "IDR 5.000". Dot groups
    thousands (groups of three), comma starts at most two sen digits. Rejects words
    ("1,5 juta"), exponents, full-width or other non-ASCII digits, NaN, English notation
    ("1,234.50"), negatives unless ``allow_negative``, and more than 10^15 rupiah.
    """
    if not isinstance(text, str):
        raise MoneyError("Jumlah harus berupa teks angka.")
    s = text.strip()
    if not s:
        raise MoneyError("Jumlah wajib diisi.")
    if len(s) > 40:
        raise MoneyError("Jumlah terlalu panjang. " + _HINT)
    negative = False
    if s[0] in "-−":
        negative = True
        s = s[1:].strip()
    s = _PREFIX.sub("", s)
    if s.startswith("-") and not negative:
        negative = True
        s = s[1:].strip()
    if _WORDS.search(s):
        raise MoneyError("Jumlah tidak boleh memakai kata (juta, ribu). " + _HINT)
    if not s.isascii():
        raise MoneyError("Jumlah hanya boleh memakai angka 0-9. " + _HINT)
    whole, sep, fraction = s.partition(",")
    if not (_PLAIN.match(whole) or _GROUPED.match(whole)):
        raise MoneyError("Jumlah tidak bisa dibaca. " + _HINT)
    if sep and "." in fraction:
        raise MoneyError("Jumlah tidak bisa dibaca. " + _HINT)
    if sep and not _FRACTION.match(fraction):
        raise MoneyError("Sen paling banyak dua angka di belakang koma. " + _HINT)
    rupiah = int(whole.replace(".", ""))
    sen = int(fraction.ljust(2, "0")) if sep else 0
    value = rupiah * SEN_PER_RUPIAH + sen
    if value > MAX_SEN:
        raise MoneyError(f"Jumlah melebihi batas {format_rupiah(MAX_SEN)}.")
    if negative and value:
        if not allow_negative:
            raise MoneyError("Jumlah tidak boleh negatif.")
        value = -value
    if value == 0 and not allow_zero:
        raise MoneyError("Jumlah harus lebih dari nol.")
    return value


def _group(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def format_rupiah(sen: int, *, show_sen: bool | None = None, prefix: str = "Rp ") -> str:
    """Write sen as "Rp 1.234.567" (or "Rp 1.234.567,50" when there are sen).

    ``show_sen`` None shows the sen only when not zero; True always; False never (then
    the amount must be whole rupiah — round first with ``round_to_rupiah``).
    """
    sign = "-" if sen < 0 else ""
    rupiah, rest = divmod(abs(sen), SEN_PER_RUPIAH)
    if show_sen is False and rest:
        raise ValueError("amount has sen; round it before formatting without sen")
    text = f"{sign}{prefix}{_group(rupiah)}"
    if show_sen or (show_sen is None and rest):
        text += f",{rest:02d}"
    return text


def round_to_rupiah(sen: int) -> int:
    """Round sen to whole rupiah, half away from zero (50 sen up): returns sen."""
    q, r = divmod(abs(sen), SEN_PER_RUPIAH)
    if r >= SEN_PER_RUPIAH // 2:
        q += 1
    return (q if sen >= 0 else -q) * SEN_PER_RUPIAH


def divide_round(numerator: int, denominator: int) -> int:
    """Integer ``numerator / denominator`` rounded half away from zero (no float)."""
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    negative = (numerator < 0) != (denominator < 0)
    q, r = divmod(abs(numerator), abs(denominator))
    if 2 * r >= abs(denominator):
        q += 1
    return -q if negative else q


_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ("", "ribu", "juta", "miliar", "triliun", "kuadriliun")


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_ONES[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 11 < rest < 20:
        words += [_ONES[rest - 10], "belas"]
    elif rest >= 20:
        words += [_ONES[rest // 10], "puluh"]
        if rest % 10:
            words.append(_ONES[rest % 10])
    elif rest:
        words.append(_ONES[rest])
    return words


def number_words(n: int) -> str:
    """Spell a whole number in Indonesian ("seribu dua ratus", "nol")."""
    if n < 0:
        return "minus " + number_words(-n)
    if n == 0:
        return "nol"
    groups: list[int] = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    if len(groups) > len(_SCALES):
        raise ValueError("number too large to spell")
    words: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if not g:
            continue
        if i == 1 and g == 1:
            words.append("seribu")
        else:
            words += _below_thousand(g)
            if _SCALES[i]:
                words.append(_SCALES[i])
    return " ".join(words)


def terbilang(sen: int) -> str:
    """The amount in words for receipts: 123456750 -> "satu juta dua ratus ... rupiah".

    Sen, when present, follow: "... rupiah lima puluh sen".
    """
    rupiah, rest = divmod(abs(sen), SEN_PER_RUPIAH)
    text = ("minus " if sen < 0 else "") + number_words(rupiah) + " rupiah"
    if rest:
        text += " " + number_words(rest) + " sen"
    return text


def allocate_by_weights(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` into parts proportional to ``weights`` that sum exactly to it.

    Largest remainder: every part gets the floor of its share, then the leftover units go
    one each to the largest remainders, ties to the earlier weight. Weights are
    non-negative ints with a positive sum; a zero weight gets zero. A negative total is
    split as its absolute value and negated.
    """
    if not weights:
        raise ValueError("weights must not be empty")
    if any(not isinstance(w, int) or isinstance(w, bool) or w < 0 for w in weights):
        raise ValueError("weights must be non-negative integers")
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must not all be zero")
    if total < 0:
        return [-p for p in allocate_by_weights(-total, weights)]
    parts: list[int] = []
    remainders: list[tuple[int, int]] = []
    for i, w in enumerate(weights):
        q, r = divmod(total * w, weight_sum)
        parts.append(q)
        remainders.append((-r, i))
    leftover = total - sum(parts)
    for _, i in sorted(remainders)[:leftover]:
        parts[i] += 1
    return parts
