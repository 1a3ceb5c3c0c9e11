"""The movement core: every savings movement is written here (``_apply``; the teller's
deposit and withdrawal in two round trips under the lock, ``_single``). The SQL it sends
is in ``savings.posting``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import dates
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.ledger.models import JournalEntry
from kopdes.platform.audit.services import ChainReads, record_batched
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.identity.permissions import role_label
from kopdes.savings import posting
from kopdes.savings.choices import (
    AccountStatus,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
    SavingsTransaction,
)
from kopdes.savings.posting import AccountState
from kopdes.savings.posting import MemberState as _MemberState  # noqa: F401 (withdrawals, transfers)
from kopdes.savings.services._common import (
    MEMOS,
    SUBLEDGER,
    _closed,
    _not_enough,
    _require_member_active,
)

# --- the movement core --------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One signed movement on a savings account (+ into savings, - out of savings)."""

    account: SavingsAccount
    kind: str
    amount: int
    memo: str = ""


def _txn_rows(txns: Sequence[SavingsTransaction]) -> list[posting.TxnRow]:
    """The passbook rows as ``posting`` inserts them (``bulk_create``'s per-field
    preparation cost more than the insert); the instances count as saved."""
    ops = connection.ops
    db = posting.uuid_adapter()
    now = timezone.now()
    at = ops.adapt_datetimefield_value(now)
    rows = []
    for t in txns:
        t.created_at = now
        by = t.created_by_id
        rows.append(
            posting.TxnRow(
                id=db(t.id),
                koperasi_id=db(t.koperasi_id),
                account_id=db(t.account_id),
                member_id=db(t.member_id),
                seq=t.seq,
                kind=t.kind,
                date=ops.adapt_datefield_value(t.date),
                amount=t.amount,
                balance_after=t.balance_after,
                entry_id=db(t.entry_id) if t.entry_id else None,
                idempotency_key=t.idempotency_key,
                memo=t.memo,
                created_by_id=db(by) if isinstance(by, uuid.UUID) else by,
                created_at=at,
            )
        )
        t._state.adding = False
        t._state.db = connection.alias
    return rows


def _replay(
    koperasi,
    moves: Sequence[Move],
    key: str,
    found: tuple[bool, uuid.UUID | None] | None = None,
) -> list[SavingsTransaction] | None:
    """The movements already recorded under ``key`` (same content), or None if new.

    ``found``: (recorded?, entry id) as the caller read it in its batch
    (``posting.read_locked``); read here otherwise.
    """
    first = moves[0]
    replayed, entry_id = (
        found
        if found is not None
        else posting.read_replay(koperasi, first.account.pk, first.kind, key)
    )
    if not replayed:
        return None
    txns = list(
        SavingsTransaction.objects.filter(koperasi=koperasi, idempotency_key=key, entry_id=entry_id)
    )
    recorded = sorted((str(t.account_id), t.kind, t.amount) for t in txns)
    wanted = sorted((str(m.account.pk), m.kind, m.amount) for m in moves)
    if recorded != wanted:
        raise ConflictError(
            _(
                "This idempotency key was already used for another transaction with different "
                "content. Nothing was recorded."
            ),
            field="idempotency_key",
        )
    by_key = {(str(t.account_id), t.kind): t for t in txns}
    out = [by_key[(str(m.account.pk), m.kind)] for m in moves]
    for t in out:
        t.replayed = True
    return out


def _apply(
    koperasi,
    *,
    actor,
    date: dt.date,
    memo: str,
    moves: Sequence[Move],
    other_lines: Sequence[LineDraft],
    key: str,
    source: str,
    allow_closed: bool = False,
    reverses=None,
    entry_kind: str | None = None,
) -> list[SavingsTransaction]:
    """Post ``moves`` (+ the counter lines) as one entry and record the passbook rows.

    Must run inside ``transaction.atomic()`` after ``_lock``. Re-reads the accounts under
    the lock and refuses any move that would take a balance below zero. Every caller
    records its own event naming the passbook row(s), which carry the entry: one audit
    event per teller operation.
    """
    accounts = posting.read_accounts(koperasi, {m.account.pk for m in moves})
    lines = _lines(moves, accounts, date, allow_closed=allow_closed)
    fields = _entry_fields(actor, date, memo, moves, [*lines, *other_lines], source, reverses,
                           entry_kind)  # fmt: skip
    with _as_savings_errors():
        entry = ledger.post(
            koperasi, idempotency_key=_ledger_key(key), audited_by_caller=True, **fields
        )
    txns, writes = _passbook(koperasi, moves, accounts, entry, actor=actor, date=date,
                             memo=memo, key=key)  # fmt: skip
    posting.send(writes)
    return txns


