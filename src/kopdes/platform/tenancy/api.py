"""Koperasi profile over the API; the same 404 for missing and foreign koperasi."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Router, Schema

from kopdes.platform.tenancy.access import api_koperasi

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
    return api_koperasi(
        request,
        slug,
        "tenancy.view_profile",
        refused="Anda tidak berwenang melihat profil koperasi ini.",
    )
