"""Savings over the JSON API: balances, deposits and withdrawals with an Idempotency-Key.

Thin: parse, call one service or selector, shape the answer. A new movement answers 201,
an exact replay of the same key answers 200 with the first result, the same key with a
different body 409, a withdrawal above the AD/ART threshold 202 (waiting for a second
officer). Amounts are integers in sen. Another koperasi's account is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from kopdes.domain.money import terbilang
from kopdes.platform.core.api_types import Sen
from kopdes.platform.core.schemas import InputSchema
from kopdes.platform.tenancy.access import api_koperasi
from kopdes.savings import selectors, services
from kopdes.savings.models import WithdrawalRequest

router = Router(tags=["savings"])


class AccountOut(Schema):
    id: uuid.UUID
    number: str
    kind: str
    status: str
    member_id: uuid.UUID
    member_number: str
    balance: int
    maturity_date: dt.date | None = None


class MoveIn(InputSchema):
    amount: Sen  # JSON integer of sen, > 0
    date: dt.date | None = None
    memo: str = ""
    # Kas (1-1100) when empty; else a leaf cash/bank account of the koperasi's chart.
    counter_account: str = ""


class CorrectionIn(InputSchema):
    reason: str
    date: dt.date | None = None


class RejectIn(InputSchema):
    reason: str = ""


class CorrectionOut(Schema):
    id: uuid.UUID
    transaction_id: uuid.UUID
    entry_number: int
    whole_entry: bool
    status: str
    reason: str
    reversal_entry_number: int | None = None


class TransactionOut(Schema):
    id: uuid.UUID
    account_id: uuid.UUID
    kind: str
    date: dt.date
    amount: int
    balance_after: int
    entry_number: int | None
    status: str = "posted"


class PendingOut(Schema):
    """A withdrawal or deposit waiting for a second officer (202): nothing moved yet."""

    id: uuid.UUID
    account_id: uuid.UUID
    kind: str  # "withdrawal" or "deposit"
    amount: int
    status: str


def _account_out(a) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "kind": a.kind,
        "status": a.status,
        "member_id": a.member_id,
        "member_number": a.member.number,
        "balance": a.balance,
        "maturity_date": a.maturity_date,
    }


def _txn_out(t) -> dict:
    return {
        "id": t.pk,
        "account_id": t.account_id,
        "kind": t.kind,
        "date": t.date,
        "amount": t.amount,
        "balance_after": t.balance_after,
        "entry_number": t.entry.number if t.entry_id else None,
    }


@router.get("accounts", response=list[AccountOut], url_name="savings-account-list")
def list_accounts(request: HttpRequest, slug: str = Path(...), member_number: str = Query("")):
    """A member's savings accounts and balances (by member number)."""
    koperasi = api_koperasi(request, slug, "savings.view")
    member = selectors.find_member(koperasi, member_number) if member_number else None
    if member is None:
        raise HttpError(404, "Anggota tidak ditemukan.")
    accounts = selectors.list_member_accounts(member)
    for a in accounts:
        a.member = member
    return [_account_out(a) for a in accounts]


@router.get("accounts/{account_id}", response=AccountOut, url_name="savings-account-detail")
def get_account(request: HttpRequest, account_id: str, slug: str = Path(...)):
    """One account with its balance (404 for another koperasi's)."""
    koperasi = api_koperasi(request, slug, "savings.view")
    return _account_out(selectors.get_account(koperasi, account_id))


def _move(request, slug, account_id, payload: MoveIn, key: str, service):
    koperasi = api_koperasi(request, slug, "savings.teller")
    account = selectors.get_account(koperasi, account_id, with_member=False)
    result = service(
        account,
        actor=request.auth,
        amount=payload.amount,
        date=payload.date or timezone.localdate(),
        idempotency_key=key,
        memo=payload.memo,
        counter_account=payload.counter_account,
    )
    replayed = getattr(result, "replayed", False)
    if isinstance(result, WithdrawalRequest):
        body = {
            "id": result.pk,
            "account_id": result.account_id,
            "kind": result.kind,
            "amount": result.amount,
            "status": result.state,
        }
        return Status(200 if replayed else 202, body)
    return Status(200 if replayed else 201, _txn_out(result))


