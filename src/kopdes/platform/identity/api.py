"""API authentication (bearer tokens) and the caller's own profile."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from kopdes.platform.identity.models import ApiToken

# "Last used" is for an officer spotting a forgotten token, so minutes are precise enough.
# Writing it on every call would add a second write transaction (on SQLite: a second
# fsync'd commit) to every API request, outside the one that does the work.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; revoked or unknown tokens, or an inactive user,
    get 401. One query: the token with its user."""

    def authenticate(self, request: HttpRequest, token: str):
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


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
