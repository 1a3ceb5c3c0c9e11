"""Members over the JSON API: list/search (masked), get one, register (Idempotency-Key).

Thin: parse, call a selector or ``services.register_member``, shape the answer. Errors
become 4xx JSON (``platform/core/api_errors.py``); a replayed key answers 200 with the
first member, a new registration 201.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pydantic
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import StrictInt

from kopdes.members import selectors, services
from kopdes.members.models import Member
from kopdes.platform.core.schemas import InputSchema
from kopdes.platform.tenancy.access import api_koperasi

router = Router(tags=["members"])


class HeirIn(InputSchema):
    name: str
    relation: str
    share_percent: StrictInt  # `true` is not 1%


class MemberIn(InputSchema):
    full_name: str
    nik: str
    kk_number: str
    birth_place: str
    birth_date: dt.date
    sex: str
    address: str
    region_code: str = ""
    phone: str = ""
    occupation: str = ""
    heirs: list[HeirIn] = []


class MemberOut(Schema):
    id: uuid.UUID
    number: str
    full_name: str
    status: str
    nik: str
    phone: str
    address: str
    birth_date: str
    region_code: str
    registered_on: dt.date
    joined_on: dt.date | None


def _out(member) -> dict:
    masked = selectors.masked_view(member)
    return {
        "id": member.pk,
        "number": member.number,
        "full_name": member.full_name,
        "status": member.status,
        "nik": masked["nik"],
        "phone": masked["phone"],
        "address": masked["address"],
        "birth_date": masked["birth_date"],
        "region_code": member.region_code,
        "registered_on": member.registered_on,
        "joined_on": member.joined_on,
    }


@router.get("members", response=list[MemberOut], url_name="members-list")
def list_members(
    request: HttpRequest,
    slug: str = Path(...),
    q: str = Query(""),
    limit: int = 50,
    offset: int = 0,
):
    """Members (personal data masked), searched by name, number, exact NIK or phone."""
    koperasi = api_koperasi(request, slug, "members.view")
    limit = max(1, min(limit, 200))
    members = selectors.list_members(koperasi, query=q[:100])[
        max(offset, 0) : max(offset, 0) + limit
    ]
    return [_out(m) for m in members]


@router.get("members/{member_id}", response=MemberOut, url_name="members-detail")
def get_member(request: HttpRequest, member_id: str, slug: str = Path(...)):
    """One member (personal data masked). 404 for a member of another koperasi."""
    koperasi = api_koperasi(request, slug, "members.view")
    return _out(selectors.get_member(koperasi, member_id))


@router.post(
    "members",
    response={200: MemberOut, 201: MemberOut},
    url_name="members-register",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MemberIn.json_schema()}},
        }
    },
)
def register_member(
    request: HttpRequest,
    slug: str = Path(...),
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    """Register a calon member (body: ``MemberIn``). A retry with the same Idempotency-Key
    returns the first one (200); a new one answers 201."""
    # The koperasi and permission are checked before the body is read, so another
    # koperasi's slug is a 404 whatever the body holds.
    koperasi = api_koperasi(request, slug, "members.register")
    key = (idempotency_key or "").strip()[:100]
    if not key:
        raise services.MemberError("Header Idempotency-Key wajib diisi.", field="Idempotency-Key")
    try:
        payload = MemberIn.model_validate_json(request.body or b"{}")
    except pydantic.ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        loc = first.get("loc", ())
        raise services.MemberError(
            "Data tidak valid: " + str(first.get("msg", "")),
            field=str(loc[-1]) if loc else None,
        ) from None
    existed = Member.objects.filter(koperasi=koperasi, idempotency_key=key).exists()
    member = services.register_member(
        koperasi,
        actor=request.auth,
        data=payload.dict(),
        registered_on=timezone.localdate(),
        idempotency_key=key,
        source_address=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(200 if existed else 201, _out(member))
