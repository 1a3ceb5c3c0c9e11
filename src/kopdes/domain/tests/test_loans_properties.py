"""Property tests for the loan engine (hypothesis, derandomised: the same cases every run).

Also cross-checks anuitas against numpy-financial: the reference works in binary floating
point, so figures are compared within a stated number of sen, never exactly.
"""

from __future__ import annotations

from fractions import Fraction

import numpy_financial as npf  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.loans import (
    DEFAULT_BUCKETS,
    DEFAULT_COLLATERAL_FACTORS,
    DEFAULT_PPAP_RATES,
    Collateral,
    CollateralBinding,
    InstallmentDue,
    Kolektibilitas,
    LoanMethod,
    LoanTerms,
    PrepaymentMode,
    Rounding,
    allocate_payment,
    allocate_to_installments,
    annuity_payment,
    build_schedule,
    kolektibilitas,
    penalty,
    ppap_required,
    recalculate_after_prepayment,
    round_half_up,
)

STEP = {
    Rounding.SEN: 1,
    Rounding.RUPIAH: 100,
    Rounding.UP_100: 10_000,
    Rounding.UP_1000: 100_000,
    Rounding.DOWN_100: 10_000,
    Rounding.DOWN_1000: 100_000,
    Rounding.DOWN_10000: 1_000_000,
}
INTEREST_UNIT = {rounding: 1 if rounding is Rounding.SEN else 100 for rounding in Rounding}
DOWN = (Rounding.DOWN_100, Rounding.DOWN_1000, Rounding.DOWN_10000)

rates = st.one_of(
    # per period, 0 to 5% in basis points
    st.integers(0, 500).map(lambda bp: Fraction(bp, 10_000)),
    # a yearly rate 0-36% with two decimals, divided by 12
    st.integers(0, 3600).map(lambda c: Fraction(c, 100 * 100 * 12)),
)


@st.composite
def loan_terms(draw: st.DrawFn) -> LoanTerms:
    term = draw(st.integers(1, 120))
    return LoanTerms(
        method=draw(st.sampled_from(LoanMethod)),
        principal=draw(st.integers(1, 10**13)),
        rate=draw(rates),
        term=term,
        rounding=draw(st.sampled_from(Rounding)),
        grace_periods=draw(st.integers(0, min(term - 1, 8))),
    )


@given(loan_terms())
@settings(max_examples=200, derandomize=True, deadline=None)
def test_every_schedule_repays_exactly_the_principal_and_ends_at_zero(terms: LoanTerms) -> None:
    schedule = build_schedule(terms)
    rows = schedule.installments
    assert len(rows) == terms.term
    assert [r.period for r in rows] == list(range(1, terms.term + 1))
    assert sum(r.principal for r in rows) == terms.principal
    assert rows[-1].balance == 0
    previous = terms.principal
    for row in rows:
        assert row.principal >= 0 and row.interest >= 0 and row.balance >= 0
        assert row.installment == row.principal + row.interest
        assert row.balance == previous - row.principal
        assert row.balance <= previous
        previous = row.balance
    assert schedule.total_paid == terms.principal + schedule.total_interest


@given(loan_terms())
@settings(max_examples=150, derandomize=True, deadline=None)
def test_interest_follows_the_method(terms: LoanTerms) -> None:
    rows = build_schedule(terms).installments
    unit = INTEREST_UNIT[terms.rounding]
    balance = terms.principal
    flat = round_half_up(terms.principal * terms.rate, unit)
    if flat * (terms.term - 1) > round_half_up(terms.principal * terms.rate * terms.term):
        # A tiny loan over many periods: each period rounds down, so the last is not < 0.
        flat = terms.principal * terms.rate // unit * unit
    for row in rows:
        if terms.method is LoanMethod.FLAT:
            if row.period < terms.term:
                assert row.interest == flat
        else:
            assert row.interest == round_half_up(balance * terms.rate, unit)
        balance = row.balance


