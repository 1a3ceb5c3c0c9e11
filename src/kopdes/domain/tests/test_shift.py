"""domain.shift: expected cash, the count, selisih and its posting direction."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.ledger import Side
from kopdes.domain.shift import (
    DENOMINATIONS,
    DifferenceAccount,
    Selisih,
    ShiftError,
    ShiftStatus,
    check_can_open,
    close_shift,
    count_denominations,
    expected_cash,
)


def test_expected_cash_is_float_plus_cash_in_less_cash_out():
    assert (
        expected_cash(
            opening_float=200_000_00,
            cash_sales=1_350_000_00,
            cash_in=50_000_00,
            cash_out=100_000_00,
            cash_refunds=25_000_00,
        )
        == 1_475_000_00
    )
    assert expected_cash(opening_float=0, cash_sales=0) == 0


@pytest.mark.parametrize(
    ("expected", "counted", "difference", "selisih", "side", "account"),
    [
        (1_000_000, 1_000_000, 0, Selisih.NONE, None, None),
        (1_000_000, 1_005_000, 5_000, Selisih.OVER, Side.DEBIT, DifferenceAccount.OVER_INCOME),
        (1_000_000, 990_000, -10_000, Selisih.SHORT, Side.CREDIT, DifferenceAccount.SHORT_EXPENSE),
    ],
)
def test_selisih_and_its_posting_direction(expected, counted, difference, selisih, side, account):
    close = close_shift(ShiftStatus.OPEN, expected=expected, counted=counted)
    assert (close.difference, close.selisih, close.cash_side, close.counter_account) == (
        difference,
        selisih,
        side,
        account,
    )
    assert close.amount == abs(difference)


def test_a_shortage_may_be_charged_to_the_cashier():
    close = close_shift("open", expected=100, counted=40, shortage_to_cashier=True)
    assert close.counter_account is DifferenceAccount.SHORT_RECEIVABLE
    assert close.selisih.label == "kas kurang"


def test_count_sheet_adds_up_notes_and_coins():
    assert count_denominations({100_000: 3, 50_000: 1, 2_000: 4, 500: 3, 100: 0}) == 35_950_000


@pytest.mark.parametrize(
    ("call", "code", "hint"),
    [
        (lambda: close_shift(ShiftStatus.CLOSED, expected=1, counted=1), "closed", "sudah ditutup"),
        (lambda: close_shift("open", expected=1, counted=-1), "amount", "negatif"),
        (
            lambda: expected_cash(opening_float=100, cash_sales=0, cash_out=101),
            "negative",
            "melebihi kas yang ada",
        ),
        (lambda: expected_cash(opening_float=-1, cash_sales=0), "amount", "negatif"),
        (lambda: expected_cash(opening_float=1.5, cash_sales=0), "amount", "bilangan bulat"),  # type: ignore[arg-type]
        (lambda: count_denominations({3_000: 1}), "denomination", "tidak dikenal"),
        (lambda: count_denominations({1_000: -2}), "amount", "nol atau lebih"),
        (lambda: check_can_open(has_open_shift=True, opening_float=0), "open", "masih punya"),
        (lambda: check_can_open(has_open_shift=False, opening_float=-5), "amount", "negatif"),
    ],
)
def test_bad_shift_actions_are_refused_in_indonesian(call, code, hint):
    with pytest.raises(ShiftError) as err:
        call()
    assert err.value.code == code
    assert hint in err.value.message


def test_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        close_shift("paused", expected=0, counted=0)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    opening=st.integers(0, 10**9),
    sales=st.integers(0, 10**10),
    cash_in=st.integers(0, 10**9),
    out=st.integers(0, 10**10),
    counted=st.integers(0, 10**11),
)
def test_expected_plus_selisih_is_what_was_counted(opening, sales, cash_in, out, counted):
    if out > opening + sales + cash_in:
        with pytest.raises(ShiftError):
            expected_cash(opening_float=opening, cash_sales=sales, cash_in=cash_in, cash_out=out)
        return
    expected = expected_cash(opening_float=opening, cash_sales=sales, cash_in=cash_in, cash_out=out)
    close = close_shift(ShiftStatus.OPEN, expected=expected, counted=counted)
    assert close.expected + close.difference == counted
    # Posting the difference to Kas moves the books' cash to exactly what was counted.
    signed = {Side.DEBIT: close.amount, Side.CREDIT: -close.amount, None: 0}[close.cash_side]
    assert expected + signed == counted
    assert (close.selisih is Selisih.NONE) == (close.amount == 0)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.dictionaries(st.sampled_from(DENOMINATIONS), st.integers(0, 10_000)))
def test_count_sheet_is_the_sum_of_its_rows(counts):
    assert count_denominations(counts) == sum(d * 100 * n for d, n in counts.items())
