"""Loans to members: installment schedules, payoff, prepayment, restructuring, denda,
days past due, kolektibilitas and PPAP.

Amounts are integer sen; rates are exact rationals (``fractions.Fraction``) and every
division is integer arithmetic rounded half away from zero, so a schedule is the same on
every machine and never touches a float.

Methods (P principal, n installments, i rate per period, B_k balance after period k):

- **flat**: interest each period = P*i; installment = P/n + P*i.
- **efektif** (menurun, equal principal): principal = P/n; interest_k = B_{k-1}*i.
- **anuitas** (equal installment): A = P*i / (1 - (1+i)^-n), computed exactly as a
  fraction of integers; interest_k = B_{k-1}*i; principal_k = A - interest_k.

Rounding (the loan product's setting): ``sen`` rounds every figure half-up to the sen;
``rupiah`` rounds interest and installment half-up to the rupiah; ``100`` and ``1000`` round
interest to the rupiah and the installment *up* to the next Rp100 / Rp1.000, so the member
never pays less than the formula; ``down100``, ``down1000`` and ``down10000`` round interest
to the rupiah and the installment *down* to Rp100 / Rp1.000 / Rp10.000 (round figures at
the counter; what the regular installments leave is paid with the last one). The principal
part is the rounded installment less the rounded interest, and the last installment takes
whatever principal remains, so the principal parts always sum exactly to P and the final
balance is 0. For **flat** loans the last installment also settles the jasa's rounding
drift: the jasa parts sum to exactly P x i x n (half-up to the sen), never a rupiah more.

Payments (``allocate_to_installments``) go installment by installment, oldest first: the
denda, jasa and pokok of one installment before anything of the next. Only an explicit
accelerated payoff (pelunasan dipercepat) pays principal ahead of the schedule
(``recalculate_after_prepayment``).

PPAP (``ppap_required``), after the BPR rules (PBI 8/19/PBI/2006 as amended by PBI
13/26/PBI/2011, carried on in POJK 33/POJK.03/2018 and POJK 1/2024 on BPR asset
quality): a general reserve on a lancar loan's whole outstanding less only cash
collateral (blocked savings); for DPK to macet the class rate on the outstanding less the
*eligible* collateral, i.e. the appraised value times a factor for how it is bound
(``eligible_collateral``: cash 100%, hak tanggungan 80%, fidusia 50%, surat kuasa menjual
30%, unbound 0%; the koperasi's AD/ART may set other factors).
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import NamedTuple

from kopdes.domain.money import SEN_PER_RUPIAH, divide_round

BASIS_POINTS = 10_000
DAYS_PER_MONTH_FOR_PENALTY = 30
MAX_TERM = 600  # fifty years of months; anything longer is a typing mistake
MAX_PRINCIPAL_SEN = 10**15 * SEN_PER_RUPIAH


class LoanError(ValueError):
    """Loan input the engine refuses. ``message`` is Bahasa Indonesia, safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoanMethod(StrEnum):
    FLAT = "flat"
    EFEKTIF = "efektif"
    ANUITAS = "anuitas"


class Rounding(StrEnum):
    """How a product rounds its installments (see the module docstring)."""

    SEN = "sen"
    RUPIAH = "rupiah"
    UP_100 = "100"
    UP_1000 = "1000"
    DOWN_100 = "down100"
    DOWN_1000 = "down1000"
    DOWN_10000 = "down10000"


class Frequency(StrEnum):
    MONTH = "month"
    WEEK = "week"


class RatePer(StrEnum):
    """What the quoted rate is per: one installment period, a month, or a year."""

    PERIOD = "period"
    MONTH = "month"
    YEAR = "year"


_HALF, _UP, _DOWN = 0, 1, -1

# interest unit (sen), installment step (sen), how the installment is rounded to the step
_ROUNDING_RULES: dict[Rounding, tuple[int, int, int]] = {
    Rounding.SEN: (1, 1, _HALF),
    Rounding.RUPIAH: (100, 100, _HALF),
    Rounding.UP_100: (100, 100 * SEN_PER_RUPIAH, _UP),
    Rounding.UP_1000: (100, 1000 * SEN_PER_RUPIAH, _UP),
    Rounding.DOWN_100: (100, 100 * SEN_PER_RUPIAH, _DOWN),
    Rounding.DOWN_1000: (100, 1000 * SEN_PER_RUPIAH, _DOWN),
    Rounding.DOWN_10000: (100, 10_000 * SEN_PER_RUPIAH, _DOWN),
}


