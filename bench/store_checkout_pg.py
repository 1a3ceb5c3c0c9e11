"""``store_checkout_pg``: on PostgreSQL (see ``bench/store_checkout.py``)."""

from bench.store_checkout import BENCHMARK_PG as BENCHMARK

__all__ = ["BENCHMARK"]
