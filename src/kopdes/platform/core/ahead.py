"""Rows a request read ahead, for the selector that would otherwise read them.

An API call's first round trip reads its token, user, koperasi and roles
(``tenancy.api.KoperasiTokenAuth``); for a few hot routes it also reads the row the URL
names (the savings account of a deposit, the loan of a repayment), scoped to the URL's
koperasi, so the view's selector needs no round trip of its own. The rows wait here, for
the rest of the request only (``ReadAheadMiddleware``), under a key the selector can
rebuild: (what, id, koperasi slug). Outside a request nothing is kept and every selector
reads for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict[tuple, list[tuple]] | None] = ContextVar("kopdes_ahead", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def store(key: tuple, rows: list[tuple[Any, ...]]) -> None:
    """Keep ``rows`` for the selector asking for ``key`` (nothing outside a request)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = rows


def take(key: tuple) -> list[tuple[Any, ...]] | None:
    """The rows read ahead under ``key`` (once), or None when nothing was."""
    memo = _memo.get()
    return memo.pop(key, None) if memo is not None else None


class ReadAheadMiddleware:
    """Open the read-ahead memo for the duration of one request."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)
