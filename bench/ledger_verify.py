"""``ledger_verify``: ``kopdes verify`` over 1,000,000 entries (see ``bench/ledger_reports.py``)."""

from bench.ledger_reports import BENCHMARK_VERIFY as BENCHMARK

__all__ = ["BENCHMARK"]
