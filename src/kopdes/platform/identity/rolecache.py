"""A per-request memo of each user's active role assignments.

A money-moving request asks "which roles does this user hold?" four times: the TOTP check
(``needs_two_factor``), the tenant check and the page's permission (``koperasi_view``, the
API's ``api_koperasi``), the service's own ``require_perm`` and the audit event's role
label. Without the memo each is a query; with it the request makes one, and that one
brings the koperasi of each of the user's own roles with it (``identity.selectors``), so
the tenant check reads no koperasi of its own.

``RoleMemoMiddleware`` opens an empty memo for each request and closes it when the
response is made, so nothing survives a request. Outside a request (jobs, the shell, most
tests) there is no memo and every caller reads for itself. Any ``save()`` of a
``RoleAssignment`` in the request (grant, revoke) empties the memo, so the request sees
the change at once. ``tests/test_middleware_order.py`` pins where it sits in
``MIDDLEWARE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# user pk -> [RoleAssignment (with its koperasi), ...]; None outside a request.
_memo: ContextVar[dict[Any, list] | None] = ContextVar("kopdes_role_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Open an empty memo until the block ends (the middleware; a test outside a request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RoleMemoMiddleware:
    """Open the role memo for exactly one request."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with request_memo():
            return self.get_response(request)


def is_open() -> bool:
    """Whether a memo is open (inside a request)."""
    return _memo.get() is not None


def lookup(user_pk: Any, load: Callable[[], list]) -> list:
    """``load()``'s answer for ``user_pk``, kept until the request ends (a fresh read outside
    a request)."""
    memo = _memo.get()
    if memo is None:
        return load()
    if user_pk not in memo:
        memo[user_pk] = load()
    return memo[user_pk]


def forget() -> None:
    """Drop everything memoised in this request (a role was granted or revoked)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
