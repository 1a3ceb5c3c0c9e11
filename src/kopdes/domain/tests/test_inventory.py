"""domain.inventory: movements, moving-average cost, exact valuation."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.inventory import (
    InventoryError,
    MovementKind,
    StockPosition,
    adjust_to_count,
    apply,
    issue,
    receive,
    replay,
    return_from_customer,
    returned_cost,
    stock_valuation,
    transfer,
)


def test_receipts_blend_the_average_and_a_sale_costs_the_average():
    # 10 kg sugar at Rp14.000/kg, then 10 kg at Rp15.000/kg: average Rp14.500/kg.
    p = receive(StockPosition(), 10_000, 14_000_00 * 10).after
    p = receive(p, 10_000, 15_000_00 * 10).after
    assert p == StockPosition(20_000, 29_000_000)
    assert p.unit_cost(per=1000) == 1_450_000
    sale = issue(p, 2_500)  # 2,5 kg
    assert sale.kind is MovementKind.SALE
    assert sale.value == 3_625_000  # Rp36.250
    assert sale.after == StockPosition(17_500, 25_375_000)


@pytest.mark.parametrize(
    ("position", "quantity", "cost"),
    [
        # 3 pieces worth Rp10.000: one costs 333.33.. sen -> 333 (half-up).
        (StockPosition(3, 1_000), 1, 333),
        (StockPosition(3, 1_000), 2, 667),
        (StockPosition(3, 1_000), 3, 1_000),  # the last piece takes the rest
        (StockPosition(2, 3), 1, 2),  # 1,5 sen rounds half up
        (StockPosition(7, 0), 3, 0),  # free goods cost nothing
    ],
)
def test_issue_rounds_half_up_and_the_last_unit_takes_the_rest(position, quantity, cost):
    assert issue(position, quantity).value == cost


def test_receipt_at_a_lower_cost_lowers_the_average():
    p = receive(StockPosition(10, 10_000), 10, 0).after  # a bonus of 10 free pieces
    assert p.average_cost == Fraction(500)
    p = receive(StockPosition(10, 10_000), 10, 40_000).after
    assert p.average_cost == Fraction(2_500)


@pytest.mark.parametrize(
    ("call", "code", "hint"),
    [
        (lambda: issue(StockPosition(5, 500), 6), "insufficient", "tersedia 5"),
        (lambda: issue(StockPosition(5, 500), 0), "quantity", "lebih dari nol"),
        (lambda: issue(StockPosition(5, 500), -1), "quantity", "lebih dari nol"),
        (lambda: issue(StockPosition(5, 500), 1.5), "quantity", "bilangan bulat"),  # type: ignore[arg-type]
        (lambda: receive(StockPosition(), 5, -1), "cost", "negatif"),
        (lambda: receive(StockPosition(), True, 1), "quantity", "bilangan bulat"),
        (lambda: StockPosition(0, 5), "cost", "Stok kosong"),
        (lambda: StockPosition(-1, 0), "quantity", "negatif"),
        (lambda: adjust_to_count(StockPosition(), 5), "no_cost", "harga pokok"),
        (lambda: adjust_to_count(StockPosition(), 5, unit_cost=-1), "cost", "negatif"),
        (lambda: adjust_to_count(StockPosition(2, 2), -1), "quantity", "negatif"),
        (lambda: receive(StockPosition(), 10**16, 1), "quantity", "terlalu besar"),
    ],
)
def test_bad_movements_are_refused_in_indonesian(call, code, hint):
    with pytest.raises(InventoryError) as err:
        call()
    assert err.value.code == code
    assert hint in err.value.message


def test_consigned_goods_carry_no_cost():
    p = receive(StockPosition(), 24, 0, kind=MovementKind.CONSIGNMENT_IN).after
    assert issue(p, 10).value == 0
    assert issue(p, 4, kind=MovementKind.CONSIGNMENT_OUT).after == StockPosition(20, 0)
    with pytest.raises(InventoryError) as err:
        receive(StockPosition(), 24, 1, kind=MovementKind.CONSIGNMENT_IN)
    assert err.value.code == "cost" and "titipan" in err.value.message


def test_movement_kind_must_fit_the_direction():
    with pytest.raises(ValueError):
        issue(StockPosition(1, 1), 1, kind=MovementKind.RECEIPT)
    with pytest.raises(ValueError):
        receive(StockPosition(), 1, 1, kind=MovementKind.SALE)


@pytest.mark.parametrize(
    ("position", "counted", "kind", "quantity", "value"),
    [
        (StockPosition(10, 1_000), 8, MovementKind.ADJUSTMENT_OUT, 2, 200),
        (StockPosition(10, 1_000), 13, MovementKind.ADJUSTMENT_IN, 3, 300),
        (StockPosition(3, 1_000), 4, MovementKind.ADJUSTMENT_IN, 1, 333),
        (StockPosition(3, 1_000), 0, MovementKind.ADJUSTMENT_OUT, 3, 1_000),
    ],
)
def test_stock_count_difference_is_valued_at_the_average(position, counted, kind, quantity, value):
    movement = adjust_to_count(position, counted)
    assert movement is not None
    assert (movement.kind, movement.quantity, movement.value) == (kind, quantity, value)
    assert movement.after.quantity == counted


def test_count_that_agrees_moves_nothing_and_surplus_on_empty_item_uses_given_cost():
    assert adjust_to_count(StockPosition(4, 40), 4) is None
    movement = adjust_to_count(StockPosition(), 3, unit_cost=Fraction(1001, 2))
    assert movement is not None and movement.value == 1502  # 1501,5 -> 1502


def test_partial_customer_returns_bring_back_exactly_the_line_cost():
    # 3 pieces sold for an HPP of 1.000 sen, returned one at a time.
    parts = [returned_cost(3, 1_000, returned_before=n, quantity=1) for n in range(3)]
    assert parts == [333, 334, 333]
    assert sum(parts) == 1_000
    movement = return_from_customer(StockPosition(), 1, parts[0])
    assert movement.kind is MovementKind.SALE_RETURN and movement.after == StockPosition(1, 333)
    with pytest.raises(InventoryError) as err:
        returned_cost(3, 1_000, returned_before=2, quantity=2)
    assert err.value.code == "sold" and "sisa yang boleh diretur 1" in err.value.message


def test_transfer_moves_value_without_gain_or_loss():
    out, into = transfer(StockPosition(3, 1_000), StockPosition(1, 500), 2)
    assert out.value == into.value == 667
    assert out.after.value + into.after.value == 1_500


def test_replay_checks_every_stored_cost():
    history = [
        (MovementKind.RECEIPT, 3, 1_000),
        (MovementKind.SALE, 1, 333),
        (MovementKind.SALE, 2, 667),
    ]
    assert replay(history) == StockPosition()
    with pytest.raises(InventoryError) as err:
        replay([*history[:2], (MovementKind.SALE, 1, 300)])
    assert err.value.code == "replay" and "ke-3" in err.value.message
    assert stock_valuation([StockPosition(1, 5), StockPosition(2, 7)]) == 12


# --- properties -------------------------------------------------------------------------

steps = st.lists(
    st.tuples(
        st.sampled_from(list(MovementKind)),
        st.integers(1, 10_000),  # quantity (or, for an opname, the counted quantity)
        st.integers(0, 50_000_000),  # cost of an incoming movement, sen
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(steps)
def test_valuation_equals_receipts_less_issues_exactly(plan):
    position = StockPosition()
    incoming = outgoing = 0
    for kind, quantity, cost in plan:
        if kind is MovementKind.CONSIGNMENT_IN:
            cost = 0
        if kind.incoming:
            movement = apply(position, kind, quantity, cost)
            incoming += movement.value
        elif kind is MovementKind.ADJUSTMENT_OUT:
            counted = adjust_to_count(position, quantity % (position.quantity + 1))
            if counted is None:
                continue
            movement = counted
            outgoing += movement.value
        else:
            if position.quantity == 0:
                with pytest.raises(InventoryError):
                    issue(position, quantity, kind=kind)
                continue
            q = (quantity - 1) % position.quantity + 1
            movement = issue(position, q, kind=kind)
            average = position.average_cost
            assert average is not None
            # Each issue is within half a sen of the exact average cost.
            assert abs(movement.value - average * q) <= Fraction(1, 2)
            outgoing += movement.value
        position = movement.after
        assert position.value == incoming - outgoing
        assert position.value >= 0
        if position.quantity == 0:
            assert position.value == 0


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.integers(1, 10**6),
    st.integers(0, 10**10),
    st.lists(st.integers(1, 10**6), min_size=1, max_size=20),
)
def test_issuing_everything_in_any_parts_costs_exactly_the_value(quantity, value, cuts):
    position = StockPosition(quantity, value if quantity else 0)
    total = 0
    for cut in cuts:
        if position.quantity == 0:
            break
        movement = issue(position, min(cut, position.quantity))
        total += movement.value
        position = movement.after
    if position.quantity:
        total += issue(position, position.quantity).value
    assert total == value


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(1, 10**6), st.integers(0, 10**10), st.lists(st.integers(1, 50), max_size=30))
def test_returning_a_line_in_any_parts_brings_back_its_whole_cost(sold, cost, parts):
    returned = total = 0
    for part in parts:
        part = min(part, sold - returned)
        if part == 0:
            break
        total += returned_cost(sold, cost, returned_before=returned, quantity=part)
        returned += part
    if returned < sold:
        total += returned_cost(sold, cost, returned_before=returned, quantity=sold - returned)
    assert total == cost


@settings(max_examples=200, derandomize=True, deadline=None)
@given(steps)
def test_replaying_a_recorded_history_gives_the_same_position(plan):
    position = StockPosition()
    history = []
    for kind, quantity, cost in plan:
        if kind is MovementKind.CONSIGNMENT_IN:
            cost = 0
        if not kind.incoming:
            if position.quantity == 0:
                continue
            quantity = (quantity - 1) % position.quantity + 1
        movement = apply(position, kind, quantity, cost)
        history.append((kind, movement.quantity, movement.value))
        position = movement.after
    assert replay(history) == position
