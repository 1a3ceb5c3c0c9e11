"""A per-request memo of each user's active role assignments.

One money-moving request asks "which roles does this user hold here?" four times (the
TOTP check, the page's permission, the service's permission, the audit events' role
label); each was a query. A request memo (``core.memo``) lets them share one query.
Outside a request (services called from jobs, shell, tests) nothing is memoised. Any save
of a ``RoleAssignment`` (grant, revoke) empties the memo, so a
request that changes roles sees the change at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kopdes.platform.core.memo import RequestMemo

# user pk -> [(role, koperasi_id, region_prefix), ...]; closed outside a request.
_memo = RequestMemo("kopdes_role_memo")
request_memo = _memo.scope  # for a caller outside a request (tests)


def lookup(user_pk: Any, load: Callable[[], list[tuple[str, Any, str]]]) -> list:
    memo = _memo.get()
    if memo is None:
        return load()
    if user_pk not in memo:
        memo[user_pk] = load()
    return memo[user_pk]


def known(user_pk: Any) -> bool:
    """Whether this request already holds ``user_pk``'s assignments."""
    memo = _memo.get()
    return memo is not None and user_pk in memo


def store(user_pk: Any, assignments: list[tuple[str, Any, str]]) -> None:
    """Keep assignments a caller read in its own batch (nothing outside a request)."""
    memo = _memo.get()
    if memo is not None:
        memo[user_pk] = assignments


def forget() -> None:
    """Drop everything memoised in this request (a role was granted or revoked)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
