"""domain.consignment: titip jual statements, commission, payout, exact rounding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.consignment import (
    CommissionKind,
    ConsignedSale,
    ConsignmentError,
    Terms,
    settle_consignment,
    stock_difference,
)

KERIPIK = ConsignedSale("Keripik singkong 200 g", 30, 30 * 12_000_00, consignor_price=10_000_00)
SAMBAL = ConsignedSale("Sambal roa", 7, 7 * 25_000_00, consignor_price=21_500_00)


def test_consignor_price_pays_quantity_times_price_and_the_koperasi_keeps_the_rest():
    statement = settle_consignment([KERIPIK, SAMBAL], Terms(CommissionKind.CONSIGNOR_PRICE))
    assert [(line.payout, line.commission) for line in statement.lines] == [
        (300_000_00, 60_000_00),
        (150_500_00, 24_500_00),
    ]
    assert statement.sales == 535_000_00
    assert statement.payout == 450_500_00
    assert statement.commission == 84_500_00


def test_percent_commission_is_rounded_once_on_the_total_and_split_exactly():
    # 12,5% of Rp10,01 + Rp10,01 + Rp10,01 = 375,375 sen -> 375 sen, split 125/125/125.
    lines = [ConsignedSale(f"item {i}", 1, 1_001) for i in range(3)]
    statement = settle_consignment(lines, Terms(CommissionKind.PERCENT, rate_bp=1_250))
    assert statement.commission == 375
    assert [line.commission for line in statement.lines] == [125, 125, 125]
    assert statement.payout == 3_003 - 375
    # 10% of 5 + 5 + 5 sen = 1,5 -> 2 sen: the first two lines carry 1 sen each.
    small = [ConsignedSale(f"s{i}", 1, 5) for i in range(3)]
    split = settle_consignment(small, Terms(CommissionKind.PERCENT, rate_bp=1000))
    assert [x.commission for x in split.lines] == [1, 1, 0]


def test_fixed_margin_per_unit_and_deductions():
    statement = settle_consignment(
        [ConsignedSale("Telur asin", 1_000, 3_000_000)],  # sold by the piece, Rp3.000 each
        Terms(CommissionKind.FIXED_MARGIN, margin=50_000, per=100),  # Rp500 per 100 pieces
        deductions=10_000,
    )
    line = statement.lines[0]
    assert (line.commission, line.payout) == (500_000, 2_500_000)
    assert (statement.deductions, statement.payout) == (10_000, 2_490_000)


def test_no_sales_in_the_period_settles_to_zero():
    statement = settle_consignment(
        [ConsignedSale("x", 0, 0)], Terms(CommissionKind.PERCENT, rate_bp=1000)
    )
    assert (statement.sales, statement.commission, statement.payout) == (0, 0, 0)
    assert settle_consignment([], Terms(CommissionKind.PERCENT, rate_bp=1000)).payout == 0


@pytest.mark.parametrize(
    ("call", "code", "hint"),
    [
        (lambda: Terms("gratis"), "kind", "tidak dikenal"),  # type: ignore[arg-type]
        (lambda: Terms(CommissionKind.PERCENT, rate_bp=10_001), "rate", "100%"),
        (lambda: Terms(CommissionKind.PERCENT, rate_bp=-1), "rate", "negatif"),
        (lambda: Terms(CommissionKind.FIXED_MARGIN, margin=5, per=0), "quantity", "lebih dari nol"),
        (
            lambda: settle_consignment(
                [ConsignedSale("x", 10, 100)], Terms(CommissionKind.FIXED_MARGIN, margin=11)
            ),
            "margin",
            "melebihi nilai penjualannya",
        ),
        (
            lambda: settle_consignment(
                [ConsignedSale("x", 1, 100)],
                Terms(CommissionKind.PERCENT, rate_bp=1000),
                deductions=91,
            ),
            "payout",
            "melebihi hak penitip",
        ),
        (
            lambda: settle_consignment(
                [ConsignedSale("x", -1, 100)], Terms(CommissionKind.PERCENT)
            ),
            "quantity",
            "negatif",
        ),
        (
            lambda: stock_difference(received=10, sold=8, returned=3, counted=0),
            "stock",
            "melebihi yang diterima",
        ),
    ],
)
def test_bad_settlements_are_refused_in_indonesian(call, code, hint):
    with pytest.raises(ConsignmentError) as err:
        call()
    assert err.value.code == code
    assert hint in err.value.message


def test_missing_consignment_stock():
    assert stock_difference(received=50, sold=30, returned=5, counted=13) == 2
    assert stock_difference(received=50, sold=30, returned=5, counted=15) == 0


# --- properties -------------------------------------------------------------------------

consigned = st.builds(
    ConsignedSale,
    item=st.just("x"),
    quantity=st.integers(0, 10_000),
    sales=st.integers(0, 10**9),
    consignor_price=st.integers(0, 10**5),
    per=st.sampled_from([1, 10, 1000]),
)
terms = st.one_of(
    st.builds(Terms, kind=st.just(CommissionKind.PERCENT), rate_bp=st.integers(0, 10_000)),
    st.builds(Terms, kind=st.just(CommissionKind.CONSIGNOR_PRICE)),
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(consigned, max_size=15), terms)
def test_every_sen_of_sales_is_either_commission_or_payout(lines, agreed):
    statement = settle_consignment(lines, agreed)
    assert statement.sales == sum(line.sales for line in lines)
    assert statement.sales == statement.commission + statement.payout
    for line in statement.lines:
        assert line.sales == line.commission + line.payout
    if agreed.kind is CommissionKind.PERCENT:
        exact = statement.sales * agreed.rate_bp
        assert abs(statement.commission * 10_000 - exact) <= 5_000
        for line in statement.lines:
            # Each line is within a sen of its exact share of the commission.
            assert abs(line.commission * 10_000 - line.sales * agreed.rate_bp) < 10_000 + 5_000
    else:
        for line, sale in zip(statement.lines, lines, strict=True):
            exact = sale.quantity * sale.consignor_price
            assert abs(line.payout * sale.per - exact) * 2 <= sale.per


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(consigned, min_size=1, max_size=10), st.integers(0, 10**9))
def test_deductions_never_make_the_payout_negative(lines, deductions):
    agreed = Terms(CommissionKind.PERCENT, rate_bp=1_000)
    before = settle_consignment(lines, agreed).payout
    if deductions > before:
        with pytest.raises(ConsignmentError):
            settle_consignment(lines, agreed, deductions=deductions)
        return
    after = settle_consignment(lines, agreed, deductions=deductions)
    assert after.payout == before - deductions >= 0
    assert after.commission + after.deductions + after.payout == after.sales
