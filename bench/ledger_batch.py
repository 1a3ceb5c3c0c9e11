"""``ledger_batch``: entries per transaction, opening import (``bench/ledger_posting.py``)."""

from bench.ledger_posting import BENCHMARK_BATCH as BENCHMARK

__all__ = ["BENCHMARK"]
