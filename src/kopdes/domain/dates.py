"""Business dates: which day a money movement may carry (one rule for every module).

A journal entry, a passbook row or a loan payment is dated with the day the money moved.
That date decides the month it belongs to, and months close in order (tutup buku), so a
date far outside the koperasi's life (``0001-01-01``, ``9999-12-31``) would leave a month
nobody can close and an entry nobody can remove. The rule, in order of the checks:

1. the date lies in the sane range the database also enforces (``MIN_DATE``..``MAX_DATE``);
2. not before the koperasi's books start (``Koperasi.books_start``);
3. not before the account's or loan's opening, when the movement belongs to one;
4. not after today in the koperasi's time zone;
5. not in a closed month, nor in an earlier month than the newest closed one (months close
   in order, so everything up to the newest closed month is closed).

Then, for the teller and the manual journal: a date more than the AD/ART
``backdate_approval_days`` before today needs a second officer (``needs_second_officer``).

Pure: the services read the books start, the opening, the newest closed month and today,
and ask ``check_business_date``. Messages are Bahasa Indonesia, safe to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# The range the database's CHECK constraints enforce on journal rows (ledger migration
# 0006): wide enough for any koperasi's history and future, narrow enough that no typing
# slip (a year 0001 or 9999) ever becomes a month to close.
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
MIN_PERIOD = MIN_DATE.year * 100 + MIN_DATE.month
MAX_PERIOD = MAX_DATE.year * 100 + MAX_DATE.month

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

# Indonesia's three time zones by province (the first two digits of the Kemendagri region
# code). WIB is the default: Sumatra, Java, West and Central Kalimantan.
_WITA_PROVINCES = frozenset(
    {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
)
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})


class DateRule(StrEnum):
    """Which part of the rule a date breaks (stable codes for tests and ``verify``)."""

    OUT_OF_RANGE = "out_of_range"
    BEFORE_BOOKS = "before_books_start"
    BEFORE_OPENING = "before_opening"
    FUTURE = "future"
    CLOSED = "closed_month"


class BusinessDateError(ValueError):
    """A business date breaks the rule; ``rule`` says which part, ``message`` is Indonesian."""

    def __init__(self, message: str, *, rule: DateRule, field: str = "date") -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field


def period_of(day: dt.date) -> int:
    """``yyyymm`` of a date (the same key as ``domain.ledger.period_of``)."""
    return day.year * 100 + day.month


def format_day(day: dt.date) -> str:
    """``7 Desember 2026``."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def format_period(period: int) -> str:
    """``November 2026`` for 202611."""
    year, month = divmod(int(period), 100)
    return f"{MONTHS_ID[month - 1]} {year}"


def next_period(period: int) -> int:
    """The month after ``period`` (202612 -> 202701)."""
    year, month = divmod(int(period), 100)
    return (year + 1) * 100 + 1 if month == 12 else period + 1


