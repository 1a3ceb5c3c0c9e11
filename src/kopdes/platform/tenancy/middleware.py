"""The session's user, TOTP device, koperasi and roles in one round trip."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from kopdes.platform.identity import middleware
from kopdes.platform.tenancy.access import read_statements, take_read


class OTPMiddleware(middleware.OTPMiddleware):
    """``identity.middleware.OTPMiddleware`` that, for a page under ``/k/<slug>/``, also
    reads the koperasi and the officer's roles in it with her user row and device: the
    tenant check that follows (``access.koperasi_view``) then costs no round trip of its
    own, and decides exactly as before."""

    def more_statements(self, request, user_pk: Any) -> list:
        slug = _slug(request)
        if not slug:
            return []
        field = get_user_model()._meta.pk
        return read_statements(slug, ("%s", [field.get_db_prep_value(user_pk, connection)]))

    def take_more(self, request, user, rows: list[list[tuple]]) -> None:
        take_read(user, _slug(request), rows)


def _slug(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.kwargs.get("slug", "") if match is not None else ""
