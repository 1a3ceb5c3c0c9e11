"""Koperasi profile over the API; the same 404 for missing and foreign koperasi."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.errors import HttpError

from kopdes.platform.identity.api import ApiTokenAuth
from kopdes.platform.identity.models import User
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import access_koperasi, first_statements, take_first


class KoperasiTokenAuth(ApiTokenAuth):
    """The API's token check. For a call under ``/k/<slug>/`` it also reads the koperasi
    and the caller's roles in it, in the same round trip as the token and its user: the
    tenant check that follows (``access_koperasi``) then costs no round trip of its own.
    A route registered with ``access.reads_ahead`` adds the rows its URL names.
    """

    def more_statements(self, request: HttpRequest, owner: tuple[str, list]) -> list:
        return first_statements(request, owner)

    def take_more(self, request: HttpRequest, user: User, rows: list[list[tuple]]) -> None:
        take_first(request, user, rows)


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
