"""Rows a request read ahead, for the selector that would otherwise read them.

A request's first round trip reads the caller's user (a page: with her session and TOTP
device, ``tenancy.middleware.OTPMiddleware``; an API call: with its token,
``tenancy.api.KoperasiTokenAuth``), her koperasi and her roles. For a few hot views it
also reads the rows the URL names (a teller page's member, her accounts and the counter
accounts; the savings account of an API deposit; the loan of a repayment), scoped to the
URL's koperasi (``tenancy.access.reads_ahead``), so the view's selector needs no round
trip of its own. The rows wait here, for the rest of the request only (a
``core.memo.RequestMemo``), under a key the selector can rebuild: (what, id, koperasi
slug). Outside a request nothing is kept and every selector reads for itself.
"""

from __future__ import annotations

from typing import Any

from kopdes.platform.core.memo import RequestMemo

_memo = RequestMemo("kopdes_ahead")


def store(key: tuple, rows: list[list[tuple[Any, ...]]]) -> None:
    """Keep ``rows`` (a list per statement) for the selector asking for ``key`` (nothing
    outside a request)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = rows


def take(key: tuple) -> list[list[tuple[Any, ...]]] | None:
    """The rows read ahead under ``key`` (once), or None when nothing was."""
    memo = _memo.get()
    return memo.pop(key, None) if memo is not None else None
