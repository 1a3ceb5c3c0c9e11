"""Dicts that live for one request: what a request has already read, kept for the rest of
it (an officer's roles: ``identity.rolecache``; rows read ahead: ``core.ahead``).

``RequestMemoMiddleware`` opens every ``RequestMemo`` for the duration of a request.
Outside a request (jobs, the shell, most tests) a memo is closed and ``get()`` is None, so
nothing is kept and every caller reads for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any

_MEMOS: list[RequestMemo] = []


class RequestMemo:
    def __init__(self, name: str) -> None:
        self._var: ContextVar[dict[Any, Any] | None] = ContextVar(name, default=None)
        _MEMOS.append(self)

    def get(self) -> dict[Any, Any] | None:
        """The open memo, or None outside a request."""
        return self._var.get()

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Open the memo (empty) until the block ends."""
        token = self._var.set({})
        try:
            yield
        finally:
            self._var.reset(token)


class RequestMemoMiddleware:
    """Open every request memo for the duration of one request."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with ExitStack() as stack:
            for memo in _MEMOS:
                stack.enter_context(memo.scope())
            return self.get_response(request)
