"""Transfers between a member's savings accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.money import format_rupiah
from kopdes.members.models import Member
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
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
)
from kopdes.savings.services._common import (
    MEMOS,
    _business_date,
    _check_date,
    _check_key,
    _closed,
    _lock,
    _not_enough,
    _require_member_active,
    check_amount,
)
from kopdes.savings.services.movement import Move, _apply, _MemberState, _replay

TRANSFER_TARGETS = {SavingsKind.VOLUNTARY, SavingsKind.MANDATORY}


def _transfer_inputs(
    source: SavingsAccount, target: SavingsAccount, *, actor, amount: Any, date: Any
) -> tuple[frozenset, int, dt.date]:
    """What ``transfer`` refuses before it takes the lock, shared with ``check_transfer``."""
    koperasi = source.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    date = _check_date(date)
    if target.koperasi_id != source.koperasi_id or target.member_id != source.member_id:
        raise SavingsError(_("A transfer stays within one member's savings."), field="target")
    if source.pk == target.pk:
        raise SavingsError(_("Choose two different accounts."), field="target")
    if source.kind != SavingsKind.VOLUNTARY or target.kind not in TRANSFER_TARGETS:
        raise SavingsError(
            _("Transfers go from voluntary savings to voluntary or mandatory savings."),
            field="target",
        )
    if amount > koperasi.adart.withdrawal_approval_threshold:
        raise SavingsError(
            _("A transfer above %(limit)s must be done as an approved withdrawal and a deposit.")
            % {"limit": format_rupiah(koperasi.adart.withdrawal_approval_threshold)},
            field="amount",
        )
    return roles, amount, date


def check_transfer(
    source: SavingsAccount, target: SavingsAccount, *, actor, amount: Any, date: Any
) -> int:
    """A dry run of ``transfer`` for the review step: its refusals (as ``check_withdrawal``
    for a withdrawal), read without the lock, nothing written. The source's balance."""
    koperasi = source.koperasi
    _roles, amount, date = _transfer_inputs(source, target, actor=actor, amount=amount, date=date)
    _business_date(koperasi, date, source)
    _business_date(koperasi, date, target)
    rows = dict(
        (pk, rest)
        for pk, *rest in SavingsAccount.objects.filter(
            koperasi=koperasi, pk__in=[source.pk, target.pk]
        ).values_list("pk", "balance", "status", "number", "member__status", "member__number")
    )
    if len(rows) != 2:
        raise SavingsError(_("The account was not found."), field="account")
    balance, _status, number, member_status, member_number = rows[source.pk]
    _require_member_active(_MemberState(member_status, member_number))
    for pk in (source.pk, target.pk):
        if rows[pk][1] != AccountStatus.OPEN:
            raise _closed(rows[pk][2])
    if balance < amount:
        raise _not_enough(number, balance)
    return balance


def transfer(
    source: SavingsAccount,
    target: SavingsAccount,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    memo: str = "",
) -> tuple[SavingsTransaction, SavingsTransaction]:
    """Pemindahbukuan between one member's accounts: from sukarela to sukarela or wajib."""
    koperasi = source.koperasi
    roles, amount, date = _transfer_inputs(source, target, actor=actor, amount=amount, date=date)
    key = _check_key(idempotency_key)
    moves = [
        Move(
            source,
            TxnKind.TRANSFER_OUT,
            -amount,
            memo or book_text(koperasi, MEMOS["to"], number=target.number),
        ),
        Move(
            target,
            TxnKind.TRANSFER_IN,
            amount,
            memo or book_text(koperasi, MEMOS["from"], number=source.number),
        ),
    ]
    with transaction.atomic():
        _lock(koperasi)
        replay = _replay(koperasi, moves, key)
        if replay is not None:
            return replay[0], replay[1]
        member = Member.objects.get(pk=source.member_id)
        _require_member_active(member)
        out, into = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["transfer"], source=source.number, target=target.number),
            moves=moves,
            other_lines=[],
            key=key,
            source="savings.transfer",
        )
        record(
            "savings.transfer.posted",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=out,
            summary={"from": source.number, "to": target.number, "amount": amount},
        )
    return out, into
