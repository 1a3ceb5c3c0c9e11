"""Savings arithmetic: jasa (interest) on sukarela, the final tax on jasa, term deposits.

Pure: no Django, no I/O, no clock, no float. Amounts are int sen; rates are exact
``Fraction``s (a ``Rate`` built from text such as "3", "2,5" or "0.25" percent). Results are
rounded half-up to the rupiah once, at the end (``money.divide_round``), so jasa never
depends on the order of the arithmetic.

Key rules (DOMAIN.md section 2):

* jasa on sukarela is computed per calendar month on either the **lowest** end-of-day
  balance of the month or the **average daily** balance (sum of end-of-day balances /
  days in the month); the method and the rate are product settings;
* the final income tax on jasa (PP 15/2009) is 10% of the jasa paid to one member in one
  month when that month's jasa is **above** Rp240.000; at or below the threshold, none.
  Threshold and rate are parameters (``TaxRule``);
* a term deposit (berjangka) matures ``term_months`` after it starts (end-of-month
  clamping), earns simple jasa for the term, and an early withdrawal forfeits the jasa
  and pays a penalty of a share of the principal.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from kopdes.domain.money import SEN_PER_RUPIAH, divide_round


class SavingsRuleError(ValueError):
    """Input that breaks a savings rule; ``message`` is Bahasa Indonesia."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class JasaBasis(StrEnum):
    """Which balance of the month earns jasa."""

    LOWEST = "lowest"
    AVERAGE = "average"


class RatePer(StrEnum):
    YEAR = "year"
    MONTH = "month"


_RATE_TEXT = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{1,4})?$", re.ASCII)
MAX_RATE_PERCENT = Fraction(100)


