"""domain.sale: lines, totals, below cost, payments, change, bon, returns and voids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.sale import (
    BON,
    CASH,
    LineInput,
    Payment,
    SaleError,
    check_below_cost,
    check_credit_limit,
    choose_price,
    line_gross,
    normalize_method,
    price_line,
    price_return,
    price_sale,
    settle_payments,
    split_refund,
    void_refund,
)


@pytest.mark.parametrize(
    ("quantity", "price", "per", "unit", "gross"),
    [
        (2, 350_000, 1, 100, 700_000),  # 2 pieces of Rp3.500
        (2_500, 1_450_000, 1000, 100, 3_625_000),  # 2,5 kg of sugar at Rp14.500/kg
        (333, 1_450_000, 1000, 100, 482_900),  # Rp4.828,50 -> Rp4.829 (half up)
        (333, 1_450_000, 1000, 1, 482_850),  # to the sen when asked
        (1, 0, 1, 100, 0),  # a free item
    ],
)
def test_line_gross_rounds_half_up_to_the_rupiah(quantity, price, per, unit, gross):
    assert line_gross(quantity, price, per, unit=unit) == gross


def test_member_price_only_for_members_and_only_when_set():
    assert choose_price(is_member=True, member_price=9_000_00, public_price=10_000_00) == 900_000
    assert choose_price(is_member=False, member_price=9_000_00, public_price=10_000_00) == 1_000_000
    assert choose_price(is_member=True, member_price=None, public_price=10_000_00) == 1_000_000


def test_sale_discount_is_spread_over_lines_and_totals_add_up():
    totals = price_sale(
        [LineInput(1, 1_000_000, cost=800_000), LineInput(2, 500_000, discount=100_000)],
        sale_discount=100_000,
    )
    assert [line.net for line in totals.lines] == [947_368, 852_632]  # 52.631,58 and 47.368,42 sen
    assert totals.gross == 2_000_000
    assert totals.discount == 200_000
    assert totals.total == 1_800_000 == sum(line.net for line in totals.lines)
    assert totals.cost is None  # the second line's cost is unknown
    assert not totals.needs_below_cost_permission


def test_below_cost_needs_the_permission():
    totals = price_sale([LineInput(1, 1_000_000, cost=900_000, discount=200_000)])
    assert totals.lines[0].below_cost and totals.needs_below_cost_permission
    assert totals.cost == 900_000
    check_below_cost(totals, may_sell_below_cost=True)
    with pytest.raises(SaleError) as err:
        check_below_cost(totals, may_sell_below_cost=False)
    assert err.value.code == "below_cost" and "baris 1" in err.value.message


@pytest.mark.parametrize(
    ("call", "code", "hint"),
    [
        (lambda: price_sale([]), "empty", "belum berisi"),
        (lambda: price_line(LineInput(0, 100)), "quantity", "lebih dari nol"),
        (lambda: price_line(LineInput(-2, 100)), "quantity", "lebih dari nol"),
        (lambda: price_line(LineInput(1.5, 100)), "quantity", "bilangan bulat"),  # type: ignore[arg-type]
        (lambda: price_line(LineInput(1, -100)), "price", "negatif"),
        (lambda: price_line(LineInput(1, 100, discount=200)), "discount", "melebihi"),
        (lambda: price_sale([LineInput(1, 100)], sale_discount=200), "discount", "melebihi"),
        (lambda: normalize_method("QR IS"), "method", "cara bayar"),
        (lambda: settle_payments(1000, [Payment("cash", 0)], is_member=False), "amount", "nol"),
        (
            lambda: settle_payments(1000, [Payment("qris", 1500)], is_member=False),
            "overpaid",
            "hanya tunai",
        ),
        (
            lambda: settle_payments(1000, [Payment("cash", 900)], is_member=False),
            "underpaid",
            "kurang Rp 1",
        ),
        (
            lambda: settle_payments(
                1000, [Payment("qris", 1000), Payment("cash", 500)], is_member=False
            ),
            "overpaid",
            "lunas tanpa uang tunai",
        ),
        (
            lambda: settle_payments(1000, [Payment("bon", 1000)], is_member=False),
            "not_member",
            "anggota",
        ),
        (
            lambda: settle_payments(
                100_000, [Payment("bon", 100_000)], is_member=True, credit_limit=50_000
            ),
            "credit_limit",
            "sisa batas bon",
        ),
    ],
)
def test_bad_sales_are_refused_in_indonesian(call, code, hint):
    with pytest.raises(SaleError) as err:
        call()
    assert err.value.code == code
    assert hint in err.value.message


def test_cash_with_change_and_split_payment():
    paid = settle_payments(4_750_000, [Payment("CASH", 5_000_000)], is_member=False)
    assert (paid.cash_tendered, paid.cash, paid.change) == (5_000_000, 4_750_000, 250_000)
    split = settle_payments(
        4_750_000,
        [Payment("bon", 2_000_000), Payment("qris", 1_000_000), Payment("cash", 2_000_000)],
        is_member=True,
        credit_limit=5_000_000,
        current_bon=3_000_000,
    )
    assert split.by_method == {BON: 2_000_000, "qris": 1_000_000, CASH: 1_750_000}
    assert split.change == 250_000
    assert settle_payments(0, [], is_member=False).by_method == {}


@pytest.mark.parametrize(
    ("limit", "current", "amount", "left"),
    [(500_000_00, 0, 500_000_00, 0), (500_000_00, 200_000_00, 100_000_00, 200_000_00)],
)
def test_credit_limit_returns_what_is_left(limit, current, amount, left):
    assert check_credit_limit(limit=limit, current_bon=current, amount=amount) == left


def test_credit_limit_zero_or_already_over_allows_no_bon():
    for limit, current in ((0, 0), (100, 500)):
        with pytest.raises(SaleError, match="sisa batas bon anggota Rp 0"):
            check_credit_limit(limit=limit, current_bon=current, amount=1)


def test_return_refunds_bon_first_then_cash_and_void_mirrors_the_payment():
    totals = price_sale([LineInput(3, 1_000)])
    line = totals.lines[0]
    parts = [price_return(line, returned_before=n, quantity=1).refund for n in range(3)]
    assert sum(parts) == line.net == 3_000
    paid = settle_payments(3_000, [Payment("bon", 1_000), Payment("cash", 5_000)], is_member=True,
                           credit_limit=10_000)  # fmt: skip
    assert split_refund(1_500, paid=paid) == {BON: 1_000, CASH: 500}
    assert split_refund(1_500, paid=paid, refunded_before={BON: 1_000, CASH: 500}) == {CASH: 1_500}
    with pytest.raises(SaleError) as err:
        split_refund(1, paid=paid, refunded_before={BON: 1_000, CASH: 2_000})
    assert err.value.code == "refund"
    with pytest.raises(SaleError) as err:
        price_return(line, returned_before=2, quantity=2)
    assert err.value.code == "returned"
    assert void_refund(paid) == {BON: 1_000, CASH: 2_000}


# --- properties -------------------------------------------------------------------------

line_inputs = st.builds(
    LineInput,
    quantity=st.integers(1, 100_000),
    price=st.integers(0, 10_000_000),
    per=st.sampled_from([1, 1, 100, 1000]),
    discount=st.just(0),
    cost=st.one_of(st.none(), st.integers(0, 10**9)),
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(line_inputs, min_size=1, max_size=15), st.integers(0, 10**4))
def test_lines_always_add_up_to_the_total(lines, discount_bp):
    subtotal = sum(price_line(line).net for line in lines)
    discount = subtotal * discount_bp // 10_000
    totals = price_sale(lines, sale_discount=discount)
    assert totals.total == subtotal - discount == sum(line.net for line in totals.lines)
    assert all(0 <= line.net <= line.gross for line in totals.lines)
    assert all(line.gross % 100 == 0 for line in totals.lines)
    for line in totals.lines:
        assert line.below_cost == (line.cost is not None and line.net < line.cost)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    total=st.integers(0, 10**9),
    cuts=st.lists(st.integers(0, 10**9), max_size=3),
    extra_cash=st.integers(0, 10**6),
)
def test_change_is_exactly_what_was_tendered_over_the_total(total, cuts, extra_cash):
    methods = ["qris", "transfer", BON]
    payments: list[Payment] = []
    left = total
    for method, cut in zip(methods, cuts, strict=False):
        amount = min(cut, left)
        if amount:
            payments.append(Payment(method, amount))
            left -= amount
    if left:
        payments.append(Payment(CASH, left + extra_cash))
    paid = settle_payments(total, payments, is_member=True, credit_limit=10**9)
    assert sum(paid.by_method.values()) == total
    assert paid.cash_tendered - paid.change == paid.cash
    assert paid.change == (extra_cash if left else 0)
    assert sum(void_refund(paid).values()) == total


@settings(max_examples=200, derandomize=True, deadline=None)
@given(line_inputs, st.lists(st.integers(1, 50), max_size=20))
def test_returning_a_line_in_any_parts_refunds_exactly_its_net(line_input, parts):
    line = price_line(line_input)
    returned = refunded = 0
    for part in parts:
        part = min(part, line.quantity - returned)
        if not part:
            break
        refunded += price_return(line, returned_before=returned, quantity=part).refund
        returned += part
    if returned < line.quantity:
        refunded += price_return(
            line, returned_before=returned, quantity=line.quantity - returned
        ).refund
    assert refunded == line.net