def rounding_step(rounding: Rounding | str) -> int:
    """The installment step of a rounding mode, in sen (1 for ``sen``, 10,000 for ``100``)."""
    return _ROUNDING_RULES[parse_rounding(rounding)][1]


_PERIODS_PER_YEAR = {Frequency.MONTH: 12, Frequency.WEEK: 52}


# ---------------------------------------------------------------------------
# Small exact-arithmetic helpers


def _round_ratio(numerator: int, denominator: int, unit: int) -> int:
    """``numerator / denominator`` sen rounded half-up to a multiple of ``unit`` sen."""
    return divide_round(numerator, denominator * unit) * unit


def _floor_ratio(numerator: int, denominator: int, unit: int) -> int:
    """``numerator / denominator`` sen rounded down (towards -inf) to a multiple of ``unit``."""
    return numerator // (denominator * unit) * unit


def _ceil_ratio(numerator: int, denominator: int, unit: int) -> int:
    """``numerator / denominator`` sen rounded up (towards +inf) to a multiple of ``unit``."""
    return -((-numerator) // (denominator * unit)) * unit


def round_half_up(value: Fraction | int, unit: int = 1) -> int:
    """Round an exact amount of sen half away from zero to a multiple of ``unit`` sen."""
    f = Fraction(value)
    return _round_ratio(f.numerator, f.denominator, unit)


def to_rate(value: Fraction | Decimal | int | str) -> Fraction:
    """An exact rate from a Fraction, Decimal, int or a decimal string ("1.25").

    Floats are refused: 0.1 is not one tenth in binary, and a loan engine must not guess.
    """
    if isinstance(value, bool):
        raise LoanError("Suku bunga harus berupa angka.")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise LoanError("Suku bunga harus berupa angka.")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise LoanError(
                f"Suku bunga '{value}' tidak bisa dibaca. Tulis angka, misalnya 1 atau 1,5."
            ) from None
        if (
            not number.is_finite()
            or not text.isascii()  # Decimal() also reads Arabic-Indic and full-width digits
            or any(c.isalpha() or c == "_" for c in text)
        ):
            raise LoanError(
                f"Suku bunga '{value}' tidak bisa dibaca. Tulis angka, misalnya 1 atau 1,5."
            )
        return Fraction(number)
    raise LoanError("Suku bunga harus berupa angka (bukan pecahan biner).")


def periodic_rate(
    percent: Fraction | Decimal | int | str,
    *,
    per: RatePer | str = RatePer.PERIOD,
    frequency: Frequency | str = Frequency.MONTH,
) -> Fraction:
    """The rate per installment period from a quoted percentage (1 means 1%).

    A yearly rate is divided by 12 for monthly and by 52 for weekly installments; a monthly
    rate on weekly installments is multiplied by 12/52.
    """
    pct = to_rate(percent)
    if pct < 0:
        raise LoanError("Suku bunga tidak boleh negatif.")
    if pct > 100:
        raise LoanError("Suku bunga lebih dari 100% tidak masuk akal.")
    try:
        freq = Frequency(frequency)
        per_ = RatePer(per)
    except ValueError:
        raise LoanError("Bunga per bulan atau per tahun; angsuran bulanan atau mingguan.") from None
    rate = pct / 100
    if per_ is RatePer.YEAR:
        return rate / _PERIODS_PER_YEAR[freq]
    if per_ is RatePer.MONTH and freq is Frequency.WEEK:
        return rate * 12 / 52
    return rate


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def due_date(start: dt.date, period: int, frequency: Frequency) -> dt.date:
    """Due date of installment ``period`` (1-based) for a loan disbursed on ``start``.

    Anchored on the start date, not on the previous due date, so 31 Jan gives 28 Feb then
    31 Mar (no drift to the 28th).
    """
    if frequency is Frequency.WEEK:
        return start + dt.timedelta(days=7 * period)
    return add_months(start, period)


# ---------------------------------------------------------------------------
# Terms and schedule


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """What a schedule is built from.

    ``principal`` in sen; ``rate`` per installment period as a fraction (1% = 1/100; use
    ``periodic_rate`` to convert a quoted percentage); ``term`` installments, the first
    ``grace_periods`` of them interest only; ``start_date`` (disbursement) gives due dates.
    """

    method: LoanMethod
    principal: int
    rate: Fraction
    term: int
    rounding: Rounding = Rounding.RUPIAH
    frequency: Frequency = Frequency.MONTH
    start_date: dt.date | None = None
    grace_periods: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", parse_method(self.method))
        object.__setattr__(self, "rounding", parse_rounding(self.rounding))
        try:
            object.__setattr__(self, "frequency", Frequency(self.frequency))
        except ValueError:
            raise LoanError("Angsuran harus bulanan (month) atau mingguan (week).") from None
        if isinstance(self.rate, float) or not isinstance(self.rate, Fraction | Decimal | int):
            raise LoanError("Suku bunga harus angka pasti (Fraction atau Decimal).")
        object.__setattr__(self, "rate", to_rate(self.rate))
        if not isinstance(self.principal, int) or isinstance(self.principal, bool):
            raise LoanError("Pokok pinjaman harus dalam sen (bilangan bulat).")
        if self.principal <= 0:
            raise LoanError("Pokok pinjaman harus lebih dari nol.")
        if self.principal > MAX_PRINCIPAL_SEN:
            raise LoanError("Pokok pinjaman terlalu besar.")
        if not isinstance(self.term, int) or isinstance(self.term, bool) or self.term <= 0:
            raise LoanError("Jangka waktu harus paling sedikit 1 kali angsuran.")
        if self.term > MAX_TERM:
            raise LoanError(f"Jangka waktu paling lama {MAX_TERM} kali angsuran.")
        if self.rate < 0:
            raise LoanError("Suku bunga tidak boleh negatif.")
        if self.rate > 1:
            raise LoanError("Suku bunga lebih dari 100% per periode tidak masuk akal.")
        if self.grace_periods < 0 or self.grace_periods >= self.term:
            raise LoanError("Masa tenggang harus lebih pendek dari jangka waktu.")


def parse_method(value: LoanMethod | str) -> LoanMethod:
    try:
        return LoanMethod(str(value).strip().lower())
    except ValueError:
        raise LoanError(
            f"Metode '{value}' tidak dikenal. Pilih flat, efektif, atau anuitas."
        ) from None


def parse_rounding(value: Rounding | str) -> Rounding:
    try:
        return Rounding(str(value).strip().lower())
    except ValueError:
        raise LoanError(
            f"Pembulatan '{value}' tidak dikenal. Pilih sen, rupiah, 100, 1000, "
            "down100, down1000, atau down10000."
        ) from None


class Installment(NamedTuple):
    """One row of a schedule. Amounts in sen; ``balance`` is what remains after it."""

    period: int
    due_date: dt.date | None
    principal: int
    interest: int
    installment: int
    balance: int


@dataclass(frozen=True, slots=True)
class Schedule:
    """A full repayment schedule with its totals (sen).

    ``prepaid`` is principal repaid outside the installments (partial prepayments), so
    ``total_principal + prepaid == terms.principal`` always holds.
    """

    terms: LoanTerms
    installments: tuple[Installment, ...]
    restructured: bool = False
    prepaid: int = 0

    @property
    def total_principal(self) -> int:
        return sum(row.principal for row in self.installments)

    @property
    def total_interest(self) -> int:
        return sum(row.interest for row in self.installments)

    @property
    def total_paid(self) -> int:
        return sum(row.installment for row in self.installments)

    @property
    def regular_installment(self) -> int:
        """The first full (post-grace) installment: what the member pays most periods."""
        return self.installments[self.terms.grace_periods].installment

    def balance_after(self, period: int) -> int:
        """Principal outstanding after ``period`` installments (0 = at disbursement), before
        any prepayment made together with installment ``period``."""
        if period <= 0:
            return self.terms.principal
        first = self.installments[0].period
        index = period - first
        if index >= len(self.installments):
            return 0
        if index < 0:
            return self.terms.principal
        return self.installments[index].balance


def annuity_payment(principal: int, rate: Fraction, term: int) -> Fraction:
    """The exact equal installment A = P*i / (1 - (1+i)^-n), as a fraction of sen.

    With i = a/b: A = P * a * (a+b)^n / (b * ((a+b)^n - b^n)); pure integers, no rounding.
    """
    numerator, denominator = _annuity_ratio(principal, rate.numerator, rate.denominator, term)
    return Fraction(numerator, denominator)


def _annuity_ratio(principal: int, a: int, b: int, term: int) -> tuple[int, int]:
    # Left unnormalised: a gcd of 100-digit integers costs more than the whole schedule.
    if a == 0:
        return principal, term
    grown = (a + b) ** term
    return principal * a * grown, b * (grown - b**term)


def build_schedule(terms: LoanTerms) -> Schedule:
    """Build the installment schedule for ``terms`` (see the module docstring for rules).

    Invariants: the principal parts sum exactly to the loan principal, balances never rise
    and end at 0, no figure is negative, and each installment = principal + interest.
    """
    return Schedule(terms=terms, installments=tuple(_rows(terms, period_offset=0)))


def _rows(terms: LoanTerms, *, period_offset: int) -> list[Installment]:
    interest_unit, step, direction = _ROUNDING_RULES[terms.rounding]
    a, b = terms.rate.numerator, terms.rate.denominator
    p = terms.principal
    n = terms.term
    grace = terms.grace_periods
    amortising = n - grace
    method = terms.method
    start = terms.start_date
    frequency = terms.frequency

    def round_installment(numerator: int, denominator: int) -> int:
        if direction == _UP:
            return _ceil_ratio(numerator, denominator, step)
        if direction == _DOWN:
            return _floor_ratio(numerator, denominator, step)
        return _round_ratio(numerator, denominator, step)

    flat_interest = _round_ratio(p * a, b, interest_unit)
    # A flat loan's jasa is P x i x n in all, to the sen: the last installment takes what
    # the rounded jasa of the others leaves. Rounding half-up each period could leave the
    # last one negative on a tiny loan over many periods; then each period rounds down.
    flat_total = _round_ratio(p * a * n, b, 1)
    if flat_interest * (n - 1) > flat_total:
        flat_interest = _floor_ratio(p * a, b, interest_unit)
    flat_last_interest = flat_total - flat_interest * (n - 1)
    annuity = 0
    flat_installment = 0
    if method is LoanMethod.ANUITAS:
        annuity = round_installment(*_annuity_ratio(p, a, b, amortising))
    elif method is LoanMethod.FLAT:
        # Target installment P/n + P*i as one fraction over b*n.
        flat_installment = round_installment(p * b + p * a * amortising, b * amortising)

    # The loops below are the hot path (the issue asks for > 10,000 schedules a second):
    # one loop per method, no enum lookups inside, and rounding inlined as integer floor
    # division: for x >= 0, half-up of x/d is (2x + d) // 2d. Interest is never negative.
    is_flat = method is LoanMethod.FLAT
    is_efektif = method is LoanMethod.EFEKTIF
    interest_den = b * interest_unit
    two_a = 2 * a
    two_interest_den = 2 * interest_den
    if start is not None:
        dates: list[dt.date | None] = [
            due_date(start, period_offset + k, frequency) for k in range(1, n + 1)
        ]
    else:
        dates = [None] * n
    new = tuple.__new__  # Installment(...) without NamedTuple's keyword wrapper
    rows: list[Installment] = []
    append = rows.append
    balance = p
    period = period_offset

    # Grace periods: interest only.
    for k in range(grace):
        if is_flat:
            interest = flat_interest
        else:
            interest = (balance * two_a + interest_den) // two_interest_den * interest_unit
        period += 1
        append(new(Installment, (period, dates[k], 0, interest, interest, balance)))

    # Regular periods but the last: pay the (rounded) target, never more than the balance.
    regular = range(grace, n - 1)
    if is_flat:
        interest = flat_interest
        part = max(0, flat_installment - interest)
        for k in regular:
            principal = part if part <= balance else balance
            balance -= principal
            period += 1
            append(
                new(
                    Installment,
                    (period, dates[k], principal, interest, principal + interest, balance),
                )
            )
    elif is_efektif and direction == _HALF:
        # Interest is a whole number of steps, so the rounded installment is the interest
        # plus the rounded P/n: one constant principal part.
        part = _round_ratio(p, amortising, step)
        for k in regular:
            interest = (balance * two_a + interest_den) // two_interest_den * interest_unit
            principal = part if part <= balance else balance
            balance -= principal
            period += 1
            append(
                new(
                    Installment,
                    (period, dates[k], principal, interest, principal + interest, balance),
                )
            )
    else:
        for k in regular:
            interest = (balance * two_a + interest_den) // two_interest_den * interest_unit
            if is_efektif:
                # P/n + this period's (rounded) interest, rounded up or down as an installment.
                target = round_installment(p + interest * amortising, amortising)
            else:
                target = annuity
            principal = target - interest
            if principal < 0:
                principal = 0
            elif principal > balance:
                principal = balance
            balance -= principal
            period += 1
            append(
                new(
                    Installment,
                    (period, dates[k], principal, interest, principal + interest, balance),
                )
            )

    # The last period takes whatever principal remains (and, flat, the jasa's drift).
    if is_flat:
        interest = flat_last_interest
    else:
        interest = (balance * two_a + interest_den) // two_interest_den * interest_unit
    append(new(Installment, (period + 1, dates[n - 1], balance, interest, balance + interest, 0)))
    return rows


# ---------------------------------------------------------------------------
# Early payoff, prepayment, restructuring


@dataclass(frozen=True, slots=True)
class Payoff:
    """What settles a loan today: outstanding principal, interest owed, denda and fee."""

    principal: int
    interest: int
    penalty: int
    fee: int

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty + self.fee


def payoff_amount(
    schedule: Schedule,
    *,
    principal_paid: int,
    interest_paid: int,
    as_of: dt.date,
    penalty_due: int = 0,
    fee_bp: int = 0,
    accrue_current_period: bool = True,
) -> Payoff:
    """The amount that pays the loan off on ``as_of`` (pelunasan dipercepat).

    Outstanding principal (principal less ``principal_paid``) + the scheduled interest of
    every installment due on or before ``as_of`` and, when ``accrue_current_period``, the
    running period's interest pro rata to the days elapsed (half-up to the product's
    interest unit), less ``interest_paid`` (never below zero) + ``penalty_due`` + a fee of
    ``fee_bp`` basis points of the outstanding principal (the product's pinalti pelunasan).
    Needs a schedule with due dates.
    """
    terms = schedule.terms
    if terms.start_date is None:
        raise LoanError("Jadwal tanpa tanggal: isi tanggal pencairan dulu.")
    for name, value in (
        ("Pokok yang sudah dibayar", principal_paid),
        ("Jasa yang sudah dibayar", interest_paid),
        ("Denda", penalty_due),
        ("Biaya pelunasan", fee_bp),
    ):
        if value < 0:
            raise LoanError(f"{name} tidak boleh negatif.")
    if principal_paid > terms.principal:
        raise LoanError("Pokok yang sudah dibayar melebihi pokok pinjaman.")
    outstanding = terms.principal - principal_paid
    interest_unit = _ROUNDING_RULES[terms.rounding][0]
    scheduled = 0
    accrued = 0
    previous = terms.start_date
    for row in schedule.installments:
        assert row.due_date is not None
        if row.due_date <= as_of:
            scheduled += row.interest
            previous = row.due_date
            continue
        if accrue_current_period and outstanding > 0 and as_of > previous:
            elapsed = (as_of - previous).days
            length = (row.due_date - previous).days
            accrued = _round_ratio(row.interest * elapsed, length, interest_unit)
        break
    # Jasa paid ahead (an installment paid before its due date) counts against the running
    # period's accrued jasa; it is never charged twice.
    interest = max(0, scheduled + accrued - interest_paid)
    fee = _round_ratio(outstanding * fee_bp, BASIS_POINTS, interest_unit)
    return Payoff(principal=outstanding, interest=interest, penalty=penalty_due, fee=fee)


class PrepaymentMode(StrEnum):
    KEEP_TERM = "keep_term"  # same end date, smaller installments
    KEEP_INSTALLMENT = "keep_installment"  # same installment, ends sooner


def recalculate_after_prepayment(
    schedule: Schedule,
    *,
    after_period: int,
    prepayment: int,
    mode: PrepaymentMode | str = PrepaymentMode.KEEP_TERM,
) -> Schedule:
    """The new schedule after an extra principal payment made with installment ``after_period``.

    Installments 1..after_period stay as they were; the balance after them less the
    prepayment is re-amortised with the same method, rate and rounding, either over the
    remaining periods (``keep_term``) or over as few periods as keep the installment no
    larger than before (``keep_installment``). The result's ``terms.term`` is the new
    number of installments and ``prepaid`` adds the prepayment. A prepayment equal to the
    balance closes the loan (the returned schedule keeps only the paid rows).
    """
    terms = schedule.terms
    mode = PrepaymentMode(mode)
    if not 0 <= after_period < terms.term:
        raise LoanError("Pelunasan sebagian harus di antara angsuran pertama dan terakhir.")
    if prepayment <= 0:
        raise LoanError("Pelunasan sebagian harus lebih dari nol.")
    balance = schedule.balance_after(after_period)
    if prepayment > balance:
        raise LoanError("Pelunasan sebagian melebihi sisa pokok.")
    kept = tuple(row for row in schedule.installments if row.period <= after_period)
    remaining = balance - prepayment
    prepaid = schedule.prepaid + prepayment
    if remaining == 0:
        if after_period == 0:
            raise LoanError("Melunasi semua sebelum angsuran pertama adalah pelunasan penuh.")
        closed = replace(
            terms, term=after_period, grace_periods=min(terms.grace_periods, after_period - 1)
        )
        return Schedule(closed, kept, restructured=schedule.restructured, prepaid=prepaid)
    grace_left = max(0, terms.grace_periods - after_period)
    periods_left = terms.term - after_period
    new_term = periods_left
    if mode is PrepaymentMode.KEEP_INSTALLMENT:
        old = schedule.regular_installment
        new_term = grace_left + 1
        while new_term < periods_left:
            trial = replace(terms, principal=remaining, term=new_term, grace_periods=grace_left)
            rows = _rows(trial, period_offset=0)
            if rows[grace_left].installment <= old and rows[-1].installment <= old:
                break
            new_term += 1
    new_terms = replace(terms, principal=remaining, term=new_term, grace_periods=grace_left)
    tail = _rows(new_terms, period_offset=after_period)
    return Schedule(
        terms=replace(terms, term=after_period + new_term),
        installments=kept + tuple(tail),
        restructured=schedule.restructured,
        prepaid=prepaid,
    )


def restructure(
    outstanding_principal: int,
    *,
    capitalised_interest: int = 0,
    method: LoanMethod | str,
    rate: Fraction,
    term: int,
    rounding: Rounding | str = Rounding.RUPIAH,
    frequency: Frequency | str = Frequency.MONTH,
    start_date: dt.date | None = None,
    grace_periods: int = 0,
) -> Schedule:
    """A restructured schedule (restrukturisasi): a new loan on what is still owed.

    The outstanding principal plus any arrears of interest the pengurus agree to
    capitalise become the new principal, repaid over the new term at the new rate (often
    lower, with a grace period). The result is marked ``restructured`` so kolektibilitas
    starts no better than kurang lancar.
    """
    if outstanding_principal <= 0:
        raise LoanError("Sisa pokok yang direstrukturisasi harus lebih dari nol.")
    if capitalised_interest < 0:
        raise LoanError("Bunga yang dikapitalisasi tidak boleh negatif.")
    terms = LoanTerms(
        method=parse_method(method),
        principal=outstanding_principal + capitalised_interest,
        rate=rate,
        term=term,
        rounding=parse_rounding(rounding),
        frequency=Frequency(frequency),
        start_date=start_date,
        grace_periods=grace_periods,
    )
    return replace(build_schedule(terms), restructured=True)


# ---------------------------------------------------------------------------
# Denda and payment allocation


class PenaltyPer(StrEnum):
    DAY = "day"
    MONTH = "month"  # counted as 30 days


def penalty(
    overdue_amount: int,
    days_late: int,
    *,
    rate_bp: int,
    per: PenaltyPer | str = PenaltyPer.MONTH,
    grace_days: int = 0,
    unit: int = SEN_PER_RUPIAH,
) -> int:
    """Denda on an overdue amount: overdue * rate * days counted, half-up to ``unit`` sen.

    ``rate_bp`` basis points per day or per month (a month counted as 30 days, the usual
    koperasi convention). Days within ``grace_days`` cost nothing; after the grace only
    the days beyond it count (day 8 late with 7 grace days is one day of denda).
    """
    if overdue_amount < 0 or days_late < 0 or rate_bp < 0 or grace_days < 0:
        raise LoanError("Jumlah tunggakan, hari, tarif dan masa tenggang tidak boleh negatif.")
    try:
        per_ = PenaltyPer(per)
    except ValueError:
        raise LoanError("Tarif denda harus per hari atau per bulan.") from None
    days = days_late - grace_days
    if days <= 0 or overdue_amount == 0:
        return 0
    divisor = BASIS_POINTS * (DAYS_PER_MONTH_FOR_PENALTY if per_ is PenaltyPer.MONTH else 1)
    return _round_ratio(overdue_amount * rate_bp * days, divisor, unit)


class Allocation(NamedTuple):
    """How one payment was split (sen). ``excess`` is left over after everything due."""

    penalty: int
    interest: int
    principal: int
    excess: int


def allocate_payment(
    amount: int, due_penalty: int, due_interest: int, due_principal: int
) -> Allocation:
    """Split a payment in the koperasi's order: denda first, then jasa, then pokok."""
    if min(amount, due_penalty, due_interest, due_principal) < 0:
        raise LoanError("Jumlah bayar dan tagihan tidak boleh negatif.")
    to_penalty = min(amount, due_penalty)
    left = amount - to_penalty
    to_interest = min(left, due_interest)
    left -= to_interest
    to_principal = min(left, due_principal)
    return Allocation(to_penalty, to_interest, to_principal, left - to_principal)


class InstallmentDue(NamedTuple):
    """What is still owed on one installment (sen): its denda now, unpaid jasa and pokok."""

    period: int
    penalty: int
    interest: int
    principal: int


class InstallmentPayment(NamedTuple):
    """The part of one payment that went to one installment (sen)."""

    period: int
    penalty: int
    interest: int
    principal: int

    @property
    def total(self) -> int:
        return self.penalty + self.interest + self.principal


def allocate_to_installments(
    amount: int, dues: Sequence[InstallmentDue]
) -> tuple[tuple[InstallmentPayment, ...], int]:
    """Split a payment over installments, oldest first: denda, jasa, then pokok of one
    installment before anything goes to the next (a payment before the due date simply
    pays the next installment as scheduled). ``dues`` in period order. Returns the parts
    (only installments that received something) and what is left after all of them."""
    if amount < 0:
        raise LoanError("Jumlah bayar tidak boleh negatif.")
    parts: list[InstallmentPayment] = []
    left = amount
    previous = None
    for due in dues:
        if min(due.penalty, due.interest, due.principal) < 0:
            raise LoanError("Tagihan angsuran tidak boleh negatif.")
        if previous is not None and due.period <= previous:
            raise LoanError("Angsuran harus urut dari yang paling lama.")
        previous = due.period
        if left == 0:
            break
        to_penalty = min(left, due.penalty)
        left -= to_penalty
        to_interest = min(left, due.interest)
        left -= to_interest
        to_principal = min(left, due.principal)
        left -= to_principal
        if to_penalty or to_interest or to_principal:
            parts.append(InstallmentPayment(due.period, to_penalty, to_interest, to_principal))
    return tuple(parts), left


# ---------------------------------------------------------------------------
# Days past due, kolektibilitas, PPAP


class Kolektibilitas(IntEnum):
    LANCAR = 1
    DALAM_PERHATIAN_KHUSUS = 2
    KURANG_LANCAR = 3
    DIRAGUKAN = 4
    MACET = 5

    @property
    def label(self) -> str:
        return _KOL_LABELS[self]


_KOL_LABELS = {
    Kolektibilitas.LANCAR: "Lancar",
    Kolektibilitas.DALAM_PERHATIAN_KHUSUS: "Dalam perhatian khusus",
    Kolektibilitas.KURANG_LANCAR: "Kurang lancar",
    Kolektibilitas.DIRAGUKAN: "Diragukan",
    Kolektibilitas.MACET: "Macet",
}

# Highest days past due still in classes 1..4; above the last bound is macet.
# Commercial-bank practice (check for koperasi): lancar 0, DPK 1-90, KL 91-120,
# D 121-180, macet > 180. Configurable per koperasi.
DEFAULT_BUCKETS: tuple[int, int, int, int] = (0, 90, 120, 180)

# Rural-bank practice (check for koperasi), basis points of outstanding less collateral.
DEFAULT_PPAP_RATES: Mapping[Kolektibilitas, int] = {
    Kolektibilitas.LANCAR: 50,
    Kolektibilitas.DALAM_PERHATIAN_KHUSUS: 300,
    Kolektibilitas.KURANG_LANCAR: 1000,
    Kolektibilitas.DIRAGUKAN: 5000,
    Kolektibilitas.MACET: 10000,
}


def days_past_due(oldest_unpaid_due_date: dt.date | None, as_of: dt.date) -> int:
    """Days since the oldest unpaid installment fell due; 0 when nothing is overdue."""
    if oldest_unpaid_due_date is None:
        return 0
    return max(0, (as_of - oldest_unpaid_due_date).days)


def validate_buckets(buckets: Sequence[int]) -> None:
    """Buckets are four rising day counts, the first >= 0 (upper bounds of classes 1-4)."""
    if len(buckets) != 4:
        raise LoanError("Batas kolektibilitas harus empat angka hari.")
    if buckets[0] < 0 or any(x >= y for x, y in itertools.pairwise(buckets)):
        raise LoanError("Batas kolektibilitas harus naik, mulai dari 0 hari atau lebih.")


def kolektibilitas(
    dpd: int, buckets: Sequence[int] = DEFAULT_BUCKETS, *, restructured: bool = False
) -> Kolektibilitas:
    """The collectability class for ``dpd`` days past due (never better than kurang
    lancar for a restructured loan)."""
    validate_buckets(buckets)
    if dpd < 0:
        raise LoanError("Hari tunggakan tidak boleh negatif.")
    klass = Kolektibilitas.MACET
    for index, bound in enumerate(buckets):
        if dpd <= bound:
            klass = Kolektibilitas(index + 1)
            break
    if restructured and klass < Kolektibilitas.KURANG_LANCAR:
        return Kolektibilitas.KURANG_LANCAR
    return klass


class CollateralBinding(StrEnum):
    """How a loan's collateral (agunan) is bound, which decides how much of its appraised
    value counts against the PPAP."""

    NONE = "none"  # held without a legal binding (or no collateral)
    CASH = "cash"  # blocked savings / deposits with a power to withdraw (agunan tunai)
    HAK_TANGGUNGAN = "hak_tanggungan"  # certified land and buildings, APHT registered
    FIDUSIA = "fidusia"  # vehicles and movable goods, fidusia registered
    KUASA_MENJUAL = "kuasa_menjual"  # not bound, but a notarial power to sell


# Basis points of the appraised value that count against the PPAP: the BPR rules (PBI
# 13/26/PBI/2011 amending PBI 8/19/PBI/2006, kept in POJK 33/POJK.03/2018): liquid
# collateral 100%, land and buildings under hak tanggungan 80%, vehicles under fidusia
# 50%, vehicles held with a notarial power to sell 30%. Check for koperasi: AD/ART.
DEFAULT_COLLATERAL_FACTORS: Mapping[CollateralBinding, int] = {
    CollateralBinding.NONE: 0,
    CollateralBinding.CASH: 10_000,
    CollateralBinding.HAK_TANGGUNGAN: 8_000,
    CollateralBinding.FIDUSIA: 5_000,
    CollateralBinding.KUASA_MENJUAL: 3_000,
}


def parse_binding(value: CollateralBinding | str) -> CollateralBinding:
    try:
        return CollateralBinding(str(value or "none").strip().lower())
    except ValueError:
        raise LoanError(
            f"Pengikatan agunan '{value}' tidak dikenal. Pilih tunai, hak tanggungan, "
            "fidusia, surat kuasa menjual, atau tanpa pengikatan."
        ) from None


@dataclass(frozen=True, slots=True)
class Collateral:
    """A loan's collateral: its appraised value (sen) and how it is bound."""

    appraised: int = 0
    binding: CollateralBinding = CollateralBinding.NONE

    def __post_init__(self) -> None:
        object.__setattr__(self, "binding", parse_binding(self.binding))
        if not isinstance(self.appraised, int) or isinstance(self.appraised, bool):
            raise LoanError("Nilai agunan harus dalam sen (bilangan bulat).")
        if self.appraised < 0:
            raise LoanError("Nilai agunan tidak boleh negatif.")

    def eligible(
        self, factors: Mapping[CollateralBinding, int] = DEFAULT_COLLATERAL_FACTORS
    ) -> int:
        """The part of the appraised value that counts against the PPAP, rounded down to
        the sen (a reserve is never reduced by a fraction the rules do not allow)."""
        factor = factors[self.binding]
        if not 0 <= factor <= BASIS_POINTS:
            raise LoanError("Faktor agunan harus antara 0% dan 100%.")
        return self.appraised * factor // BASIS_POINTS

    @property
    def cash(self) -> int:
        """Cash collateral (blocked savings): the only collateral a lancar loan deducts."""
        return self.appraised if self.binding is CollateralBinding.CASH else 0


def ppap_required(
    outstanding_principal: int,
    klass: Kolektibilitas,
    collateral: Collateral | None = None,
    rates: Mapping[Kolektibilitas, int] = DEFAULT_PPAP_RATES,
    factors: Mapping[CollateralBinding, int] = DEFAULT_COLLATERAL_FACTORS,
) -> int:
    """The loan-loss provision, half-up to the sen, never below zero.

    Lancar: the general reserve, rate x (outstanding less cash collateral only).
    Dalam perhatian khusus to macet: rate x (outstanding less eligible collateral, the
    appraised value times the factor for its binding)."""
    if outstanding_principal < 0:
        raise LoanError("Sisa pokok tidak boleh negatif.")
    if collateral is None:
        collateral = Collateral()
    if not isinstance(collateral, Collateral):
        raise LoanError("Agunan harus berupa nilai taksiran dan pengikatannya.")
    rate = rates[klass]
    if not 0 <= rate <= BASIS_POINTS:
        raise LoanError("Tarif PPAP harus antara 0 dan 10.000 basis poin.")
    lancar = klass is Kolektibilitas.LANCAR
    deducted = collateral.cash if lancar else collateral.eligible(factors)
    base = max(0, outstanding_principal - deducted)
    return divide_round(base * rate, BASIS_POINTS)


def format_sen_decimal(sen: int) -> str:
    """Sen as a plain decimal string of rupiah for machines: 52791038 -> "527910.38"."""
    sign = "-" if sen < 0 else ""
    rupiah, rest = divmod(abs(sen), SEN_PER_RUPIAH)
    return f"{sign}{rupiah}.{rest:02d}"
