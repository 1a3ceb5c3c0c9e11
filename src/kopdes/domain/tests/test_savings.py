"""domain.savings: jasa on the lowest / average balance, the final tax, term deposits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.savings import (
    JasaBasis,
    Rate,
    RatePer,
    SavingsRuleError,
    TaxRule,
    add_months,
    average_daily_balance,
    early_withdrawal,
    end_of_day_balances,
    jasa_tax,
    lowest_balance,
    monthly_jasa,
    months_in_arrears,
    term_interest,
    term_maturity,
)

D = dt.date


def test_lowest_balance_is_the_lowest_end_of_day_balance_of_the_month():
    changes = [(D(2026, 3, 10), 500_000_00), (D(2026, 3, 20), 2_000_000_00)]
    assert lowest_balance(1_000_000_00, changes, 2026, 3) == 500_000_00


def test_average_daily_balance_weights_each_day_of_the_month():
    # April: 30 days; 1 000 000 for days 1-9, 400 000 for days 10-30 (21 days).
    changes = [(D(2026, 4, 10), 400_000_00)]
    avg = average_daily_balance(1_000_000_00, changes, 2026, 4)
    assert avg == Fraction(9 * 1_000_000_00 + 21 * 400_000_00, 30)


def test_changes_outside_the_month_are_ignored_and_later_same_day_points_win():
    changes = [
        (D(2026, 2, 28), 1),
        (D(2026, 3, 5), 300),
        (D(2026, 3, 5), 200),
        (D(2026, 4, 1), 9),
    ]
    balances = end_of_day_balances(100, changes, 2026, 3)
    assert len(balances) == 31
    assert balances[3] == 100 and balances[4] == 200 and balances[-1] == 200


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        # 3% a year on 1 000 000 lowest: 2 500 rupiah.
        (JasaBasis.LOWEST, 2_500_00),
        # average of 1 000 000 x 15 days and 3 000 000 x 15 days = 2 000 000 -> 5 000.
        (JasaBasis.AVERAGE, 5_000_00),
    ],
)
def test_monthly_jasa_at_three_percent_a_year(basis, expected):
    changes = [(D(2026, 6, 16), 3_000_000_00)]
    assert monthly_jasa(Rate.parse("3"), basis, 1_000_000_00, changes, 2026, 6) == expected


def test_monthly_rate_and_yearly_rate_agree():
    assert Rate.parse("0,25", RatePer.MONTH).yearly == Rate.parse("3").yearly
    assert Rate.parse(Decimal("2.5")).percent == Fraction(5, 2)


def test_jasa_rounds_half_up_to_the_rupiah():
    # 1% a month on 150 sen = 1.5 sen -> 0 rupiah; on 5 000 sen = 50 sen -> 1 rupiah.
    assert monthly_jasa(Rate.parse("1", "month"), "lowest", 150, [], 2026, 1) == 0
    assert monthly_jasa(Rate.parse("1", "month"), "lowest", 5_000, [], 2026, 1) == 100


def test_no_jasa_below_the_minimum_balance_or_on_an_empty_account():
    assert monthly_jasa(Rate.parse("3"), "lowest", 0, [], 2026, 1) == 0
    assert (
        monthly_jasa(Rate.parse("3"), "lowest", 50_000_00, [], 2026, 1, minimum_balance=100_000_00)
        == 0
    )


@pytest.mark.parametrize("text", ["abc", "1e3", "-1", "101", "", "3,12345", "３"])
def test_rate_refuses_text_that_is_not_a_percent(text):
    with pytest.raises(SavingsRuleError):
        Rate.parse(text)


@pytest.mark.parametrize(
    ("jasa", "tax"),
    [
        (0, 0),
        (240_000_00, 0),  # at the threshold: nothing
        (240_001_00, 24_000_00),  # 24 000,10 rounds to 24 000
        (300_000_00, 30_000_00),
    ],
)
def test_final_tax_only_above_rp240000(jasa, tax):
    assert jasa_tax(jasa) == tax


def test_tax_threshold_and_rate_are_configurable():
    rule = TaxRule(threshold=100_000_00, rate=Fraction(15, 100))
    assert jasa_tax(100_000_00, rule) == 0
    assert jasa_tax(200_000_00, rule) == 30_000_00


def test_term_deposit_maturity_clamps_to_month_end_and_earns_simple_jasa():
    assert term_maturity(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert term_maturity(D(2026, 11, 15), 3) == D(2027, 2, 15)
    # 6% a year for 6 months on 10 000 000 = 300 000.
    assert term_interest(10_000_000_00, Rate.parse("6"), 6) == 300_000_00


def test_early_withdrawal_forfeits_jasa_and_pays_the_penalty():
    result = early_withdrawal(10_000_000_00, Fraction(1, 100))
    assert result.penalty == 100_000_00
    assert result.jasa == 0
    assert result.payout == 9_900_000_00


def test_term_and_penalty_bounds():
    with pytest.raises(SavingsRuleError):
        term_maturity(D(2026, 1, 1), 0)
    with pytest.raises(SavingsRuleError):
        early_withdrawal(100, Fraction(2))


def test_months_in_arrears_counts_unpaid_months():
    assert months_in_arrears((2026, 1), (2026, 6), 4) == 2
    assert months_in_arrears((2026, 1), (2026, 6), 9) == 0
    assert months_in_arrears((2026, 7), (2026, 6), 0) == 0


@settings(max_examples=150, deadline=None)
@given(
    opening=st.integers(min_value=0, max_value=10**12),
    points=st.lists(
        st.tuples(st.integers(min_value=1, max_value=28), st.integers(0, 10**12)), max_size=20
    ),
)
def test_lowest_is_never_above_average(opening, points):
    changes = [(D(2026, 2, d), b) for d, b in points]
    assert lowest_balance(opening, changes, 2026, 2) <= average_daily_balance(
        opening, changes, 2026, 2
    )
    lo = monthly_jasa(Rate.parse("5"), "lowest", opening, changes, 2026, 2)
    avg = monthly_jasa(Rate.parse("5"), "average", opening, changes, 2026, 2)
    assert 0 <= lo <= avg
    assert lo % 100 == 0


def test_add_months_handles_december():
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
