"""Corrections (koreksi) of savings transactions: request and maker-checker decision."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kopdes.domain.ledger import LineDraft
from kopdes.domain.money import format_rupiah
from kopdes.ledger import selectors as ledger_selectors
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
    Correction,
    SavingsAccount,
    SavingsTransaction,
)
from kopdes.savings.services._common import (
    MEMOS,
    SUBLEDGER,
    _business_date,
    _check_date,
    _check_key,
    _lock,
)
from kopdes.savings.services.movement import Move, _apply

# --- corrections (koreksi) ----------------------------------------------------------------

# Teller movements a correction may undo, and the entries they can come from. Jasa, tax,
# opening balances, term deposits and exit payouts have their own flows; a savings move
# made by the loans app is corrected there.
CORRECTABLE_KINDS = frozenset(
    {TxnKind.DEPOSIT, TxnKind.WITHDRAWAL, TxnKind.TRANSFER_IN, TxnKind.TRANSFER_OUT}
)
CORRECTABLE_SOURCES = frozenset(
    {"savings.deposit", "savings.withdrawal", "savings.pokok", "savings.transfer", "savings.batch"}
)


def _correction_scope(txn: SavingsTransaction) -> tuple[bool, list[SavingsTransaction]]:
    """(whole entry?, the rows to mirror). One member's operation (a deposit, both sides
    of a transfer) is undone as a whole; a collection of many members only this row."""
    rows = list(
        SavingsTransaction.objects.filter(koperasi_id=txn.koperasi_id, entry_id=txn.entry_id)
        .select_related("account")
        .order_by("id")
    )
    if len({r.member_id for r in rows}) == 1:
        return True, rows
    return False, [r for r in rows if r.pk == txn.pk]


def _check_reason(reason: str) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise SavingsError(_("Please write the reason for the correction."), field="reason")
    if len(reason) > 300:
        raise SavingsError(_("The reason may be at most 300 characters."), field="reason")
    return reason


def _already_corrected(koperasi, txn: SavingsTransaction, whole: bool, rows) -> None:
    from kopdes.ledger.models import JournalEntry

    open_requests = Correction.objects.filter(koperasi=koperasi).exclude(
        state=ProposalState.REJECTED
    )
    if whole:
        open_requests = open_requests.filter(entry_id=txn.entry_id)
    else:
        open_requests = open_requests.filter(
            Q(transaction_id=txn.pk) | Q(entry_id=txn.entry_id, whole_entry=True)
        )
    found = open_requests.first()
    if found is not None:
        if found.state == ProposalState.PENDING:
            raise SavingsError(
                _("A correction of this transaction is already waiting for approval.")
            )
        raise SavingsError(_("This transaction has already been corrected."))
    if JournalEntry.objects.filter(koperasi=koperasi, reverses_id=txn.entry_id).exists():
        raise SavingsError(_("This transaction has already been corrected."))


def request_correction(
    txn: SavingsTransaction,
    *,
    actor,
    reason: str,
    idempotency_key: str,
    date: dt.date | None = None,
):
    """Ask for a posted teller movement to be corrected (koreksi). Maker step.

    Deposits, withdrawals, transfers and pokok/wajib collections can be corrected; a
    second officer with ``savings.approve_correction`` approves (``approve_correction``).
    Nothing moves yet. The same key again returns the first request (``replayed``).
    Audited as ``savings.correction.requested``.
    """

    koperasi = txn.koperasi
    roles = require_perm(actor, koperasi, "savings.teller")
    reason = _check_reason(reason)
    key = _check_key(idempotency_key)
    date = _business_date(koperasi, _check_date(date or koperasi.today()), txn.account)
    with transaction.atomic():
        _lock(koperasi)
        existing = Correction.objects.filter(koperasi=koperasi, idempotency_key=key).first()
        if existing is not None:
            if existing.transaction_id != txn.pk:
                raise ConflictError(
                    _(
                        "This idempotency key was already used for another transaction with "
                        "different content. Nothing was recorded."
                    ),
                    field="idempotency_key",
                )
            existing.replayed = True
            return existing
        txn = SavingsTransaction.objects.select_related("entry", "account").get(pk=txn.pk)
        if (
            txn.kind not in CORRECTABLE_KINDS
            or txn.entry is None
            or txn.entry.source not in CORRECTABLE_SOURCES
        ):
            raise SavingsError(
                _(
                    "Only deposits, withdrawals, transfers and pokok/wajib collections made at "
                    "the counter can be corrected here."
                ),
                field="transaction",
            )
        if date < txn.date:
            raise SavingsError(
                _("The correction cannot be dated before the transaction."), field="date"
            )
        whole, rows = _correction_scope(txn)
        _already_corrected(koperasi, txn, whole, rows)
        if not whole and len(_counter_lines(txn.entry)) != 1:
            raise SavingsError(
                _("This collection cannot be corrected row by row; ask the bookkeeper."),
                field="transaction",
            )
        correction = Correction.objects.create(
            koperasi=koperasi,
            transaction=rows[0] if whole else txn,
            entry=txn.entry,
            whole_entry=whole,
            reason=reason,
            date=date,
            idempotency_key=key,
            proposed_by=actor,
        )
        record(
            "savings.correction.requested",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=correction,
            summary={
                "account": txn.account.number,
                "kind": txn.kind,
                "amount": txn.amount,
                "entry": txn.entry.number,
                "reason": reason,
            },
        )
    return correction


def _counter_lines(entry) -> list[LineDraft]:
    """The entry's lines off the savings sub-ledger (the cash side), mirrored."""
    return ledger_selectors.mirrored_lines(entry, except_subledger=SUBLEDGER)