@given(loan_terms())
@settings(max_examples=150, derandomize=True, deadline=None)
def test_installments_respect_the_rounding_step_and_anuitas_stays_constant(
    terms: LoanTerms,
) -> None:
    rows = build_schedule(terms).installments
    step = STEP[terms.rounding]
    grace = terms.grace_periods
    for row in rows[:grace]:
        assert row.principal == 0
    # Rows before the last that leave a balance were not clamped: they pay the target.
    regular = [r for r in rows[grace:-1] if r.balance > 0]
    for row in regular:
        # Rounding down may leave the installment under the jasa: then it is the jasa only.
        assert row.installment % step == 0 or (terms.rounding in DOWN and row.principal == 0)
    if terms.method is LoanMethod.ANUITAS and regular:
        assert len({r.installment for r in regular}) == 1
        exact = annuity_payment(terms.principal, terms.rate, terms.term - grace)
        if terms.rounding in (Rounding.UP_100, Rounding.UP_1000):
            assert exact <= regular[0].installment < exact + step
        elif terms.rounding in DOWN and regular[0].principal > 0:
            assert exact - step < regular[0].installment <= exact
        else:
            assert abs(regular[0].installment - exact) <= Fraction(step, 2)
    if terms.method is LoanMethod.FLAT and regular:
        assert len({r.installment for r in regular}) == 1
        exact = Fraction(terms.principal, terms.term - grace) + terms.principal * terms.rate
        if terms.rounding in DOWN and regular[0].principal > 0:
            # Rounded down: never more than the formula; the last installment takes the rest.
            assert exact - step < regular[0].installment <= exact
            assert rows[-1].principal >= regular[0].principal


@given(
    principal=st.integers(100_000_00, 10**12),
    annual_bp=st.integers(1, 3600),
    term=st.integers(1, 60),
)
@settings(max_examples=200, derandomize=True, deadline=None)
def test_anuitas_agrees_with_numpy_financial(principal: int, annual_bp: int, term: int) -> None:
    rate = Fraction(annual_bp, 10_000 * 12)
    terms = LoanTerms(LoanMethod.ANUITAS, principal, rate, term, rounding=Rounding.SEN)
    rows = build_schedule(terms).installments
    rate_as_binary = rate.numerator / rate.denominator  # the reference only takes floats
    reference = npf.pmt(rate_as_binary, term, -principal)
    # The reference loses digits at tiny rates ((1+r)^n - 1 cancels), about one part in
    # 10^10 of the amount; allow that on top of a sen a period for our rounded balances.
    slack = 1 + principal // 10**10
    if term > 1:
        assert abs(rows[0].installment - reference) <= slack  # same A, to the sen
    for row in rows[:-1]:
        ipmt = npf.ipmt(rate_as_binary, row.period, term, -principal)
        ppmt = npf.ppmt(rate_as_binary, row.period, term, -principal)
        # Our balances are rounded to the sen every month; the reference's are not, so the
        # gap may grow by at most a sen a period.
        assert abs(row.interest - ipmt) <= row.period + slack
        assert abs(row.principal - ppmt) <= row.period + slack


