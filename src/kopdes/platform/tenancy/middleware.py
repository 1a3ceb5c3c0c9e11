"""The session's user, TOTP device, koperasi and roles in one round trip."""

from __future__ import annotations

from typing import Any

from kopdes.platform.identity import middleware
from kopdes.platform.tenancy.access import read_statements, slug_of, take_read


class OTPMiddleware(middleware.OTPMiddleware):
    """``identity.middleware.OTPMiddleware`` that, for a page under ``/k/<slug>/``, also
    reads the koperasi and the officer's roles in it with her user row and device: the
    tenant check that follows (``access.koperasi_view``) then costs no round trip of its
    own, and decides exactly as before."""

    def more_statements(self, request, user_pk: Any) -> list:
        slug = slug_of(request)
        return read_statements(slug, ("%s", [user_pk])) if slug else []

    def take_more(self, request, user, rows: list[list[tuple]]) -> None:
        take_read(user, slug_of(request), rows)