def _refuse_negative(koperasi, rows) -> None:
    """A correction never takes a balance below zero: the money put in by the wrong
    deposit may already have been taken out (or moved on)."""
    effect: dict[Any, int] = defaultdict(int)
    for r in rows:
        effect[r.account_id] -= r.amount
    for acc_id, number, balance, status in SavingsAccount.objects.filter(
        koperasi=koperasi, pk__in=list(effect)
    ).values_list("pk", "number", "balance", "status"):
        if status != AccountStatus.OPEN:
            raise SavingsError(
                _("Account %(number)s is closed; it cannot be corrected.") % {"number": number},
                field="transaction",
            )
        if balance + effect[acc_id] < 0:
            raise SavingsError(
                _(
                    "This correction would make the balance of %(number)s negative: only "
                    "%(balance)s is left, the money has already been taken out. Nothing was "
                    "recorded."
                )
                % {"number": number, "balance": format_rupiah(balance)},
                field="transaction",
            )


def approve_correction(correction, *, actor):
    """A second officer approves a correction: the reversing entry is posted now.

    The officer who asked can never approve (also a database check constraint). A whole
    operation is mirrored line for line and the new entry ``reverses`` the original; a
    row of a many-member collection is mirrored with its share of the counter line. Each
    undone row gets a new passbook row of kind ``correction`` (the original is never
    edited). Refused if a balance would go below zero. Approving an approved correction
    again returns it unchanged (``replayed``). Audited as ``savings.correction.approved``.
    """
    from kopdes.ledger.choices import EntryKind

    koperasi = correction.koperasi
    roles = check_decider(correction, actor, "savings.approve_correction")
    with transaction.atomic():
        _lock(koperasi)
        c = Correction.objects.select_related("entry", "transaction").get(
            koperasi=koperasi, pk=correction.pk
        )
        if c.state == ProposalState.APPROVED:
            c.replayed = True
            return c
        settle(c, actor=actor, state=ProposalState.APPROVED)
        if c.whole_entry:
            rows = list(
                SavingsTransaction.objects.filter(koperasi=koperasi, entry_id=c.entry_id)
                .select_related("account")
                .order_by("id")
            )
            other = _counter_lines(c.entry)
        else:
            rows = [SavingsTransaction.objects.select_related("account").get(pk=c.transaction_id)]
            (counter,) = [line.account for line in _counter_lines(c.entry)]
            amount = rows[0].amount
            other = [
                LineDraft.credit(counter, amount)
                if amount > 0
                else LineDraft.debit(counter, -amount)
            ]
        _refuse_negative(koperasi, rows)
        moves = [
            Move(
                r.account,
                TxnKind.CORRECTION,
                -r.amount,
                book_text(koperasi, MEMOS["correction_row"], seq=r.seq, reason=c.reason)[:200],
            )
            for r in rows
        ]
        correction_memo = book_text(
            koperasi, MEMOS["correction"], number=c.entry.number, reason=c.reason
        )
        txns = _apply(
            koperasi,
            actor=actor,
            date=c.date,
            memo=correction_memo[:500],
            moves=moves,
            other_lines=other,
            key=f"correction:{c.pk}",
            source="savings.correction",
            reverses=c.entry if c.whole_entry else None,
            entry_kind=EntryKind.REVERSAL,
        )
        entry = txns[0].entry
        c.reversal_entry = entry
        c.save(update_fields=["reversal_entry"])
        _undo_activation(koperasi, rows, actor=actor, date=c.date)
        record(
            "savings.correction.approved",
            actor=actor,
            koperasi=koperasi,
            role=role_label(roles),
            obj=c,
            summary={
                "entry": c.entry.number,
                "reversal": entry.number,
                "rows": [{"account": r.account.number, "amount": -r.amount} for r in rows],
                "requested_by": str(c.proposed_by_id),
            },
        )
    c.transactions = txns
    return c


def _undo_activation(koperasi, rows, *, actor, date: dt.date) -> None:
    """A corrected pokok that had made a calon aktif: the member is a calon again."""
    for r in rows:
        if r.account.kind != SavingsKind.PRINCIPAL:
            continue
        if SavingsAccount.objects.filter(pk=r.account_id, balance__gt=0).exists():
            continue
        from kopdes.members.services import return_to_candidate

        others = SavingsAccount.objects.filter(
            koperasi=koperasi, member_id=r.member_id, balance__gt=0
        ).exclude(kind=SavingsKind.PRINCIPAL)
        if others.exists():
            raise SavingsError(
                _(
                    "Without simpanan pokok this member is a candidate again, but they still "
                    "have other savings: correct or return those first. Nothing was recorded."
                ),
                field="transaction",
            )
        member = Member.objects.get(koperasi=koperasi, pk=r.member_id)
        member.koperasi = koperasi
        return_to_candidate(member, actor=actor, date=date)


def reject_correction(correction, *, actor, reason: str = ""):
    """A second officer turns a correction down; nothing moves. Her reason is kept as the
    correction's ``decision_note``. Audited."""
    return approvals.reject(
        correction,
        actor=actor,
        permission="savings.approve_correction",
        note=reason or "",
        action="savings.correction.rejected",
        summary={"entry_id": str(correction.entry_id), "reason": (reason or "")[:500]},
    )
