"""A cashier's shift: the cash expected in the drawer, the count, and the difference.

expected = opening float + cash sales + other cash in - cash out - cash refunds

``cash_sales`` is the cash the till kept from sales (tendered less change: the
``Settlement.cash`` of ``domain.sale``), so change given never counts twice. At closing the
cashier counts the drawer (``count_denominations`` adds up a count sheet by note and
coin); ``selisih = counted - expected``:

- positive (kas lebih): debit Kas, credit the income account for cash over;
- negative (kas kurang): debit the expense account for cash short, or the cashier's
  receivable when the koperasi charges shortages to the cashier (a setting), credit Kas;
- zero: nothing to post.

A shift is closed once: closing a closed shift is refused. All amounts are sen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kopdes.domain.ledger import Side
from kopdes.domain.money import format_rupiah

MAX_AMOUNT = 10**17
# Rupiah notes and coins in circulation (Bank Indonesia), in rupiah.
DENOMINATIONS: tuple[int, ...] = (
    100_000, 75_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50,
)  # fmt: skip


class ShiftError(ValueError):
    """A shift action the rules refuse. ``message`` is Bahasa Indonesia.

    ``code``: ``amount``, ``negative``, ``closed``, ``open``, ``denomination``.
    """

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class ShiftStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Selisih(StrEnum):
    NONE = "none"
    OVER = "over"  # kas lebih
    SHORT = "short"  # kas kurang

    @property
    def label(self) -> str:
        return {"none": "sesuai", "over": "kas lebih", "short": "kas kurang"}[self.value]


class DifferenceAccount(StrEnum):
    """The account opposite Kas for a difference (the chart maps the role to a code)."""

    OVER_INCOME = "cash_over_income"  # pendapatan lain-lain: selisih kas lebih
    SHORT_EXPENSE = "cash_short_expense"  # beban selisih kas kurang
    SHORT_RECEIVABLE = "cashier_receivable"  # piutang kasir


def _amount(value: object, *, what: str, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ShiftError(f"{what} harus bilangan bulat sen.", code="amount", field=field)
    if value < 0:
        raise ShiftError(f"{what} tidak boleh negatif.", code="amount", field=field)
    if value > MAX_AMOUNT:
        raise ShiftError(f"{what} terlalu besar.", code="amount", field=field)
    return value


def check_can_open(*, has_open_shift: bool, opening_float: int) -> int:
    """A cashier opens one shift at a time, with a float of zero or more; returns it."""
    if has_open_shift:
        raise ShiftError(
            "Kasir ini masih punya shift yang terbuka: tutup dulu sebelum membuka yang baru.",
            code="open",
        )
    return _amount(opening_float, what="Modal awal kas", field="opening_float")


def expected_cash(
    *,
    opening_float: int,
    cash_sales: int,
    cash_in: int = 0,
    cash_out: int = 0,
    cash_refunds: int = 0,
) -> int:
    """The cash that should be in the drawer. Refuses movements that would have taken
    more cash out than the drawer held (the records are wrong, not the drawer)."""
    total_in = (
        _amount(opening_float, what="Modal awal kas", field="opening_float")
        + _amount(cash_sales, what="Penjualan tunai", field="cash_sales")
        + _amount(cash_in, what="Kas masuk", field="cash_in")
    )
    total_out = _amount(cash_out, what="Kas keluar", field="cash_out") + _amount(
        cash_refunds, what="Pengembalian tunai", field="cash_refunds"
    )
    if total_out > total_in:
        raise ShiftError(
            f"Kas keluar {format_rupiah(total_out)} melebihi kas yang ada "
            f"{format_rupiah(total_in)}: periksa catatan kas shift ini.",
            code="negative",
            field="cash_out",
        )
    return total_in - total_out


def count_denominations(counts: Mapping[int, int]) -> int:
    """A count sheet ``{rupiah denomination: pieces}`` as sen."""
    total = 0
    for denomination, pieces in counts.items():
        if denomination not in DENOMINATIONS:
            raise ShiftError(
                f"Pecahan Rp {denomination} tidak dikenal.",
                code="denomination",
                field=str(denomination),
            )
        if not isinstance(pieces, int) or isinstance(pieces, bool) or pieces < 0:
            raise ShiftError(
                f"Jumlah lembar/keping pecahan {format_rupiah(denomination * 100)} harus "
                "bilangan bulat nol atau lebih.",
                code="amount",
                field=str(denomination),
            )
        total += denomination * 100 * pieces
    return _amount(total, what="Hasil hitung kas", field="counted")


@dataclass(frozen=True)
class ShiftClose:
    expected: int
    counted: int
    difference: int  # counted - expected
    selisih: Selisih
    cash_side: Side | None  # Kas is debited when over, credited when short
    counter_account: DifferenceAccount | None

    @property
    def amount(self) -> int:
        """The amount to post (always positive), 0 when the count agrees."""
        return abs(self.difference)


def close_shift(
    status: ShiftStatus | str,
    *,
    expected: int,
    counted: int,
    shortage_to_cashier: bool = False,
) -> ShiftClose:
    """Close an open shift: the difference and which way it is posted."""
    if ShiftStatus(status) is ShiftStatus.CLOSED:
        raise ShiftError("Shift ini sudah ditutup.", code="closed")
    _amount(expected, what="Kas seharusnya", field="expected")
    _amount(counted, what="Hasil hitung kas", field="counted")
    difference = counted - expected
    if difference > 0:
        return ShiftClose(
            expected, counted, difference, Selisih.OVER, Side.DEBIT, DifferenceAccount.OVER_INCOME
        )
    if difference < 0:
        account = (
            DifferenceAccount.SHORT_RECEIVABLE
            if shortage_to_cashier
            else DifferenceAccount.SHORT_EXPENSE
        )
        return ShiftClose(expected, counted, difference, Selisih.SHORT, Side.CREDIT, account)
    return ShiftClose(expected, counted, 0, Selisih.NONE, None, None)
