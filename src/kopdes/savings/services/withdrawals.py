"""Withdrawals above the AD/ART threshold: the request and its maker-checker decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.members.models import Member
from kopdes.platform.approvals import services as approvals
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.approvals.services import check_decider, settle
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
    AccountStatus,
    SavingsKind,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
    SavingsTransaction,
    WithdrawalRequest,
)
from kopdes.savings.services._common import (
    MEMOS,
    _backdated,
    _business_date,
    _check_date,
    _closed,
    _lock,
    _not_enough,
    _require_member_active,
    check_amount,
)
from kopdes.savings.services.movement import Move, _apply, _MemberState, resolve_counter_account


def _withdrawal_waits(koperasi, amount: int, date: dt.date) -> bool:
    """A large or back-dated withdrawal waits for a second officer (``WithdrawalRequest``)."""
    return amount > koperasi.adart.withdrawal_approval_threshold or _backdated(koperasi, date)


def _withdrawal_inputs(
    account: SavingsAccount, *, actor, amount: Any, date: Any, counter_account: str
) -> tuple[frozenset, int, dt.date, str]:
    """What ``withdraw`` refuses before it takes the lock, shared with ``check_withdrawal``:
    ``(roles, amount, date, counter account)``."""
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    if account.kind != SavingsKind.VOLUNTARY:
        raise SavingsError(
            _("Only voluntary savings can be withdrawn; pokok and wajib return on exit."),
            field="account",
        )
    return roles, amount, date, counter


def _refuse_second_request(
    koperasi, account: SavingsAccount, kind: str = TxnKind.WITHDRAWAL
) -> None:
    """One waiting withdrawal (or one waiting deposit) per account at a time."""
    if WithdrawalRequest.objects.filter(
        koperasi=koperasi, account_id=account.pk, kind=kind, state=ProposalState.PENDING
    ).exists():
        raise SavingsError(
            _("A withdrawal from this account is already waiting for approval.")
            if kind == TxnKind.WITHDRAWAL
            else _("A deposit to this account is already waiting for approval."),
            field="account",
        )


@dataclass(frozen=True)
class WithdrawalCheck:
    """What the review step shows once ``check_withdrawal`` found nothing to refuse."""

    amount: int
    balance: int
    needs_approval: bool


def check_withdrawal(
    account: SavingsAccount, *, actor, amount: Any, date: Any, counter_account: str = ""
) -> WithdrawalCheck:
    """A dry run of ``withdraw`` for the review step (page) and the API's check: the same
    refusals with the same messages (permission, amount, date, account kind, counter
    account, the business date, a member who is not active, a closed account, the
    balance, a large withdrawal already waiting), read without the lock; nothing is
    written. ``withdraw`` checks
    everything again under the lock when the teller confirms."""
    koperasi = account.koperasi
    _roles, amount, date, _counter = _withdrawal_inputs(
        account, actor=actor, amount=amount, date=date, counter_account=counter_account
    )
    found = (
        SavingsAccount.objects.filter(koperasi=koperasi, pk=account.pk)
        .values_list("balance", "status", "number", "member__status", "member__number")
        .first()
    )
    if found is None:
        raise SavingsError(_("The account was not found."), field="account")
    balance, status, number, member_status, member_number = found
    _require_member_active(_MemberState(member_status, member_number))
    if status != AccountStatus.OPEN:
        raise _closed(number)
    if balance < amount:
        raise _not_enough(number, balance)
    _business_date(koperasi, date, account)
    needs_approval = _withdrawal_waits(koperasi, amount, date)
    if needs_approval:
        _refuse_second_request(koperasi, account)
    return WithdrawalCheck(amount=amount, balance=balance, needs_approval=needs_approval)


def _request_withdrawal(
    account, actor, roles, amount, date, key, memo, counter=chart.CASH, kind=TxnKind.WITHDRAWAL
) -> WithdrawalRequest:
    """A teller movement that waits for a second officer: a large (or back-dated)
    withdrawal, or a deposit above the AD/ART ``deposit_approval_threshold`` (``kind``)."""
    koperasi = account.koperasi
    with transaction.atomic():
        _lock(koperasi)
        existing = WithdrawalRequest.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            if (existing.account_id, existing.amount, existing.kind) != (
                account.pk,
                amount,
                kind,
            ):
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another transaction with "
                        "different content. Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            existing.replayed = True
            return existing
        member = Member.objects.get(pk=account.member_id)
        _require_member_active(member)
        fresh = SavingsAccount.objects.get(pk=account.pk)
        if kind == TxnKind.WITHDRAWAL and fresh.balance < amount:
            raise _not_enough(fresh.number, fresh.balance)
        _refuse_second_request(koperasi, account, kind)
        request = WithdrawalRequest.objects.create(
            koperasi=koperasi,
            account=account,
            kind=kind,
            amount=amount,
            date=date,
            memo=(memo or "")[:200],
            idempotency_key=key,
            counter_account=counter,
            proposed_by=actor,
        )
        record(
            f"savings.{kind}.requested",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=request,
            summary={"account": account.number, "amount": amount},
        )
    return request


def approve_withdrawal(request: WithdrawalRequest, *, actor) -> SavingsTransaction:
    """A second officer approves a waiting withdrawal (the balance is checked again) or a
    large deposit (``request.kind``): the money moves now.

    The officer who asked can never approve (also a database check constraint).
    """
    koperasi = request.koperasi
    roles = check_decider(request, actor, "savings.approve_withdrawal")
    with transaction.atomic():
        _lock(koperasi)
        request = WithdrawalRequest.objects.select_related("account").get(pk=request.pk)
        settle(request, actor=actor, state=ProposalState.APPROVED)
        account = request.account
        member = Member.objects.get(pk=account.member_id)
        _require_member_active(member)
        incoming = request.kind == TxnKind.DEPOSIT
        counter_line = LineDraft.debit if incoming else LineDraft.credit
        (txn,) = _apply(
            koperasi,
            actor=actor,
            date=request.date,
            memo=request.memo or book_text(koperasi, MEMOS[request.kind], number=account.number),
            moves=[
                Move(
                    account,
                    request.kind,
                    request.amount if incoming else -request.amount,
                    request.memo,
                )
            ],
            other_lines=[counter_line(request.counter_account, request.amount)],
            key=request.idempotency_key,
            source=f"savings.{request.kind}",
        )
        request.transaction = txn
        request.save(update_fields=["transaction"])
        record(
            f"savings.{request.kind}.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=request,
            summary={
                "account": account.number,
                "amount": request.amount,
                "requested_by": str(request.proposed_by),
                "entry": txn.entry.number if txn.entry else None,
            },
        )
    return txn


def reject_withdrawal(request: WithdrawalRequest, *, actor, reason: str = "") -> WithdrawalRequest:
    """A second officer turns a waiting withdrawal or deposit down; nothing moves. Her
    reason is kept as the request's ``decision_note``."""
    return approvals.reject(
        request,
        actor=actor,
        permission="savings.approve_withdrawal",
        note=reason or "",
        action=f"savings.{request.kind}.rejected",
        summary={"amount": request.amount, "reason": (reason or "")[:500]},
    )