@dataclass(frozen=True)
class Rate:
    """A rate in percent (exact), per year or per month. ``Rate.parse("2,5")`` = 2.5%."""

    percent: Fraction
    per: RatePer = RatePer.YEAR

    def __post_init__(self) -> None:
        if not isinstance(self.percent, Fraction):
            raise TypeError("Rate.percent must be a Fraction")
        if self.percent < 0 or self.percent > MAX_RATE_PERCENT:
            raise SavingsRuleError("Suku jasa harus antara 0% dan 100%.", "rate")

    @classmethod
    def parse(cls, text: str | Decimal | int, per: RatePer | str = RatePer.YEAR) -> Rate:
        """Read "3", "2,5", "0.25" (percent) or a ``Decimal``; refuse anything else."""
        if isinstance(text, bool):
            raise SavingsRuleError("Suku jasa tidak bisa dibaca.", "rate")
        if isinstance(text, int):
            return cls(Fraction(text), RatePer(per))
        if isinstance(text, Decimal):
            if not text.is_finite():
                raise SavingsRuleError("Suku jasa tidak bisa dibaca.", "rate")
            return cls(Fraction(text), RatePer(per))
        s = str(text).strip().removesuffix("%").strip()
        if not _RATE_TEXT.match(s):
            raise SavingsRuleError(
                "Suku jasa tidak bisa dibaca. Tulis persen seperti 3 atau 2,5.", "rate"
            )
        try:
            value = Decimal(s.replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the pattern already refuses
            raise SavingsRuleError("Suku jasa tidak bisa dibaca.", "rate") from exc
        return cls(Fraction(value), RatePer(per))

    @property
    def yearly(self) -> Fraction:
        """The rate per year as a fraction (3% -> 3/100)."""
        share = self.percent / 100
        return share * 12 if self.per == RatePer.MONTH else share

    @property
    def monthly(self) -> Fraction:
        """The rate per month as a fraction (3% a year -> 1/400)."""
        share = self.percent / 100
        return share if self.per == RatePer.MONTH else share / 12


def _round_fraction(value: Fraction) -> int:
    """A non-negative amount in sen (exact fraction) rounded half-up to whole rupiah."""
    return divide_round(value.numerator, value.denominator * SEN_PER_RUPIAH) * SEN_PER_RUPIAH


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def end_of_day_balances(
    opening: int, changes: Sequence[tuple[dt.date, int]], year: int, month: int
) -> list[int]:
    """The balance at the end of every day of the month.

    ``opening`` is the balance at the start of the month; ``changes`` are (date, balance
    after that date's movements), in any order; points outside the month are ignored
    (a later point on the same date wins).
    """
    if not 1 <= month <= 12:
        raise SavingsRuleError("Bulan tidak sah.", "month")
    n = days_in_month(year, month)
    by_day: dict[int, int] = {}
    for day, balance in sorted(changes, key=lambda c: c[0]):
        if day.year == year and day.month == month:
            by_day[day.day] = balance
    balances: list[int] = []
    current = opening
    for d in range(1, n + 1):
        current = by_day.get(d, current)
        balances.append(current)
    return balances


def lowest_balance(
    opening: int, changes: Sequence[tuple[dt.date, int]], year: int, month: int
) -> int:
    """The lowest end-of-day balance of the month (sen)."""
    return min(end_of_day_balances(opening, changes, year, month))


def average_daily_balance(
    opening: int, changes: Sequence[tuple[dt.date, int]], year: int, month: int
) -> Fraction:
    """The average of the end-of-day balances over all days of the month (exact)."""
    balances = end_of_day_balances(opening, changes, year, month)
    return Fraction(sum(balances), len(balances))


def jasa_basis(
    basis: JasaBasis | str,
    opening: int,
    changes: Sequence[tuple[dt.date, int]],
    year: int,
    month: int,
) -> Fraction:
    """The balance that earns jasa this month under ``basis`` (never below zero)."""
    if JasaBasis(basis) == JasaBasis.LOWEST:
        value = Fraction(lowest_balance(opening, changes, year, month))
    else:
        value = average_daily_balance(opening, changes, year, month)
    return max(value, Fraction(0))


def monthly_jasa(
    rate: Rate,
    basis: JasaBasis | str,
    opening: int,
    changes: Sequence[tuple[dt.date, int]],
    year: int,
    month: int,
    *,
    minimum_balance: int = 0,
) -> int:
    """Jasa for one account for one month, in sen rounded half-up to the rupiah.

    Nothing when the earning balance is below ``minimum_balance`` (a product setting).
    """
    earning = jasa_basis(basis, opening, changes, year, month)
    return jasa_on(earning, rate, minimum_balance=minimum_balance)


def jasa_on(earning: Fraction, rate: Rate, *, minimum_balance: int = 0) -> int:
    """A month's jasa on an earning balance already computed (``jasa_basis``)."""
    if earning <= 0 or earning < minimum_balance:
        return 0
    return _round_fraction(earning * rate.monthly)


@dataclass(frozen=True)
class TaxRule:
    """Final tax on jasa: ``rate`` of the month's jasa when it is above ``threshold``."""

    threshold: int = 240_000_00
    rate: Fraction = Fraction(10, 100)

    def __post_init__(self) -> None:
        if self.threshold < 0:
            raise SavingsRuleError("Batas pajak tidak boleh negatif.", "threshold")
        if not 0 <= self.rate <= 1:
            raise SavingsRuleError("Tarif pajak harus antara 0% dan 100%.", "tax_rate")


DEFAULT_TAX = TaxRule()


def jasa_tax(member_jasa_in_month: int, rule: TaxRule = DEFAULT_TAX) -> int:
    """Tax withheld on the jasa paid to one member in one month (sen, whole rupiah).

    Rp240.000 or less: nothing; above: 10% of the whole amount (PP 15/2009).
    """
    if member_jasa_in_month < 0:
        raise SavingsRuleError("Jasa tidak boleh negatif.", "jasa")
    if member_jasa_in_month <= rule.threshold:
        return 0
    return _round_fraction(member_jasa_in_month * rule.rate)


# --- term deposits (simpanan berjangka) ------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    total = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(total, 12)
    day = min(start.day, days_in_month(year, month0 + 1))
    return dt.date(year, month0 + 1, day)


def term_maturity(start: dt.date, term_months: int) -> dt.date:
    """The maturity date (jatuh tempo) of a deposit placed on ``start``."""
    if not 1 <= term_months <= 120:
        raise SavingsRuleError("Jangka waktu harus 1 sampai 120 bulan.", "term_months")
    return add_months(start, term_months)


def term_interest(principal: int, rate: Rate, term_months: int) -> int:
    """Simple jasa for the whole term, paid at maturity (sen, whole rupiah)."""
    if principal <= 0:
        raise SavingsRuleError("Pokok deposito harus lebih dari nol.", "amount")
    if not 1 <= term_months <= 120:
        raise SavingsRuleError("Jangka waktu harus 1 sampai 120 bulan.", "term_months")
    return _round_fraction(principal * rate.monthly * term_months)


@dataclass(frozen=True)
class EarlyWithdrawal:
    """What an early withdrawal of a term deposit pays out."""

    principal: int
    penalty: int
    jasa: int  # forfeited: always 0 paid

    @property
    def payout(self) -> int:
        return self.principal - self.penalty


def early_withdrawal(principal: int, penalty_rate: Fraction) -> EarlyWithdrawal:
    """Breaking a deposit before maturity: no jasa, and ``penalty_rate`` of the principal."""
    if principal <= 0:
        raise SavingsRuleError("Pokok deposito harus lebih dari nol.", "amount")
    if not 0 <= penalty_rate <= 1:
        raise SavingsRuleError("Denda harus antara 0% dan 100%.", "penalty")
    penalty = min(_round_fraction(principal * penalty_rate), principal)
    return EarlyWithdrawal(principal=principal, penalty=penalty, jasa=0)


def months_in_arrears(
    first_month: tuple[int, int], current: tuple[int, int], paid_months: int
) -> int:
    """Wajib months due from ``first_month`` through ``current`` minus those paid (>= 0)."""
    due = (current[0] * 12 + current[1]) - (first_month[0] * 12 + first_month[1]) + 1
    return max(due - paid_months, 0) if due > 0 else 0
