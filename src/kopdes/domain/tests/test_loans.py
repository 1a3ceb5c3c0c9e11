"""Unit tests for the loan engine: inputs, dates, payoff, prepayment, restructuring,
denda, allocation, days past due, kolektibilitas and PPAP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from kopdes.domain.loans import (
    Collateral,
    CollateralBinding,
    Frequency,
    Kolektibilitas,
    LoanError,
    LoanMethod,
    LoanTerms,
    PrepaymentMode,
    RatePer,
    Rounding,
    add_months,
    allocate_payment,
    build_schedule,
    days_past_due,
    format_sen_decimal,
    kolektibilitas,
    payoff_amount,
    penalty,
    periodic_rate,
    ppap_required,
    recalculate_after_prepayment,
    restructure,
    to_rate,
)

D = dt.date


START = D(2014, 3, 24)


def efektif_5jt(start: dt.date | None = START) -> LoanTerms:
    return LoanTerms(
        LoanMethod.EFEKTIF, 5_000_000_00, periodic_rate(22, per=RatePer.YEAR), 12, start_date=start
    )


# -- rates and inputs ---------------------------------------------------------------------


def test_rates_convert_yearly_to_monthly_and_weekly_exactly() -> None:
    assert periodic_rate(12, per="year") == Fraction(1, 100)
    assert periodic_rate("26", per="year", frequency="week") == Fraction(1, 200)
    assert periodic_rate("1,5") == Fraction(3, 200)
    assert periodic_rate(Decimal("1.2")) == Fraction(12, 1000)
    assert periodic_rate(1, per="month", frequency="week") == Fraction(12, 5200)


@pytest.mark.parametrize(
    "text", ["1x", "abc", "", "1e3", "nan", "1.000,5", "--1", "١", "１", "1_0", "Infinity"]
)
def test_rate_with_letters_or_garbage_is_refused_in_indonesian(text: str) -> None:
    with pytest.raises(LoanError, match="Suku bunga"):
        periodic_rate(text)


def test_binary_floats_are_refused_as_rates() -> None:
    with pytest.raises(LoanError):
        to_rate(0.1)  # type: ignore[arg-type]
    with pytest.raises(LoanError):
        LoanTerms(LoanMethod.FLAT, 100, 0.01, 12)  # type: ignore[arg-type]


def test_negative_rate_and_unknown_bases_are_refused() -> None:
    with pytest.raises(LoanError, match="negatif"):
        periodic_rate(-1)
    with pytest.raises(LoanError):
        periodic_rate(1, per="day")
    with pytest.raises(LoanError):
        periodic_rate(1, frequency="daily")
    with pytest.raises(LoanError, match="bulanan"):
        LoanTerms(LoanMethod.FLAT, 100, Fraction(0), 1, frequency="daily")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": 0}, "Pokok pinjaman harus lebih dari nol"),
        ({"principal": -5}, "Pokok pinjaman harus lebih dari nol"),
        ({"term": 0}, "Jangka waktu"),
        ({"term": 601}, "Jangka waktu"),
        ({"method": "syariah"}, "Metode 'syariah' tidak dikenal"),
        ({"rounding": "7"}, "Pembulatan '7' tidak dikenal"),
        ({"grace_periods": 12}, "Masa tenggang"),
        ({"rate": Fraction(-1, 100)}, "negatif"),
    ],
)
def test_bad_terms_are_refused_with_a_clear_message(
    changes: dict[str, object], message: str
) -> None:
    base: dict[str, object] = {
        "method": LoanMethod.FLAT,
        "principal": 1_000_000_00,
        "rate": Fraction(1, 100),
        "term": 12,
    }
    base.update(changes)
    with pytest.raises(LoanError, match=message):
        LoanTerms(**base)  # type: ignore[arg-type]


def test_method_and_rounding_accept_their_plain_names() -> None:
    terms = LoanTerms("Anuitas", 100_00, Fraction(0), 2, rounding="1000")  # type: ignore[arg-type]
    assert terms.method is LoanMethod.ANUITAS
    assert terms.rounding is Rounding.UP_1000


# -- dates --------------------------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 1, 31), 2) == D(2025, 3, 31)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


def test_due_dates_are_anchored_on_disbursement_without_drift() -> None:
    terms = LoanTerms(LoanMethod.FLAT, 1_200_000_00, Fraction(1, 100), 3, start_date=D(2025, 1, 31))
    dates = [row.due_date for row in build_schedule(terms).installments]
    assert dates == [D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30)]


def test_weekly_installments_fall_every_seven_days() -> None:
    terms = LoanTerms(
        LoanMethod.FLAT,
        520_000_00,
        periodic_rate(26, per="year", frequency="week"),
        4,
        frequency=Frequency.WEEK,
        start_date=D(2025, 7, 1),
    )
    rows = build_schedule(terms).installments
    assert [r.due_date for r in rows] == [
        D(2025, 7, 8),
        D(2025, 7, 15),
        D(2025, 7, 22),
        D(2025, 7, 29),
    ]
    assert rows[0].interest == 2_600_00  # 520.000 x 0,5%


# -- rounding and special schedules -------------------------------------------------------


def test_rounding_up_to_1000_makes_installments_whole_thousands() -> None:
    terms = LoanTerms(
        LoanMethod.ANUITAS, 5_000_000_00, Fraction(1, 100), 10, rounding=Rounding.UP_1000
    )
    rows = build_schedule(terms).installments
    assert {r.installment for r in rows[:-1]} == {528_000_00}  # 527.910,38 up to 528.000
    assert rows[-1].installment < 528_000_00
    assert sum(r.principal for r in rows) == 5_000_000_00


def test_zero_rate_loan_is_principal_only() -> None:
    for method in LoanMethod:
        rows = build_schedule(LoanTerms(method, 1_000_00, Fraction(0), 3)).installments
        assert [r.principal for r in rows] == [333_00, 333_00, 334_00]
        assert all(r.interest == 0 for r in rows)


def test_grace_periods_pay_interest_only() -> None:
    terms = LoanTerms(LoanMethod.ANUITAS, 12_000_000_00, Fraction(1, 200), 12, grace_periods=3)
    rows = build_schedule(terms).installments
    assert [r.principal for r in rows[:3]] == [0, 0, 0]
    assert [r.interest for r in rows[:3]] == [60_000_00] * 3
    assert rows[3].balance < 12_000_000_00
    assert rows[-1].balance == 0


def test_tiny_loan_with_big_rounding_step_stops_early_without_going_negative() -> None:
    terms = LoanTerms(LoanMethod.ANUITAS, 10_000_00, Fraction(1, 100), 24, rounding="1000")  # type: ignore[arg-type]
    rows = build_schedule(terms).installments
    assert sum(r.principal for r in rows) == 10_000_00
    assert all(r.balance >= 0 and r.principal >= 0 for r in rows)
    assert rows[-1].installment == 0  # paid off early by the rounded-up installments


def test_format_sen_decimal() -> None:
    assert format_sen_decimal(52_791_038) == "527910.38"
    assert format_sen_decimal(5) == "0.05"
    assert format_sen_decimal(-150) == "-1.50"


# -- payoff -------------------------------------------------------------------------------


def test_payoff_is_outstanding_principal_plus_interest_accrued_to_the_day() -> None:
    schedule = build_schedule(efektif_5jt())
    # Two installments paid in full (24 Apr and 24 May 2014); paying off on 10 June.
    payoff = payoff_amount(
        schedule,
        principal_paid=2 * 416_667_00,
        interest_paid=91_667_00 + 84_028_00,
        as_of=D(2014, 6, 10),
    )
    assert payoff.principal == 4_166_666_00
    # June's interest 76.389 x 17 of 31 days = 41.890,74 -> Rp41.891
    assert payoff.interest == 41_891_00
    assert payoff.total == 4_166_666_00 + 41_891_00


def test_payoff_includes_unpaid_due_interest_penalty_and_fee() -> None:
    schedule = build_schedule(efektif_5jt())
    payoff = payoff_amount(
        schedule,
        principal_paid=416_667_00,
        interest_paid=91_667_00,
        as_of=D(2014, 5, 24),  # second installment due today, unpaid
        penalty_due=5_000_00,
        fee_bp=100,
        accrue_current_period=False,
    )
    assert payoff.principal == 4_583_333_00
    assert payoff.interest == 84_028_00
    assert payoff.penalty == 5_000_00
    assert payoff.fee == 45_833_00  # 1% of 4.583.333 = 45.833,33 -> Rp45.833


def test_payoff_needs_due_dates_and_sane_amounts() -> None:
    with pytest.raises(LoanError, match="tanggal pencairan"):
        payoff_amount(
            build_schedule(efektif_5jt(start=None)),
            principal_paid=0,
            interest_paid=0,
            as_of=D(2025, 1, 1),
        )
    with pytest.raises(LoanError, match="melebihi"):
        payoff_amount(
            build_schedule(efektif_5jt()),
            principal_paid=6_000_000_00,
            interest_paid=0,
            as_of=D(2025, 1, 1),
        )


# -- prepayment ---------------------------------------------------------------------------


def test_prepayment_keeping_the_term_lowers_the_installment() -> None:
    terms = LoanTerms(LoanMethod.ANUITAS, 12_000_000_00, Fraction(1, 100), 12)
    schedule = build_schedule(terms)
    new = recalculate_after_prepayment(schedule, after_period=6, prepayment=3_000_000_00)
    assert len(new.installments) == 12
    assert new.installments[:6] == schedule.installments[:6]
    assert new.installments[6].installment < schedule.installments[6].installment
    assert new.installments[6].period == 7
    assert sum(r.principal for r in new.installments) == 12_000_000_00 - 3_000_000_00


def test_prepayment_keeping_the_installment_shortens_the_loan() -> None:
    terms = LoanTerms(LoanMethod.ANUITAS, 12_000_000_00, Fraction(1, 100), 12)
    schedule = build_schedule(terms)
    new = recalculate_after_prepayment(
        schedule,
        after_period=6,
        prepayment=3_000_000_00,
        mode=PrepaymentMode.KEEP_INSTALLMENT,
    )
    assert len(new.installments) < 12
    assert all(r.installment <= schedule.regular_installment for r in new.installments)
    assert new.installments[-1].balance == 0


def test_prepayment_of_the_whole_balance_closes_the_loan() -> None:
    schedule = build_schedule(efektif_5jt())
    balance = schedule.balance_after(3)
    closed = recalculate_after_prepayment(schedule, after_period=3, prepayment=balance)
    assert len(closed.installments) == 3
    assert closed.terms.term == 3
    assert closed.total_principal + closed.prepaid == 5_000_000_00
    with pytest.raises(LoanError, match="pelunasan penuh"):
        recalculate_after_prepayment(schedule, after_period=0, prepayment=5_000_000_00)


def test_prepayment_larger_than_balance_is_refused() -> None:
    schedule = build_schedule(efektif_5jt())
    with pytest.raises(LoanError, match="melebihi sisa pokok"):
        recalculate_after_prepayment(schedule, after_period=11, prepayment=500_000_00)


# -- restructuring ------------------------------------------------------------------------


def test_restructure_capitalises_arrears_and_marks_the_schedule() -> None:
    schedule = restructure(
        3_000_000_00,
        capitalised_interest=150_000_00,
        method="efektif",
        rate=periodic_rate(12, per="year"),
        term=18,
        grace_periods=2,
        start_date=D(2025, 8, 1),
    )
    assert schedule.restructured
    assert schedule.total_principal == 3_150_000_00
    assert schedule.installments[0].principal == 0
    assert schedule.installments[0].due_date == D(2025, 9, 1)
    assert kolektibilitas(0, restructured=schedule.restructured) is Kolektibilitas.KURANG_LANCAR


# -- denda and allocation -----------------------------------------------------------------


def test_penalty_per_day_and_per_month_with_grace() -> None:
    # 0,1% a day on Rp500.000 for 10 days, 3 grace days -> 7 days -> Rp3.500
    assert penalty(500_000_00, 10, rate_bp=10, per="day", grace_days=3) == 3_500_00
    # 3% a month (per 30 days) on Rp1.000.000 for 15 days -> Rp15.000
    assert penalty(1_000_000_00, 15, rate_bp=300) == 15_000_00
    assert penalty(1_000_000_00, 3, rate_bp=300, grace_days=3) == 0
    with pytest.raises(LoanError):
        penalty(1_000_00, 5, rate_bp=10, per="year")
    with pytest.raises(LoanError):
        penalty(-1, 5, rate_bp=10)


def test_repayment_pays_penalty_then_interest_then_principal() -> None:
    assert allocate_payment(100_000, 10_000, 30_000, 500_000) == (10_000, 30_000, 60_000, 0)
    assert allocate_payment(25_000, 10_000, 30_000, 500_000) == (10_000, 15_000, 0, 0)
    assert allocate_payment(600_000, 10_000, 30_000, 500_000) == (10_000, 30_000, 500_000, 60_000)
    with pytest.raises(LoanError):
        allocate_payment(-1, 0, 0, 0)


# -- days past due, kolektibilitas, PPAP ---------------------------------------------------


def test_days_past_due_counts_from_the_oldest_unpaid_installment() -> None:
    assert days_past_due(None, D(2025, 6, 1)) == 0
    assert days_past_due(D(2025, 6, 1), D(2025, 6, 1)) == 0
    assert days_past_due(D(2025, 6, 1), D(2025, 5, 1)) == 0
    assert days_past_due(D(2025, 5, 1), D(2025, 6, 1)) == 31


@pytest.mark.parametrize(
    ("dpd", "klass"),
    [
        (0, Kolektibilitas.LANCAR),
        (1, Kolektibilitas.DALAM_PERHATIAN_KHUSUS),
        (90, Kolektibilitas.DALAM_PERHATIAN_KHUSUS),
        (91, Kolektibilitas.KURANG_LANCAR),
        (120, Kolektibilitas.KURANG_LANCAR),
        (121, Kolektibilitas.DIRAGUKAN),
        (180, Kolektibilitas.DIRAGUKAN),
        (181, Kolektibilitas.MACET),
    ],
)
def test_kolektibilitas_default_buckets(dpd: int, klass: Kolektibilitas) -> None:
    assert kolektibilitas(dpd) is klass


def test_kolektibilitas_buckets_are_configurable_and_validated() -> None:
    koperasi_buckets = (7, 30, 60, 90)
    assert kolektibilitas(7, koperasi_buckets) is Kolektibilitas.LANCAR
    assert kolektibilitas(91, koperasi_buckets) is Kolektibilitas.MACET
    assert kolektibilitas(200, restructured=True) is Kolektibilitas.MACET
    assert Kolektibilitas.DALAM_PERHATIAN_KHUSUS.label == "Dalam perhatian khusus"
    with pytest.raises(LoanError):
        kolektibilitas(5, (0, 90, 90, 180))
    with pytest.raises(LoanError):
        kolektibilitas(5, (0, 90, 180))
    with pytest.raises(LoanError):
        kolektibilitas(-1)


def test_ppap_uses_the_class_rate_on_principal_less_collateral() -> None:
    assert ppap_required(10_000_000_00, Kolektibilitas.LANCAR) == 50_000_00  # 0,5%
    assert ppap_required(10_000_000_00, Kolektibilitas.DALAM_PERHATIAN_KHUSUS) == 300_000_00
    # Land under hak tanggungan appraised at Rp5.000.000 counts 80%: Rp4.000.000.
    land = Collateral(5_000_000_00, CollateralBinding.HAK_TANGGUNGAN)
    assert ppap_required(10_000_000_00, Kolektibilitas.KURANG_LANCAR, land) == 600_000_00
    cash = Collateral(12_000_000_00, CollateralBinding.CASH)
    assert ppap_required(10_000_000_00, Kolektibilitas.DIRAGUKAN, cash) == 0
    assert ppap_required(10_000_000_00, Kolektibilitas.MACET) == 10_000_000_00
    custom = dict.fromkeys(Kolektibilitas, 2500)
    assert ppap_required(1_000_00, Kolektibilitas.LANCAR, rates=custom) == 250_00
    with pytest.raises(LoanError):
        ppap_required(-1, Kolektibilitas.LANCAR)
    with pytest.raises(LoanError):
        Collateral(-1, CollateralBinding.CASH)
    with pytest.raises(LoanError, match="Pengikatan agunan"):
        Collateral(1, "gadai-lisan")  # type: ignore[arg-type]  # what a form may send


def test_lancar_is_a_general_reserve_deducting_only_cash_collateral() -> None:
    """The worked examples of the BPR practice (PBI 13/26/PBI/2011): a Rp70.000.000 loan
    with land under hak tanggungan appraised at Rp70.000.000 (eligible 80% = 56.000.000);
    a Rp10.000.000 loan with a motorbike of Rp15.000.000 under fidusia (50%) or held with
    a notarial power to sell (30%)."""
    land = Collateral(70_000_000_00, CollateralBinding.HAK_TANGGUNGAN)
    assert land.eligible() == 56_000_000_00
    assert ppap_required(70_000_000_00, Kolektibilitas.LANCAR, land) == 350_000_00
    assert ppap_required(70_000_000_00, Kolektibilitas.DALAM_PERHATIAN_KHUSUS, land) == 420_000_00
    assert ppap_required(70_000_000_00, Kolektibilitas.KURANG_LANCAR, land) == 1_400_000_00
    assert ppap_required(70_000_000_00, Kolektibilitas.DIRAGUKAN, land) == 7_000_000_00
    assert ppap_required(70_000_000_00, Kolektibilitas.MACET, land) == 14_000_000_00
    bike = Collateral(15_000_000_00, CollateralBinding.FIDUSIA)
    assert ppap_required(10_000_000_00, Kolektibilitas.KURANG_LANCAR, bike) == 250_000_00
    assert ppap_required(10_000_000_00, Kolektibilitas.LANCAR, bike) == 50_000_00
    power = Collateral(15_000_000_00, CollateralBinding.KUASA_MENJUAL)
    assert ppap_required(10_000_000_00, Kolektibilitas.MACET, power) == 5_500_000_00
    unbound = Collateral(15_000_000_00, CollateralBinding.NONE)
    assert ppap_required(10_000_000_00, Kolektibilitas.MACET, unbound) == 10_000_000_00
    # Blocked savings are the one collateral a lancar loan deducts.
    savings = Collateral(4_000_000_00, CollateralBinding.CASH)
    assert ppap_required(10_000_000_00, Kolektibilitas.LANCAR, savings) == 30_000_00
    assert ppap_required(10_000_000_00, Kolektibilitas.MACET, savings) == 6_000_000_00
    # Other factors from the AD/ART.
    factors = {**dict.fromkeys(CollateralBinding, 0), CollateralBinding.FIDUSIA: 2_500}
    assert bike.eligible(factors) == 3_750_000_00
    with pytest.raises(LoanError, match="Faktor agunan"):
        bike.eligible({**factors, CollateralBinding.FIDUSIA: 10_001})


def test_payoff_on_disbursement_day_is_the_principal_and_after_the_end_is_nothing() -> None:
    schedule = build_schedule(efektif_5jt())
    at_start = payoff_amount(schedule, principal_paid=0, interest_paid=0, as_of=START)
    assert (at_start.principal, at_start.interest, at_start.total) == (
        5_000_000_00,
        0,
        5_000_000_00,
    )
    done = payoff_amount(
        schedule,
        principal_paid=schedule.total_principal,
        interest_paid=schedule.total_interest,
        as_of=D(2015, 6, 1),
    )
    assert done.total == 0