def _apply_batched(
    books: ledger.BookReads,
    accounts: dict[uuid.UUID, AccountState],
    *,
    actor,
    date: dt.date,
    memo: str,
    moves: Sequence[Move],
    other_lines: Sequence[LineDraft],
    key: str,
    source: str,
) -> tuple[list[SavingsTransaction], list[posting.Statement]]:
    """``_apply``'s rules for ``_single``, which read the accounts and the books (``books``)
    in its own batch under the lock: the passbook rows, and the statements that write
    them and the entry, for the caller's write batch."""
    koperasi = books.koperasi
    lines = _lines(moves, accounts, date, allow_closed=False)
    fields = _entry_fields(actor, date, memo, moves, [*lines, *other_lines], source, None, None)
    with _as_savings_errors():
        entry, entry_writes = ledger.post_batched(books, **fields)
    txns, writes = _passbook(koperasi, moves, accounts, entry, actor=actor, date=date,
                             memo=memo, key=key)  # fmt: skip
    return txns, [*entry_writes, *writes]


def _lines(
    moves: Sequence[Move],
    accounts: dict[uuid.UUID, AccountState],
    date: dt.date,
    *,
    allow_closed: bool,
) -> list[LineDraft]:
    """The sub-ledger lines of ``moves``, each checked against its account as read under
    the lock: open, not before it was opened, never below zero."""
    balances = {pk: a.balance for pk, a in accounts.items()}
    lines: list[LineDraft] = []
    for m in moves:
        account = accounts[m.account.pk]
        # Not before the account was opened; an opening balance is the account's start.
        opened_on = getattr(m.account, "opened_on", None) if m.kind != TxnKind.OPENING else None
        try:
            dates.check_not_before_opening(date, opened_on, "rekening dibuka")
        except dates.BusinessDateError as exc:
            raise SavingsError(exc.message, field="date") from exc
        if account.status != AccountStatus.OPEN and not allow_closed:
            raise _closed(account.number)
        balances[account.id] += m.amount
        if balances[account.id] < 0:
            raise _not_enough(account.number, balances[account.id] - m.amount)
        line = LineDraft.credit if m.amount > 0 else LineDraft.debit
        lines.append(
            line(
                account.ledger_code,
                abs(m.amount),
                subledger_kind=SUBLEDGER,
                subledger_ref=str(account.id),
                memo=(m.memo or account.number)[:200],
            )
        )
    return lines


def _entry_fields(
    actor, date, memo, moves: Sequence[Move], lines, source, reverses, entry_kind
) -> dict[str, Any]:
    single = len({m.account.pk for m in moves}) == 1
    return {
        "actor": actor,
        "date": date,
        "memo": memo,
        "lines": lines,
        "source": source,
        "source_ref": str(moves[0].account.pk) if single else "",
        "reverses": reverses,
        **({"kind": entry_kind} if entry_kind else {}),
    }


@contextlib.contextmanager
def _as_savings_errors() -> Iterator[None]:
    """The ledger's refusals as the savings API reports them."""
    try:
        yield
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise SavingsError(exc.message, field=exc.field) from exc