@router.post(
    "accounts/{account_id}/deposits",
    response={200: TransactionOut | PendingOut, 201: TransactionOut, 202: PendingOut},
    url_name="savings-deposit",
)
def deposit(
    request: HttpRequest,
    account_id: str,
    payload: MoveIn,
    slug: str = Path(...),
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
):
    """Setoran to a wajib or sukarela account (amount in sen); above the AD/ART
    ``deposit_approval_threshold``: 202 pending, approved by a second officer."""
    return _move(request, slug, account_id, payload, idempotency_key, services.deposit)


@router.post(
    "accounts/{account_id}/withdrawals",
    response={200: TransactionOut | PendingOut, 201: TransactionOut, 202: PendingOut},
    url_name="savings-withdraw",
)
def withdraw(
    request: HttpRequest,
    account_id: str,
    payload: MoveIn,
    slug: str = Path(...),
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
):
    """Penarikan from sukarela; never overdraws; above the AD/ART threshold: 202 pending."""
    return _move(request, slug, account_id, payload, idempotency_key, services.withdraw)


class WithdrawalCheckOut(Schema):
    amount: int
    words: str
    balance: int
    needs_approval: bool


@router.post(
    "accounts/{account_id}/withdrawals/check",
    response=WithdrawalCheckOut,
    url_name="savings-withdraw-check",
)
def check_withdrawal(request: HttpRequest, account_id: str, payload: MoveIn, slug: str = Path(...)):
    """A client's review step: the withdrawal's own refusals (400 balance not enough, 403,
    409...) or 200 with the amount in words and whether it needs a second officer.
    Nothing is written."""
    koperasi = api_koperasi(request, slug, "savings.teller")
    account = selectors.get_account(koperasi, account_id, with_member=False)
    check = services.check_withdrawal(
        account,
        actor=request.auth,
        amount=payload.amount,
        date=payload.date or timezone.localdate(),
        counter_account=payload.counter_account,
    )
    return {
        "amount": check.amount,
        "words": terbilang(check.amount),
        "balance": check.balance,
        "needs_approval": check.needs_approval,
    }


def _correction_out(c) -> dict:
    return {
        "id": c.pk,
        "transaction_id": c.transaction_id,
        "entry_number": c.entry.number,
        "whole_entry": c.whole_entry,
        "status": c.state,
        "reason": c.reason,
        "reversal_entry_number": c.reversal_entry.number if c.reversal_entry_id else None,
    }


@router.post(
    "transactions/{transaction_id}/corrections",
    response={200: CorrectionOut, 202: CorrectionOut},
    url_name="savings-correction-request",
)
def request_correction(
    request: HttpRequest,
    transaction_id: str,
    payload: CorrectionIn,
    slug: str = Path(...),
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
):
    """Ask for a teller movement to be corrected (koreksi): 202, waits for a second officer."""
    koperasi = api_koperasi(request, slug, "savings.teller")
    txn = selectors.get_transaction(koperasi, transaction_id)
    c = services.request_correction(
        txn,
        actor=request.auth,
        reason=payload.reason,
        idempotency_key=idempotency_key,
        date=payload.date or timezone.localdate(),
    )
    return Status(200 if getattr(c, "replayed", False) else 202, _correction_out(c))


@router.post(
    "corrections/{correction_id}/approve",
    response={200: CorrectionOut, 201: CorrectionOut},
    url_name="savings-correction-approve",
)
def approve_correction(request: HttpRequest, correction_id: str, slug: str = Path(...)):
    """A second officer approves: 201 with the reversing entry; again: 200, nothing new."""
    koperasi = api_koperasi(request, slug, "savings.approve_correction")
    c = services.approve_correction(
        selectors.get_correction(koperasi, correction_id), actor=request.auth
    )
    return Status(200 if getattr(c, "replayed", False) else 201, _correction_out(c))


@router.post(
    "corrections/{correction_id}/reject",
    response=CorrectionOut,
    url_name="savings-correction-reject",
)
def reject_correction(
    request: HttpRequest, correction_id: str, payload: RejectIn, slug: str = Path(...)
):
    """A second officer turns the correction down; nothing moves."""
    koperasi = api_koperasi(request, slug, "savings.approve_correction")
    c = services.reject_correction(
        selectors.get_correction(koperasi, correction_id),
        actor=request.auth,
        reason=payload.reason,
    )
    return _correction_out(c)
