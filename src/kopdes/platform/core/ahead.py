"""Rows a request read ahead, for the selector that would otherwise read them.

An API call's first round trip reads its token, user, koperasi and roles
(``tenancy.api.KoperasiTokenAuth``); for a few hot routes it also reads the row the URL
names (the savings account of a deposit, the loan of a repayment), scoped to the URL's
koperasi, so the view's selector needs no round trip of its own. The rows wait here, for
the rest of the request only (a ``core.memo.RequestMemo``), under a key the selector can
rebuild: (what, id, koperasi slug). Outside a request nothing is kept and every selector
reads for itself.
"""

from __future__ import annotations

from typing import Any

from kopdes.platform.core.memo import RequestMemo

_memo = RequestMemo("kopdes_ahead")


def store(key: tuple, rows: list[tuple[Any, ...]]) -> None:
    """Keep ``rows`` for the selector asking for ``key`` (nothing outside a request)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = rows


def take(key: tuple) -> list[tuple[Any, ...]] | None:
    """The rows read ahead under ``key`` (once), or None when nothing was."""
    memo = _memo.get()
    return memo.pop(key, None) if memo is not None else None
