"""The teller's movements: deposit, simpanan pokok (activates the member), withdrawal."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.members.choices import MemberStatus
from kopdes.platform.audit.services import record
from kopdes.platform.core.booktext import book_text
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.savings.choices import (
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
    _check_key,
    _lock,
    _refuse_backdated_deposit,
    _require_member_active,
    check_amount,
)
from kopdes.savings.services.accounts import account_for
from kopdes.savings.services.movement import Move, _apply, _replay, _single, resolve_counter_account
from kopdes.savings.services.withdrawals import (
    _request_withdrawal,
    _withdrawal_inputs,
    _withdrawal_waits,
)

# --- teller -------------------------------------------------------------------------------


def deposit(
    account: SavingsAccount,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    memo: str = "",
    counter_account: str = "",
) -> SavingsTransaction | WithdrawalRequest:
    """Setoran: cash in (debit Kas, or the bank account chosen) to the member's account
    (credit its control account).

    Above the AD/ART ``deposit_approval_threshold``, or dated more than the AD/ART
    ``backdate_approval_days`` before today, nothing moves yet: a ``WithdrawalRequest``
    of kind ``deposit`` waits for a second officer (``approve_withdrawal``), as a large
    withdrawal does.

    Pokok, wajib and sukarela take deposits; a term deposit is placed once
    (``place_term_deposit``). A deposit to pokok by a calon activates the member.
    """
    koperasi = account.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    amount = check_amount(amount)
    key = _check_key(idempotency_key)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    if account.kind == SavingsKind.TERM:
        raise SavingsError(_("Money cannot be added to a term deposit."), field="account")
    if account.kind == SavingsKind.PRINCIPAL:
        return pay_principal(
            account.member,
            actor=actor,
            date=date,
            idempotency_key=key,
            amount=amount,
            counter_account=counter,
        )
    if amount > koperasi.adart.deposit_approval_threshold or _backdated(koperasi, date):
        # Maker-checker, as for a large withdrawal: nothing moves until another officer
        # approves (approve_withdrawal, which handles both directions). The date is
        # checked now; approval checks it again when it posts. A deposit dated further
        # back than the AD/ART backdate_approval_days waits the same way.
        _business_date(koperasi, date, account)
        return _request_withdrawal(
            account, actor, roles, amount, date, key, memo, counter, kind=TxnKind.DEPOSIT
        )
    return _single(
        account,
        actor=actor,
        roles=roles,
        kind=TxnKind.DEPOSIT,
        amount=amount,
        date=date,
        key=key,
        memo=memo,
        action="savings.deposit.posted",
        other_lines=[LineDraft.debit(counter, amount)],
    )


def pay_principal(
    member,
    *,
    actor,
    date: dt.date,
    idempotency_key: str,
    amount: int | None = None,
    counter_account: str = "",
) -> SavingsTransaction:
    """Simpanan pokok (once, the AD/ART amount). Paying it activates a calon member."""
    koperasi = member.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    key = _check_key(idempotency_key)
    date = _check_date(date)
    counter = resolve_counter_account(koperasi, counter_account)
    _refuse_backdated_deposit(koperasi, date)
    required = koperasi.adart.simpanan_pokok_amount
    if amount is not None and check_amount(amount) != required:
        raise SavingsError(
            _("Simpanan pokok is exactly %(amount)s (AD/ART).")
            % {"amount": format_rupiah(required)},
            field="amount",
        )
    _require_member_active(member, allow_candidate=True)
    with transaction.atomic():
        _lock(koperasi)
        account = account_for(member, SavingsKind.PRINCIPAL, date=date)
        move = Move(account, TxnKind.DEPOSIT, required)
        replay = _replay(koperasi, [move], key)
        if replay is not None:
            return replay[0]
        # Balance, not history: a pokok taken by mistake and corrected can be paid again.
        if account.balance > 0:
            raise SavingsError(
                _("Simpanan pokok of %(member)s has already been paid.")
                % {"member": member.number},
                field="member",
            )
        (txn,) = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=book_text(koperasi, MEMOS["pokok"], member=member.number),
            moves=[move],
            other_lines=[LineDraft.debit(counter, required)],
            key=key,
            source="savings.pokok",
        )
        record(
            "savings.principal.paid",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=txn,
            summary={"member": member.number, "amount": required},
        )
        if member.status == MemberStatus.CANDIDATE:
            from kopdes.members.services import activate_member

            activate_member(member, actor=actor, date=date)
    return txn


def withdraw(
    account: SavingsAccount,
    *,
    actor,
    amount: int,
    date: dt.date,
    idempotency_key: str,
    memo: str = "",
    counter_account: str = "",
) -> SavingsTransaction | WithdrawalRequest:
    """Penarikan from sukarela: never overdraws (balance checked under the ledger lock).

    Above the AD/ART ``withdrawal_approval_threshold``, or dated more than the AD/ART
    ``backdate_approval_days`` before today, nothing moves yet: a ``WithdrawalRequest``
    waits for a second officer (``approve_withdrawal``).
    """
    koperasi = account.koperasi
    roles, amount, date, counter = _withdrawal_inputs(
        account, actor=actor, amount=amount, date=date, counter_account=counter_account
    )
    key = _check_key(idempotency_key)
    # A large or back-dated withdrawal waits for a second officer; its date is checked
    # now (nothing is posted until approval, which checks it again).
    if _withdrawal_waits(koperasi, amount, date):
        _business_date(koperasi, date, account)
        return _request_withdrawal(account, actor, roles, amount, date, key, memo, counter)
    return _single(
        account,
        actor=actor,
        roles=roles,
        kind=TxnKind.WITHDRAWAL,
        amount=-amount,
        date=date,
        key=key,
        memo=memo,
        action="savings.withdrawal.posted",
        other_lines=[LineDraft.credit(counter, amount)],
    )