def _passbook(
    koperasi,
    moves: Sequence[Move],
    accounts: dict[uuid.UUID, AccountState],
    entry: JournalEntry,
    *,
    actor,
    date: dt.date,
    memo: str,
    key: str,
) -> tuple[list[SavingsTransaction], list[posting.Statement]]:
    """The passbook rows of ``moves`` after ``entry``, and the statements inserting them
    and setting the accounts' new balances (``moves``' accounts are updated too)."""
    running = {pk: a.balance for pk, a in accounts.items()}
    seqs = {pk: a.last_seq for pk, a in accounts.items()}
    txns: list[SavingsTransaction] = []
    for m in moves:
        pk = m.account.pk
        seqs[pk] += 1
        running[pk] += m.amount
        txns.append(
            SavingsTransaction(
                koperasi=koperasi,
                account_id=pk,
                member_id=accounts[pk].member_id,
                seq=seqs[pk],
                kind=m.kind,
                date=date,
                amount=m.amount,
                balance_after=running[pk],
                entry=entry,
                idempotency_key=key,
                memo=(m.memo or memo)[:200],
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
        )
    db = posting.uuid_adapter()
    statements = [
        *posting.transaction_inserts(_txn_rows(txns)),
        *posting.balance_updates(
            [posting.BalanceUpdate(running[pk], seqs[pk], db(pk)) for pk in accounts]
        ),
    ]
    for m in moves:
        m.account.balance = running[m.account.pk]
        m.account.last_seq = seqs[m.account.pk]
    return txns, statements


def _ledger_key(key: str) -> str:
    """The journal entry's idempotency key for a savings operation's key."""
    return f"savings:{key}"


def _cash(koperasi) -> str:
    return chart.CASH


def resolve_counter_account(koperasi, code: str | None = None) -> str:
    """The cash or bank account money crosses the counter through: Kas when not chosen.

    Only Kas (1-1100) and the koperasi's open leaf accounts under Kas or Bank (see
    ``selectors.counter_accounts``); anything else (another koperasi's code, a savings or
    revenue account, a closed one) is refused, so a teller can never post a deposit to,
    say, a loan receivable.
    """
    from kopdes.savings.selectors import counter_accounts

    code = str(code or "").strip()
    if not code:
        return chart.CASH
    if code not in dict(counter_accounts(koperasi)):
        raise SavingsError(
            _("Choose Kas or one of the koperasi's bank accounts."), field="counter_account"
        )
    return code


def _single(
    account: SavingsAccount,
    *,
    actor,
    roles,
    kind: str,
    amount: int,
    date: dt.date,
    key: str,
    memo: str,
    action: str,
    other_lines: Sequence[LineDraft],
    allow_candidate: bool = False,
) -> SavingsTransaction:
    koperasi = account.koperasi
    move = Move(account, kind, amount, memo)
    # Every other teller of the koperasi waits while this one holds the lock, so under it
    # the operation is two round trips on PostgreSQL: the reads, then the writes with the
    # COMMIT.
    books = ledger.BookReads(
        koperasi,
        idempotency_key=_ledger_key(key),
        codes=[account.ledger_code, *(line.account for line in other_lines)],
    )
    chain = ChainReads(koperasi)
    with transaction.atomic():
        # The lock, the idempotency check, the member's status, the account, what the
        # ledger and the audit chain will read.
        read = posting.read_locked(
            koperasi,
            lock=ledger.lock_name(koperasi),
            account_id=account.pk,
            member_id=account.member_id,
            kind=kind,
            key=key,
            also=[books, chain],
        )
        replay = _replay(koperasi, [move], key, (read.replayed, read.entry_id))
        if replay is not None:
            return replay[0]
        _require_member_active(read.member, allow_candidate=allow_candidate)
        (txn,), writes = _apply_batched(
            books,
            read.accounts,
            actor=actor,
            date=date,
            memo=memo or book_text(koperasi, MEMOS[kind], number=account.number),
            moves=[move],
            other_lines=other_lines,
            key=key,
            source=f"savings.{kind}",
        )
        event = record_batched(
            chain,
            action,
            actor=actor,
            role=role_label(roles),
            obj=txn,
            summary={
                "account": account.number,
                "amount": abs(amount),
                "balance_after": txn.balance_after,
                "entry": txn.entry.number if txn.entry else None,
            },
        )
        posting.send([*writes, *event.writes], commit=True)
    return txn
