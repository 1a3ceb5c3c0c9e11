"""Working days for due dates that fall on a weekend or an Indonesian public holiday.

The bank's installment is due on the 12th, or the next working day (DOMAIN.md §1). The
national holidays and cuti bersama are set each year by an SKB of three ministers; the
list below holds the fixed and announced dates for 2025-2027 (check each year and add the
next year's SKB here).
"""

from __future__ import annotations

import datetime as dt

HOLIDAYS: frozenset[dt.date] = frozenset(
    dt.date.fromisoformat(d)
    for d in (
        # 2025 (SKB 2024)
        "2025-01-01", "2025-01-27", "2025-01-29", "2025-03-29", "2025-03-31", "2025-04-01",
        "2025-04-18", "2025-04-20", "2025-05-01", "2025-05-12", "2025-05-29", "2025-06-01",
        "2025-06-06", "2025-06-27", "2025-08-17", "2025-09-05", "2025-12-25",
        # 2026 (SKB 2025)
        "2026-01-01", "2026-01-16", "2026-02-17", "2026-03-19", "2026-03-21", "2026-03-22",
        "2026-04-03", "2026-04-05", "2026-05-01", "2026-05-14", "2026-05-27", "2026-05-31",
        "2026-06-01", "2026-06-16", "2026-08-17", "2026-08-25", "2026-12-25",
        # 2027 (fixed dates; the lunar ones to be added from the SKB)
        "2027-01-01", "2027-05-01", "2027-06-01", "2027-08-17", "2027-12-25",
    )
)  # fmt: skip


def is_working_day(day: dt.date, holidays: frozenset[dt.date] = HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_working_day(day: dt.date, holidays: frozenset[dt.date] = HOLIDAYS) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return day
