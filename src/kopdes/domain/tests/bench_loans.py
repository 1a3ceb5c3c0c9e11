"""Benchmark: schedules per second for 24-month loans (target > 10,000/s).

Run: ``.venv/bin/python -m kopdes.domain.tests.bench_loans`` (from ``src`` on the path).
Prints the median of several runs for the engine and, in the same run, two baselines that
are NOT what kopdes uses: a naive binary-floating-point loop (wrong to the sen, shown only
for scale) and numpy-financial's vectorised ``ipmt``/``ppmt``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from fractions import Fraction

from kopdes.domain.loans import LoanMethod, LoanTerms, Rounding, build_schedule

TERM = 24


def sample_terms(count: int) -> list[LoanTerms]:
    """Deterministic mix of methods, roundings, principals and yearly rates."""
    methods = list(LoanMethod)
    roundings = list(Rounding)
    terms = []
    for k in range(count):
        terms.append(
            LoanTerms(
                method=methods[k % 3],
                principal=(1_000_000 + 37_337 * k % 50_000_000) * 100,
                rate=Fraction(600 + (k * 7) % 3000, 10_000 * 12),
                term=TERM,
                rounding=roundings[k % 4],
            )
        )
    return terms


def engine(terms: list[LoanTerms]) -> None:
    for t in terms:
        build_schedule(t)


def naive_float_baseline(terms: list[LoanTerms]) -> None:
    """BASELINE ONLY: a textbook anuitas loop in binary floating point (not kopdes code)."""
    for t in terms:
        i = t.rate.numerator / t.rate.denominator
        p = t.principal / 100
        a = p * i / (1 - (1 + i) ** -TERM) if i else p / TERM
        balance = p
        for _ in range(TERM):
            interest = balance * i
            balance -= a - interest


def numpy_financial_baseline(terms: list[LoanTerms]) -> None:
    """BASELINE ONLY: numpy-financial ipmt/ppmt for each loan, vectorised over periods."""
    import numpy as np
    import numpy_financial as npf  # type: ignore[import-untyped]

    periods = np.arange(1, TERM + 1)
    for t in terms:
        i = t.rate.numerator / t.rate.denominator
        npf.ipmt(i, periods, TERM, -t.principal)
        npf.ppmt(i, periods, TERM, -t.principal)


def rate_per_second(fn: Callable[[list[LoanTerms]], None], terms: list[LoanTerms]) -> float:
    """Median schedules per second over 5 runs."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        fn(terms)
        runs.append(len(terms) / (time.perf_counter() - start))
    return statistics.median(runs)


def main() -> None:
    terms = sample_terms(3000)
    for label, fn in (
        ("kopdes engine (exact, integer sen)", engine),
        ("baseline: naive float loop (NOT exact)", naive_float_baseline),
        ("baseline: numpy-financial ipmt+ppmt", numpy_financial_baseline),
    ):
        print(f"{label:42s} {rate_per_second(fn, terms):>10,.0f} schedules/s")


if __name__ == "__main__":
    main()
