"""Koperasi profile over the API; the same 404 for missing and foreign koperasi."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.errors import HttpError

from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy.access import access_koperasi

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
