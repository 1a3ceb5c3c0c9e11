"""Journal over the JSON API: post a manual entry (with an Idempotency-Key), read one.

Thin: parse, call ``services.post_manual`` / ``selectors.get_entry``, shape the answer.
Errors become 4xx JSON through ``platform/core/api_errors.py`` (409 for a reused key with
different content). A replay of the same key and content answers 200 with the first
entry (nothing new is written); a new entry answers 201.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Header, Path, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from kopdes.ledger import selectors, services
from kopdes.ledger.models import EntryProposal
from kopdes.platform.core.api_types import Sen
from kopdes.platform.core.schemas import InputSchema
from kopdes.platform.tenancy.access import api_koperasi

router = Router(tags=["ledger"])


class LineIn(InputSchema):
    account: str
    side: Literal["D", "C"]
    amount: Sen  # JSON integer of sen, > 0
    subledger_kind: str = ""
    subledger_ref: str = ""
    business_unit: str = ""
    memo: str = ""


class EntryIn(InputSchema):
    date: dt.date
    memo: str
    lines: list[LineIn]
    business_unit: str = ""


class LineOut(Schema):
    line_no: int
    account: str
    account_name: str
    side: str
    amount: int
    subledger_kind: str
    subledger_ref: str
    business_unit: str
    memo: str


class EntryOut(Schema):
    id: uuid.UUID
    number: int
    date: dt.date
    memo: str
    kind: str
    source: str
    source_ref: str
    business_unit: str
    total_amount: int
    reverses: uuid.UUID | None
    hash: str
    lines: list[LineOut]


class EntryProposalOut(Schema):
    """A back-dated entry waiting for a second officer (202): nothing is posted yet."""

    proposal_id: uuid.UUID
    status: str
    date: dt.date
    total_amount: int
    message: str


def _out(entry) -> dict:
    return {
        "id": entry.id,
        "number": entry.number,
        "date": entry.date,
        "memo": entry.memo,
        "kind": entry.kind,
        "source": entry.source,
        "source_ref": entry.source_ref,
        "business_unit": entry.business_unit,
        "total_amount": entry.total_amount,
        "reverses": entry.reverses_id,
        "hash": entry.hash,
        "lines": [
            {
                "line_no": line.line_no,
                "account": line.account.code,
                "account_name": line.account.name,
                "side": line.side,
                "amount": line.amount,
                "subledger_kind": line.subledger_kind,
                "subledger_ref": line.subledger_ref,
                "business_unit": line.business_unit,
                "memo": line.memo,
            }
            for line in selectors.entry_lines(entry)
        ],
    }


@router.post(
    "entries",
    response={200: EntryOut, 201: EntryOut, 202: EntryProposalOut},
    url_name="ledger-entry-post",
)
def post_entry(
    request: HttpRequest,
    payload: EntryIn,
    slug: str = Path(...),
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
):
    """Post a manual journal entry. Amounts in sen; side "D" (debit) or "C" (credit)."""
    koperasi = api_koperasi(request, slug, "ledger.post_manual")
    try:
        entry = services.post_manual(
            koperasi,
            actor=request.auth,
            date=payload.date,
            memo=payload.memo,
            lines=[line.dict() for line in payload.lines],
            idempotency_key=idempotency_key,
            business_unit=payload.business_unit,
        )
    except PermissionDenied as exc:  # pragma: no cover - services raise DomainError
        raise HttpError(403, "Anda tidak berwenang.") from exc
    if isinstance(entry, EntryProposal):
        return Status(
            202,
            {
                "proposal_id": entry.pk,
                "status": entry.state,  # the JSON key stays "status"
                "date": entry.date,
                "total_amount": entry.total_amount,
                "message": entry.reason,
            },
        )
    replayed = getattr(entry, "replayed", False)
    return Status(200 if replayed else 201, _out(entry))


@router.get("entries/{entry_id}", response=EntryOut, url_name="ledger-entry-detail")
def get_entry(request: HttpRequest, entry_id: str, slug: str = Path(...)):
    """One entry of this koperasi with its lines (404 for another koperasi's)."""
    koperasi = api_koperasi(request, slug, "ledger.view")
    return _out(selectors.get_entry(koperasi, entry_id))
