"""Koperasi profile over the API; the same 404 for missing and foreign koperasi."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.errors import HttpError

from kopdes.platform.core import ahead
from kopdes.platform.identity.api import ApiTokenAuth
from kopdes.platform.identity.models import User
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import (
    access_koperasi,
    read_statements,
    slug_of,
    take_read,
)


class KoperasiTokenAuth(ApiTokenAuth):
    """The API's token check. For a call under ``/k/<slug>/`` it also reads the koperasi
    and the caller's roles in it, in the same round trip as the token and its user: the
    tenant check that follows (``access_koperasi``) then costs no round trip of its own.
    A route registered with ``reads_ahead`` adds the row its URL names (``core.ahead``).
    """

    def more_statements(self, request: HttpRequest, owner: tuple[str, list]) -> list:
        slug = slug_of(request)
        if not slug:
            return []
        return read_statements(slug, owner) + [s for _k, s in _ahead_reads(request, slug)]

    def take_more(self, request: HttpRequest, user: User, rows: list[list[tuple]]) -> None:
        slug = slug_of(request)
        take_read(user, slug, rows[:2])
        for (key, _statement), found in zip(_ahead_reads(request, slug), rows[2:], strict=True):
            ahead.store(key, found)


# url name -> (slug, the URL's kwargs) -> (key, statement) or None: see ``reads_ahead``.
_READERS: dict[str, Callable[[str, dict], tuple[tuple, tuple[str, list]] | None]] = {}


def reads_ahead(*url_names: str):
    """Register ``reader(slug, url_kwargs)`` for the API routes ``url_names``: it returns
    (key, statement) for the row the URL names, scoped to the koperasi of ``slug``
    (``core.ahead`` explains), or None when the URL names nothing readable. The route's
    selector takes the rows with ``ahead.take(key)``; they are used only once the tenant
    check has passed, since the view makes it before calling the selector."""

    def register(reader):
        for name in url_names:
            _READERS[name] = reader
        return reader

    return register


def _ahead_reads(request: HttpRequest, slug: str) -> list[tuple[tuple, tuple[str, list]]]:
    match = getattr(request, "resolver_match", None)
    reader = _READERS.get(match.url_name) if match is not None else None
    read = reader(slug, match.kwargs) if reader is not None else None
    return [read] if read is not None else []


router = Router(tags=["koperasi"])


class KoperasiOut(Schema):
    slug: str
    name: str
    badan_hukum_number: str
    region_code: str
    business_units: list[str]
    fiscal_year_start_month: int


@router.get("", response=KoperasiOut)
def koperasi_profile(request: HttpRequest, slug: str = Path(...)):
    koperasi, roles = access_koperasi(request.auth, slug)
    if not has_perm(roles, "tenancy.view_profile"):
        raise HttpError(403, "Anda tidak berwenang melihat profil koperasi ini.")
    return koperasi
