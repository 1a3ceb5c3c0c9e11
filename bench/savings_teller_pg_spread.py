"""``savings_teller_pg`` with the 10 clients spread over 10 koperasi, one teller each (see
``bench/savings_teller.py``): the central server's load, where a koperasi has one to
three tellers."""

from bench.savings_teller import BENCHMARK_PG_SPREAD as BENCHMARK

__all__ = ["BENCHMARK"]
