"""National holidays and cuti bersama from lokal-id's calendar (issue 13: the hand list
lacked the 8 cuti bersama days of 2026 and 21 days of 2027), with a local overlay only for
years the package does not cover; a bank installment due on one moves to the next working
day."""

from __future__ import annotations

import datetime as dt

import lokal
import pytest

from kopdes.loans import holidays, services

D = dt.date

CUTI_BERSAMA_2026 = [
    D(2026, 2, 16),
    D(2026, 3, 18),
    D(2026, 3, 20),
    D(2026, 3, 23),
    D(2026, 3, 24),
    D(2026, 5, 15),
    D(2026, 5, 28),
    D(2026, 12, 24),
]


@pytest.mark.parametrize("day", CUTI_BERSAMA_2026)
def test_the_2026_cuti_bersama_days_are_holidays(day: dt.date) -> None:
    assert holidays.is_holiday(day)
    assert not holidays.is_working_day(day)


def test_the_holidays_are_lokal_ids_calendar_for_the_years_it_covers() -> None:
    assert {2026, 2027} <= set(holidays.package_years())
    for year in holidays.package_years():
        expected = {D.fromisoformat(h.date) for h in lokal.get_holidays(year).holidays}
        assert holidays.holidays_in(year) == expected
    kinds = {h.type for h in lokal.get_holidays(2026).holidays}
    assert kinds == {"libur_nasional", "cuti_bersama"}
    assert len(holidays.holidays_in(2027)) == 26  # the old hand list had 5 of them


def test_the_local_overlay_holds_only_years_the_package_does_not_cover() -> None:
    """When lokal-id adds a year, its overlay must go (the package wins anyway)."""
    assert not set(holidays.LOCAL_OVERLAY) & set(holidays.package_years())
    assert holidays.covered(2025) and holidays.is_holiday(D(2025, 4, 7))  # cuti bersama
    assert len(holidays.holidays_in(2025)) == 27
    assert not holidays.covered(2031) and holidays.holidays_in(2031) == frozenset()
    assert holidays.is_working_day(D(2031, 1, 1)) and not holidays.is_working_day(D(2031, 1, 4))


def test_next_working_day_skips_a_run_of_holidays_and_weekends() -> None:
    # Nyepi and Idulfitri 2026: 18 (cb), 19, 20 (cb), 21, 22, 23 (cb), 24 (cb) March.
    assert holidays.next_working_day(D(2026, 3, 18)) == D(2026, 3, 25)
    assert holidays.next_working_day(D(2026, 3, 17)) == D(2026, 3, 17)
    assert holidays.next_working_day(D(2026, 3, 18), frozenset()) == D(2026, 3, 18)


@pytest.mark.django_db
def test_a_bank_installment_due_on_a_cuti_bersama_moves_to_the_next_working_day(koperasi, officers):
    from kopdes.ledger.testing import with_books

    with_books(koperasi)
    ketua = officers["checker"]
    bank_loan = services.create_bank_loan(
        koperasi,
        actor=ketua,
        lender="Bank Rakyat Indonesia",
        plafond=3_000_000_000_00,
        rate_percent="6",
        term=72,
        grace_periods=6,
        start_date=D(2026, 1, 5),
    )
    services.draw_bank_loan(
        bank_loan, actor=ketua, amount=1_000_000_000_00, date=D(2026, 1, 5), idempotency_key="d"
    )
    due = {period: day for period, day, _p, _i in services.bank_schedule(bank_loan)}
    # Friday 12 March 2027 is cuti bersama of Idulfitri 1448; 13-14 are the weekend and
    # Monday 15 is cuti bersama too: the installment is due Tuesday 16 March.
    assert due[14] == D(2027, 3, 16)
    assert due[1] == D(2026, 2, 12)
    assert all(holidays.is_working_day(day) for day in due.values())
