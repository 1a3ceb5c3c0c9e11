"""Builders for tests that need books: a koperasi with its chart, simple postings.

Deterministic; everything goes through ``kopdes.ledger.services``.
"""

from __future__ import annotations

import datetime as dt
import itertools

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services

_keys = itertools.count(1)


def with_books(koperasi):
    """Install the chart of accounts (idempotent) and return the koperasi."""
    services.setup_koperasi_books(koperasi)
    return koperasi


def post_simple(
    koperasi,
    amount: int = 100_000_00,
    *,
    debit: str = "1-1100",
    credit: str = "3-2000",
    date: dt.date | None = None,
    actor=None,
    key: str | None = None,
    memo: str = "Setoran uji",
    **extra,
):
    """Post a two-line entry (default: debit Kas, credit Cadangan) and return it."""
    return services.post(
        koperasi,
        actor=actor,
        date=date or dt.date(2026, 1, 15),
        memo=memo,
        lines=[LineDraft.debit(debit, amount), LineDraft.credit(credit, amount)],
        idempotency_key=key or f"test-{next(_keys)}",
        **extra,
    )
