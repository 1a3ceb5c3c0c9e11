"""The session's user, TOTP device, koperasi and roles in one round trip."""

from __future__ import annotations

from typing import Any

from kopdes.platform.identity import middleware
from kopdes.platform.tenancy.access import first_statements, take_first


class OTPMiddleware(middleware.OTPMiddleware):
    """``identity.middleware.OTPMiddleware`` that, for a page under ``/k/<slug>/``, also
    reads the koperasi and the officer's roles in it with her user row and device: the
    tenant check that follows (``access.koperasi_view``) then costs no round trip of its
    own, and decides exactly as before. A page registered with ``access.reads_ahead``
    adds the rows its URL names."""

    def more_statements(self, request, user_pk: Any) -> list:
        return first_statements(request, ("%s", [user_pk]))

    def take_more(self, request, user, rows: list[list[tuple]]) -> None:
        take_first(request, user, rows)
