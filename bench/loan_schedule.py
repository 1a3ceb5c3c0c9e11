"""Loan schedules per second for 24-month loans (issue target: > 10,000/s in the domain).

One process, no database. A deterministic mix of 3,000 loans (flat, efektif, anuitas; every
rounding; principals Rp1-51 million; 6-36% a year) is scheduled over and over for the
measurement's duration. Variants:

- ``float``   (baseline, NOT kopdes code) a textbook anuitas loop in binary floating point:
  wrong to the sen, shown only for scale
- ``npf``     numpy-financial ``ipmt`` + ``ppmt`` per loan, vectorised over the 24 periods
- ``engine``  ``kopdes.domain.loans.build_schedule``: exact integer sen, every row rounded

    python -m bench loan_schedule
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction

from bench.runner import Benchmark, Metric, Options
from kopdes.domain.loans import LoanMethod, LoanTerms, Rounding, build_schedule

TERM = 24
LOANS = 3000


def sample_terms(count: int = LOANS) -> list[LoanTerms]:
    """Deterministic mix of methods, roundings, principals and yearly rates."""
    methods = list(LoanMethod)
    roundings = list(Rounding)
    return [
        LoanTerms(
            method=methods[k % 3],
            principal=(1_000_000 + 37_337 * k % 50_000_000) * 100,
            rate=Fraction(600 + (k * 7) % 3000, 10_000 * 12),
            term=TERM,
            rounding=roundings[k % 4],
        )
        for k in range(count)
    ]


def engine(terms: list[LoanTerms]) -> None:
    for t in terms:
        build_schedule(t)


def binary_fp_loop(terms: list[LoanTerms]) -> None:
    """BASELINE ONLY: binary floating point, not exact; never use for money."""
    for t in terms:
        i = t.rate.numerator / t.rate.denominator
        p = t.principal / 100
        a = p * i / (1 - (1 + i) ** -TERM) if i else p / TERM
        balance = p
        for _ in range(TERM):
            interest = balance * i
            balance -= a - interest


def numpy_financial(terms: list[LoanTerms]) -> None:
    import numpy as np
    import numpy_financial as npf

    periods = np.arange(1, TERM + 1)
    for t in terms:
        i = t.rate.numerator / t.rate.denominator
        npf.ipmt(i, periods, TERM, -t.principal)
        npf.ppmt(i, periods, TERM, -t.principal)


def _throughput(fn: Callable[[list[LoanTerms]], None], terms: list[LoanTerms]) -> Callable:
    def variant(options: Options) -> dict[str, float]:
        done = 0
        started = time.perf_counter()
        deadline = started + options.duration
        while True:
            fn(terms)
            done += len(terms)
            now = time.perf_counter()
            if now >= deadline:
                return {"per_s": done / (now - started)}

    return variant


@contextmanager
def session(options: Options) -> Iterator[dict[str, Callable]]:
    terms = sample_terms()
    yield {
        "float": _throughput(binary_fp_loop, terms),
        "npf": _throughput(numpy_financial, terms),
        "engine": _throughput(engine, terms),
    }


BENCHMARK = Benchmark(
    name="loan_schedule",
    description="24-month loan schedules per second (domain engine, exact integer sen)",
    metrics=[Metric("per_s", "throughput", "schedules/s", higher_is_better=True)],
    baseline="float",
    session=session,
)
