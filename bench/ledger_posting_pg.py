"""``ledger_posting_pg``: on PostgreSQL (see ``bench/ledger_posting.py``)."""

from bench.ledger_posting import BENCHMARK_PG as BENCHMARK

__all__ = ["BENCHMARK"]