def first_day(period: int) -> dt.date:
    year, month = divmod(int(period), 100)
    return dt.date(year, month, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def time_zone_for_region(region_code: str) -> str:
    """The IANA time zone of a village by its Kemendagri code ("51.71..." -> Asia/Makassar)."""
    province = str(region_code or "")[:2]
    if province in _WIT_PROVINCES:
        return "Asia/Jayapura"
    if province in _WITA_PROVINCES:
        return "Asia/Makassar"
    return "Asia/Jakarta"


def earliest_date(
    *,
    books_start: dt.date,
    opened_on: dt.date | None = None,
    last_closed_period: int | None = None,
) -> dt.date:
    """The first day a new movement may carry: the later of the books start, the opening
    and the day after the newest closed month (never before ``MIN_DATE``)."""
    bounds = [MIN_DATE, books_start]
    if opened_on is not None:
        bounds.append(opened_on)
    if last_closed_period is not None:
        bounds.append(first_day(next_period(last_closed_period)))
    return max(bounds)


def check_business_date(
    day: dt.date,
    *,
    today: dt.date,
    books_start: dt.date,
    opened_on: dt.date | None = None,
    opened_what: str = "rekening dibuka",
    last_closed_period: int | None = None,
    closed_periods: Iterable[int] = (),
) -> dt.date:
    """Return ``day`` if a money movement may be dated so; raise ``BusinessDateError``.

    ``opened_on``: the opening of the account or loan the movement belongs to (and
    ``opened_what`` names it in the message: "rekening dibuka", "tanggal pencairan
    pinjaman"). ``last_closed_period``:
    the newest closed month (``yyyymm``), everything up to it counts as closed;
    ``closed_periods`` any other closed months (the same answer, kept for callers that
    know only those).
    """
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise BusinessDateError("Tanggal tidak valid.", rule=DateRule.OUT_OF_RANGE)
    if not MIN_DATE <= day <= MAX_DATE:
        raise BusinessDateError(
            f"Tanggal {day.isoformat()} di luar rentang yang masuk akal "
            f"({format_day(MIN_DATE)} sampai {format_day(MAX_DATE)}).",
            rule=DateRule.OUT_OF_RANGE,
        )
    if day < books_start:
        raise BusinessDateError(
            f"Tanggal {format_day(day)} sebelum awal pembukuan koperasi "
            f"({format_day(books_start)}).",
            rule=DateRule.BEFORE_BOOKS,
        )
    check_not_before_opening(day, opened_on, opened_what)
    if day > today:
        raise BusinessDateError(
            f"Tanggal {format_day(day)} belum tiba (hari ini {format_day(today)}); "
            "transaksi tidak boleh diberi tanggal yang akan datang.",
            rule=DateRule.FUTURE,
        )
    period = period_of(day)
    if period in set(closed_periods) or (
        last_closed_period is not None and period <= last_closed_period
    ):
        newest = max([p for p in (last_closed_period,) if p is not None] + [period])
        raise BusinessDateError(
            f"Bulan {format_period(period)} sudah ditutup (tutup buku sampai "
            f"{format_period(newest)}); transaksi tidak bisa dicatat di bulan itu.",
            rule=DateRule.CLOSED,
        )
    return day


def check_not_before_opening(day: dt.date, opened_on: dt.date | None, what: str) -> None:
    """A movement of an account or loan is never dated before it was opened."""
    if opened_on is not None and day < opened_on:
        raise BusinessDateError(
            f"Tanggal {format_day(day)} sebelum {what} ({format_day(opened_on)}).",
            rule=DateRule.BEFORE_OPENING,
        )


def days_back(day: dt.date, today: dt.date) -> int:
    """How many days before ``today`` the date lies (0 for today)."""
    return (today - day).days


def needs_second_officer(day: dt.date, *, today: dt.date, approval_days: int) -> bool:
    """A date more than ``approval_days`` before today needs another officer's approval."""
    return days_back(day, today) > approval_days


def backdate_message(day: dt.date, *, today: dt.date, approval_days: int) -> str:
    """Why a back-dated movement waits for (or needs) a second officer."""
    return (
        f"Tanggal {format_day(day)} mundur {days_back(day, today)} hari; menurut AD/ART "
        f"transaksi yang mundur lebih dari {approval_days} hari harus disetujui petugas lain."
    )


@dataclass(frozen=True)
class NextClose:
    """The month the koperasi can close next (``period``) or None, and why, in Indonesian."""

    period: int | None
    reason: str
    ready: bool  # True when the month has ended and can be proposed for closing now


def next_month_to_close(
    *,
    today: dt.date,
    books_start: dt.date,
    last_closed_period: int | None,
    first_open_entry_period: int | None,
) -> NextClose:
    """Which month is next to close (tutup buku) and why.

    Months close in order: after the newest closed month, or from the books start when
    none is closed. ``first_open_entry_period``: the earliest month with entries that is
    not closed (None when every entry lies in a closed month). A month can close once it
    has ended (today is in a later month).
    """
    if last_closed_period is not None:
        candidate = next_period(last_closed_period)
        why = f"bulan-bulan sebelumnya sudah ditutup (terakhir {format_period(last_closed_period)})"
    else:
        candidate = (
            first_open_entry_period
            if first_open_entry_period is not None
            else period_of(max(books_start, MIN_DATE))
        )
        why = f"pembukuan dimulai {format_day(books_start)} dan belum ada bulan yang ditutup"
    if first_open_entry_period is not None and first_open_entry_period < candidate:
        candidate = first_open_entry_period
        why = "bulan itu masih punya transaksi yang belum ditutup"
    if candidate < period_of(max(books_start, MIN_DATE)):
        # Rows from before the books start (kopdes verify names them): that month has to
        # be dealt with before any later one can close.
        return NextClose(
            candidate,
            f"Bulan berikutnya yang dapat ditutup: {format_period(candidate)} — bulan itu "
            f"berisi transaksi sebelum awal pembukuan ({format_day(books_start)}); "
            "periksa dengan kopdes verify sebelum menutup buku.",
            ready=candidate >= MIN_PERIOD and candidate < period_of(today),
        )
    if candidate >= period_of(today):
        return NextClose(
            candidate,
            f"Bulan berikutnya yang dapat ditutup: {format_period(candidate)} — {why}; "
            f"bulan itu baru dapat ditutup setelah berakhir.",
            ready=False,
        )
    return NextClose(
        candidate,
        f"Bulan berikutnya yang dapat ditutup: {format_period(candidate)} — {why}.",
        ready=True,
    )