@given(loan_terms(), st.data())
@settings(max_examples=200, derandomize=True, deadline=None)
def test_prepayment_keeps_the_principal_exact(terms: LoanTerms, data: st.DataObject) -> None:
    schedule = build_schedule(terms)
    after = data.draw(st.integers(0, terms.term - 1))
    balance = schedule.balance_after(after)
    if balance == 0:
        return
    # Repaying everything before the first installment is a payoff, not a prepayment.
    limit = balance - 1 if after == 0 else balance
    if limit == 0:
        return
    prepayment = data.draw(st.integers(1, limit))
    mode = data.draw(st.sampled_from(PrepaymentMode))
    new = recalculate_after_prepayment(
        schedule, after_period=after, prepayment=prepayment, mode=mode
    )
    rows = new.installments
    assert rows[:after] == schedule.installments[:after]
    assert sum(r.principal for r in rows) + prepayment == terms.principal
    assert new.total_principal + new.prepaid == terms.principal
    assert new.terms.term == len(rows)
    second = after + 1
    if second < len(rows) and new.balance_after(second) > 1:
        # A second prepayment on the recalculated schedule keeps the books exact too.
        again = recalculate_after_prepayment(new, after_period=second, prepayment=1, mode=mode)
        assert again.total_principal + again.prepaid == terms.principal
        assert again.terms.term == len(again.installments)
    if prepayment == balance:
        assert len(rows) == after  # paid off: only the installments already paid remain
    else:
        assert rows[-1].balance == 0
    assert [r.period for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) <= terms.term
    if mode is PrepaymentMode.KEEP_TERM and prepayment < balance:
        assert len(rows) == terms.term


amounts = st.integers(0, 10**12)


@given(loan_terms())
@settings(max_examples=300, derandomize=True, deadline=None)
def test_a_flat_loans_jasa_is_exactly_principal_times_rate_times_term(terms: LoanTerms) -> None:
    """Every rounding mode: the jasa parts sum to P x i x n (half-up to the sen) and the
    pokok parts to P; the regular installments are whole steps (down modes: the remainder
    goes to the last installment, which is never smaller than a regular one)."""
    flat = LoanTerms(
        LoanMethod.FLAT,
        terms.principal,
        terms.rate,
        terms.term,
        rounding=terms.rounding,
        grace_periods=terms.grace_periods,
    )
    schedule = build_schedule(flat)
    rows = schedule.installments
    exact = flat.principal * flat.rate * flat.term
    assert schedule.total_interest == round_half_up(exact)
    assert abs(schedule.total_interest - exact) <= Fraction(1, 2)
    assert schedule.total_principal == flat.principal
    assert all(r.interest >= 0 and r.principal >= 0 for r in rows)
    if flat.rounding in DOWN:
        regular = [r for r in rows[flat.grace_periods : -1] if r.principal > 0]
        for row in regular:
            assert row.installment % STEP[flat.rounding] == 0
            assert row.installment <= rows[-1].installment


dues_lists = st.lists(
    st.tuples(st.integers(0, 10**8), st.integers(0, 10**9), st.integers(0, 10**10)),
    max_size=12,
).map(lambda xs: [InstallmentDue(n + 1, *x) for n, x in enumerate(xs)])


@given(st.integers(0, 10**11), dues_lists)
@settings(max_examples=300, derandomize=True, deadline=None)
def test_a_payment_pays_the_oldest_installment_first_denda_jasa_pokok(
    amount: int, dues: list[InstallmentDue]
) -> None:
    parts, left = allocate_to_installments(amount, dues)
    assert sum(p.total for p in parts) + left == amount
    by_period = {d.period: d for d in dues}
    for n, part in enumerate(parts):
        due = by_period[part.period]
        assert 0 <= part.penalty <= due.penalty
        assert 0 <= part.interest <= due.interest
        assert 0 <= part.principal <= due.principal
        if part.interest:
            assert part.penalty == due.penalty
        if part.principal:
            assert part.interest == due.interest
        if n < len(parts) - 1 or left:
            # Anything reached a later installment only after this one was fully paid.
            assert part.total == due.penalty + due.interest + due.principal
    paid_periods = [p.period for p in parts]
    assert paid_periods == sorted(paid_periods)
    # Untouched installments come only after the last one paid (none skipped in between).
    owed = [d for d in dues if d.penalty + d.interest + d.principal]
    assert paid_periods == [d.period for d in owed[: len(paid_periods)]]
    if left:
        assert sum(p.total for p in parts) == sum(
            d.penalty + d.interest + d.principal for d in dues
        )


