"""API authentication (bearer tokens) and the caller's own profile."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from kopdes.platform.core.rows import execute_batch, from_rows, select_statement
from kopdes.platform.identity.models import ApiToken, User

# "Last used" is for an officer spotting a forgotten token, so minutes are precise enough.
# Writing it on every call would add a second write transaction (on SQLite: a second
# fsync'd commit) to every API request, outside the one that does the work.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; revoked or unknown tokens get 401.

    A subclass can read what the call needs next in the same round trip: its
    ``more_statements`` get the token owner's id as an SQL expression, and ``take_more``
    their rows once the user is known to be active.
    """

    def authenticate(self, request: HttpRequest, token: str):
        # The token and its user in one round trip, without the ORM's query compilation:
        # this runs on every API call.
        digest = hash_token(token)
        owner = (
            f"(SELECT user_id FROM {ApiToken._meta.db_table} "  # noqa: S608 (model's table)
            "WHERE token_hash = %s AND revoked_at IS NULL)",
            [digest],
        )
        more = self.more_statements(request, owner)
        tokens, users, *more_rows = execute_batch(
            [
                select_statement(ApiToken, token_hash=digest, revoked_at=None),
                select_statement(User, where=(f"id = {owner[0]}", owner[1])),
                *more,
            ]
        )
        if not tokens or not users:
            return None
        (row,), (row.user,) = from_rows(ApiToken, tokens), from_rows(User, users)
        if not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        if more:
            self.take_more(request, row.user, more_rows)
        return row.user

    def more_statements(self, request: HttpRequest, owner: tuple[str, list]) -> list:
        return []

    def take_more(self, request: HttpRequest, user: User, rows: list[list[tuple]]) -> None:
        pass


router = Router(tags=["identity"])


class MeOut(Schema):
    username: str
    full_name: str
    koperasi: list[str]


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    from kopdes.platform.identity.selectors import koperasi_for

    user = request.auth
    return {
        "username": user.username,
        "full_name": user.full_name,
        "koperasi": list(koperasi_for(user).values_list("slug", flat=True)),
    }
