"""The business-date rule (domain/dates.py): a table of worked cases and properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopdes.domain import dates
from kopdes.domain.dates import BusinessDateError, DateRule

TODAY = dt.date(2026, 12, 7)
BOOKS = dt.date(2026, 1, 1)
OPENED = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("day", "opened_on", "last_closed", "rule"),
    [
        (dt.date(1, 1, 1), None, None, DateRule.OUT_OF_RANGE),
        (dt.date(9999, 12, 31), None, None, DateRule.OUT_OF_RANGE),
        (dt.date(1999, 12, 31), None, None, DateRule.OUT_OF_RANGE),
        (dt.date(2200, 1, 1), None, None, DateRule.OUT_OF_RANGE),
        (dt.date(2025, 12, 31), None, None, DateRule.BEFORE_BOOKS),
        (dt.date(2026, 3, 9), OPENED, None, DateRule.BEFORE_OPENING),
        (dt.date(2026, 12, 8), None, None, DateRule.FUTURE),
        (dt.date(2027, 1, 1), OPENED, None, DateRule.FUTURE),
        (dt.date(2026, 10, 31), None, 202610, DateRule.CLOSED),
        # Months close in order: a month before the newest closed one is closed too.
        (dt.date(2026, 2, 1), None, 202610, DateRule.CLOSED),
    ],
)
def test_a_date_outside_the_bounds_is_refused_with_the_rule_it_breaks(
    day, opened_on, last_closed, rule
):
    with pytest.raises(BusinessDateError) as exc:
        dates.check_business_date(
            day,
            today=TODAY,
            books_start=BOOKS,
            opened_on=opened_on,
            last_closed_period=last_closed,
        )
    assert exc.value.rule == rule
    assert exc.value.field == "date"
    assert exc.value.message  # Indonesian, shown as is


@pytest.mark.parametrize(
    ("day", "opened_on", "last_closed"),
    [
        (BOOKS, None, None),
        (TODAY, None, None),
        (OPENED, OPENED, None),
        (dt.date(2026, 11, 1), OPENED, 202610),
        (TODAY, OPENED, 202611),
    ],
)
def test_a_date_inside_the_bounds_is_accepted(day, opened_on, last_closed):
    assert (
        dates.check_business_date(
            day, today=TODAY, books_start=BOOKS, opened_on=opened_on, last_closed_period=last_closed
        )
        == day
    )


def test_the_messages_name_the_dates_in_indonesian():
    with pytest.raises(BusinessDateError) as exc:
        dates.check_business_date(
            dt.date(2026, 3, 1), today=TODAY, books_start=BOOKS, opened_on=OPENED,
            opened_what="tanggal pencairan pinjaman",
        )  # fmt: skip
    assert exc.value.message == (
        "Tanggal 1 Maret 2026 sebelum tanggal pencairan pinjaman (10 Maret 2026)."
    )
    with pytest.raises(BusinessDateError) as exc:
        dates.check_business_date(
            dt.date(2026, 5, 5), today=TODAY, books_start=BOOKS, last_closed_period=202606
        )
    assert "Mei 2026 sudah ditutup" in exc.value.message
    assert "Juni 2026" in exc.value.message


def test_a_datetime_or_text_is_not_a_date():
    values: list[Any] = [dt.datetime(2026, 5, 5, 10, 0), "2026-05-05", None]
    for value in values:
        with pytest.raises(BusinessDateError):
            dates.check_business_date(value, today=TODAY, books_start=BOOKS)


@given(
    day=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2199, 12, 31)),
    books=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2199, 12, 31)),
    opened=st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2199, 12, 31)),
    last_closed=st.none()
    | st.integers(min_value=2000, max_value=2199).flatmap(
        lambda y: st.integers(min_value=1, max_value=12).map(lambda m: y * 100 + m)
    ),
)
def test_accepted_exactly_when_between_the_earliest_date_and_today(
    day, today, books, opened, last_closed
):
    earliest = dates.earliest_date(
        books_start=books, opened_on=opened, last_closed_period=last_closed
    )
    try:
        dates.check_business_date(
            day, today=today, books_start=books, opened_on=opened, last_closed_period=last_closed
        )
        accepted = True
    except BusinessDateError as exc:
        accepted = False
        assert exc.message
    assert accepted == (earliest <= day <= today)
    if accepted:
        assert dates.MIN_DATE <= day <= dates.MAX_DATE
        assert dates.MIN_PERIOD <= dates.period_of(day) <= dates.MAX_PERIOD


@pytest.mark.parametrize(
    ("day", "days", "needs"),
    [
        (TODAY, 7, False),
        (TODAY - dt.timedelta(days=7), 7, False),
        (TODAY - dt.timedelta(days=8), 7, True),
        (TODAY - dt.timedelta(days=1), 0, True),
        (TODAY, 0, False),
    ],
)
def test_back_dating_beyond_the_allowance_needs_a_second_officer(day, days, needs):
    assert dates.needs_second_officer(day, today=TODAY, approval_days=days) is needs


@given(
    back=st.integers(min_value=0, max_value=4000),
    allowance=st.integers(min_value=0, max_value=3650),
)
def test_the_second_officer_rule_is_a_plain_day_count(back, allowance):
    day = TODAY - dt.timedelta(days=back)
    assert dates.needs_second_officer(day, today=TODAY, approval_days=allowance) == (
        back > allowance
    )


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("32.01.26.2001", "Asia/Jakarta"),  # Jawa Barat
        ("11.01.01.2001", "Asia/Jakarta"),  # Aceh
        ("62.01.01.2001", "Asia/Jakarta"),  # Kalimantan Tengah
        ("51.71.01.1001", "Asia/Makassar"),  # Bali
        ("73.71.01.1001", "Asia/Makassar"),  # Sulawesi Selatan
        ("64.01.01.2001", "Asia/Makassar"),  # Kalimantan Timur
        ("81.01.01.2001", "Asia/Jayapura"),  # Maluku
        ("91.01.01.2001", "Asia/Jayapura"),  # Papua
        ("", "Asia/Jakarta"),
    ],
)
def test_the_time_zone_follows_the_province(region, zone):
    assert dates.time_zone_for_region(region) == zone


@pytest.mark.parametrize(
    ("last_closed", "first_open", "period", "ready", "words"),
    [
        (202610, 202611, 202611, True, "sebelumnya sudah ditutup"),
        (202610, None, 202611, True, "Oktober 2026"),
        (202611, None, 202612, False, "setelah berakhir"),
        (None, 202603, 202603, True, "belum ada bulan yang ditutup"),
        (None, None, 202601, True, "1 Januari 2026"),
        # An entry dated in the year 1 (the jam of issue 13) is named first.
        (None, 101, 101, False, "sebelum awal pembukuan"),
    ],
)
def test_the_next_month_to_close_and_why(last_closed, first_open, period, ready, words):
    nxt = dates.next_month_to_close(
        today=TODAY,
        books_start=BOOKS,
        last_closed_period=last_closed,
        first_open_entry_period=first_open,
    )
    assert nxt.period == period
    assert nxt.ready is ready
    assert nxt.reason.startswith("Bulan berikutnya yang dapat ditutup:")
    assert words in nxt.reason
