"""``savings_teller`` on PostgreSQL (see ``bench/savings_teller.py``)."""

from bench.savings_teller import BENCHMARK_PG as BENCHMARK

__all__ = ["BENCHMARK"]