@given(amounts, amounts, amounts, amounts)
@settings(derandomize=True, deadline=None)
def test_allocation_pays_denda_then_jasa_then_pokok_and_never_over_allocates(
    amount: int, due_penalty: int, due_interest: int, due_principal: int
) -> None:
    a = allocate_payment(amount, due_penalty, due_interest, due_principal)
    assert a.penalty + a.interest + a.principal + a.excess == amount
    assert 0 <= a.penalty <= due_penalty
    assert 0 <= a.interest <= due_interest
    assert 0 <= a.principal <= due_principal
    assert a.excess >= 0
    if a.interest > 0:
        assert a.penalty == due_penalty
    if a.principal > 0:
        assert a.interest == due_interest
    if a.excess > 0:
        assert (a.penalty, a.interest, a.principal) == (due_penalty, due_interest, due_principal)


@st.composite
def buckets(draw: st.DrawFn) -> tuple[int, int, int, int]:
    first = draw(st.integers(0, 30))
    gaps = draw(st.lists(st.integers(1, 200), min_size=3, max_size=3))
    return (first, first + gaps[0], first + gaps[0] + gaps[1], first + sum(gaps))


@given(st.integers(0, 5000), st.integers(0, 5000), buckets(), st.booleans())
@settings(derandomize=True, deadline=None)
def test_kolektibilitas_never_improves_as_days_past_due_grow(
    a: int, b: int, bounds: tuple[int, int, int, int], restructured: bool
) -> None:
    low, high = sorted((a, b))
    assert kolektibilitas(low, bounds, restructured=restructured) <= kolektibilitas(
        high, bounds, restructured=restructured
    )
    assert kolektibilitas(low, bounds, restructured=True) >= Kolektibilitas.KURANG_LANCAR
    assert kolektibilitas(high, bounds) <= kolektibilitas(high, bounds, restructured=True)


@given(st.integers(0, 10**12), st.integers(0, 10**12), st.sampled_from(CollateralBinding))
@settings(derandomize=True, deadline=None)
def test_ppap_grows_with_the_class_and_never_exceeds_the_uncovered_principal(
    outstanding: int, appraised: int, binding: CollateralBinding
) -> None:
    collateral = Collateral(appraised, binding)
    eligible = appraised * DEFAULT_COLLATERAL_FACTORS[binding] // 10_000
    assert collateral.eligible() == eligible <= appraised
    amounts_by_class = [ppap_required(outstanding, klass, collateral) for klass in Kolektibilitas]
    # DPK to macet: the class rate on the outstanding less the eligible collateral.
    assert amounts_by_class[1:] == sorted(amounts_by_class[1:])
    assert 0 <= amounts_by_class[-1] == max(0, outstanding - eligible)
    # Lancar: the general reserve on the whole outstanding, less cash collateral only.
    cash = appraised if binding is CollateralBinding.CASH else 0
    assert amounts_by_class[0] == ppap_required(max(0, outstanding - cash), Kolektibilitas.LANCAR)
    if binding is not CollateralBinding.CASH:
        assert amounts_by_class[0] == ppap_required(outstanding, Kolektibilitas.LANCAR)
    assert kolektibilitas(0) is Kolektibilitas.LANCAR
    assert DEFAULT_PPAP_RATES[Kolektibilitas.MACET] == 10_000
    assert DEFAULT_BUCKETS == (0, 90, 120, 180)


@given(st.integers(0, 10**10), st.integers(0, 400), st.integers(0, 100), st.integers(0, 30))
@settings(derandomize=True, deadline=None)
def test_penalty_is_zero_within_grace_and_grows_with_days(
    overdue: int, days: int, rate_bp: int, grace: int
) -> None:
    today = penalty(overdue, days, rate_bp=rate_bp, per="day", grace_days=grace)
    tomorrow = penalty(overdue, days + 1, rate_bp=rate_bp, per="day", grace_days=grace)
    assert 0 <= today <= tomorrow
    if days <= grace:
        assert today == 0
