"""The checks behind ``kopdes verify``: each app registers what it can prove about its data.

A check recomputes something from first principles (a hash chain, balances from lines) and
reports how much it looked at and every difference, first difference first. Apps register
their checks in ``AppConfig.ready()``; ``kopdes verify`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CheckResult:
    name: str
    checked: int = 0  # how many rows/links/balances were recomputed
    unit: str = "baris"  # what ``checked`` counts, for the report ("peristiwa", "jurnal")
    problems: list[str] = field(default_factory=list)  # first difference first

    @property
    def ok(self) -> bool:
        return not self.problems


Check = Callable[[object | None], CheckResult]  # argument: a Koperasi, or None for all
CHECKS: list[tuple[str, Check]] = []


def register(name: str) -> Callable[[Check], Check]:
    def decorator(func: Check) -> Check:
        if all(existing != name for existing, _ in CHECKS):
            CHECKS.append((name, func))
        return func

    return decorator


def run_all(koperasi=None) -> list[CheckResult]:
    return [func(koperasi) for _, func in CHECKS]
