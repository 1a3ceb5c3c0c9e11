"""The movement core: every savings movement is written here (hand-written SQL: the transaction
inserts, the replay and the locked reads).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain import dates
from kopdes.domain.ledger import LineDraft
from kopdes.ledger import chart
from kopdes.ledger import services as ledger
from kopdes.ledger.errors import IdempotencyConflictError, LedgerError
from kopdes.platform.audit.services import ChainReads, record_batched
from kopdes.platform.core.booktext import book_text
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, execute_groups
from kopdes.platform.identity.permissions import role_label
from kopdes.savings.choices import (
    AccountStatus,
    TxnKind,
)
from kopdes.savings.errors import SavingsError
from kopdes.savings.models import (
    SavingsAccount,
    SavingsTransaction,
)
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


@dataclass
class _Fresh:
    """An account's row as read under the lock."""

    pk: Any
    balance: int
    last_seq: int
    status: str
    ledger_code: str
    member_id: Any
    number: str


_TXN_COLUMNS = (
    "id", "koperasi_id", "account_id", "member_id", "seq", "kind", "date", "amount",
    "balance_after", "entry_id", "idempotency_key", "memo", "created_by_id", "created_at",
)  # fmt: skip


_TXN_ROW = "(" + ", ".join(["%s"] * len(_TXN_COLUMNS)) + ")"
_TXN_ROWS_PER_STATEMENT = 500  # 7,000 parameters: inside SQLite's and PostgreSQL's limits


def _transaction_inserts(txns: Sequence[SavingsTransaction]) -> list[tuple[str, list]]:
    """Multi-row INSERTs of passbook rows (bulk_create's per-field preparation dominated
    the monthly jasa run); the instances count as saved."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for t in txns:
        t.created_at = now
        rows.extend(
            (
                _db_uuid(t.id), _db_uuid(t.koperasi_id), _db_uuid(t.account_id),
                _db_uuid(t.member_id), t.seq, t.kind, ops.adapt_datefield_value(t.date),
                t.amount, t.balance_after, _db_uuid(t.entry_id) if t.entry_id else None,
                t.idempotency_key, t.memo, _maybe_uuid(t.created_by_id), now,
            )
        )  # fmt: skip
        t._state.adding = False
        t._state.db = connection.alias
    width = len(_TXN_COLUMNS) * _TXN_ROWS_PER_STATEMENT
    return [
        (
            f"INSERT INTO savings_savingstransaction ({', '.join(_TXN_COLUMNS)}) VALUES "  # noqa: S608 (constants)
            + ", ".join([_TXN_ROW] * (len(chunk) // len(_TXN_COLUMNS))),
            chunk,
        )
        for chunk in (rows[start : start + width] for start in range(0, len(rows), width))
    ]


def _replay_statement(koperasi, moves: Sequence[Move], key: str) -> tuple[str, list]:
    # Plain SQL: on every teller call this finds nothing, and the ORM's query compilation
    # would cost more than the lookup (bench savings_teller).
    first = moves[0]
    return (
        "SELECT entry_id FROM savings_savingstransaction WHERE koperasi_id = %s "
        "AND account_id = %s AND kind = %s AND idempotency_key = %s LIMIT 1",
        [_db_uuid(koperasi.pk), _db_uuid(first.account.pk), first.kind, key],
    )


def _replay(
    koperasi, moves: Sequence[Move], key: str, found: list[tuple] | None = None
) -> list[SavingsTransaction] | None:
    """The movements already recorded under ``key`` (same content), or None if new.

    ``found``: the rows of ``_replay_statement`` when the caller read them in its batch.
    """
    if found is None:
        (found,) = execute_batch([_replay_statement(koperasi, moves, key)])
    if not found:
        return None
    found = found[0]
    txns = list(
        SavingsTransaction.objects.filter(
            koperasi=koperasi, idempotency_key=key, entry_id=_maybe_uuid(found[0])
        )
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


def _accounts_statement(koperasi, ids) -> tuple[str, list]:
    """The accounts ``_apply`` re-reads under the lock: plain rows, not model instances
    (the ORM's query compilation would cost a teller call more than the read)."""
    id_list = [_db_uuid(pk) for pk in ids]
    return (
        "SELECT id, balance, last_seq, status, ledger_code, member_id, number "  # noqa: S608 (placeholders only)
        "FROM savings_savingsaccount WHERE koperasi_id = %s "
        f"AND id IN ({', '.join(['%s'] * len(id_list))})",
        [_db_uuid(koperasi.pk), *id_list],
    )


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
    account_rows: list[tuple] | None = None,
    reads: ledger.BookReads | None = None,
    writes: list[tuple[str, list[Any]]] | None = None,
) -> list[SavingsTransaction]:
    """Post ``moves`` (+ the counter lines) as one entry and record the passbook rows.

    Must run inside ``transaction.atomic()`` after ``_lock``. Re-reads the accounts under
    the lock (or takes ``account_rows``, the rows of ``_accounts_statement`` the caller
    read under it) and refuses any move that would take a balance below zero.
    ``reads`` and ``writes``: the teller reads everything in one batch and writes
    everything in another (``_single``): the entry goes through ``ledger.post_batched``
    with ``reads`` and its statements are added to ``writes``.
    """
    ids = {m.account.pk for m in moves}
    rows = account_rows
    if rows is None:
        (rows,) = execute_batch([_accounts_statement(koperasi, ids)])
    fresh = {}
    for pk, balance, last_seq, status, code, member_id, number in rows:
        pk = uuid.UUID(str(pk))
        fresh[pk] = _Fresh(pk, balance, last_seq, status, code, uuid.UUID(str(member_id)), number)
    balances = {pk: a.balance for pk, a in fresh.items()}
    seqs = {pk: a.last_seq for pk, a in fresh.items()}
    lines: list[LineDraft] = []
    for m in moves:
        account = fresh[m.account.pk]
        # Not before the account was opened; an opening balance is the account's start.
        opened_on = getattr(m.account, "opened_on", None) if m.kind != TxnKind.OPENING else None
        try:
            dates.check_not_before_opening(date, opened_on, "rekening dibuka")
        except dates.BusinessDateError as exc:
            raise SavingsError(exc.message, field="date") from exc
        if account.status != AccountStatus.OPEN and not allow_closed:
            raise _closed(account.number)
        balances[account.pk] += m.amount
        if balances[account.pk] < 0:
            raise _not_enough(account.number, balances[account.pk] - m.amount)
        line = LineDraft.credit if m.amount > 0 else LineDraft.debit
        lines.append(
            line(
                account.ledger_code,
                abs(m.amount),
                subledger_kind=SUBLEDGER,
                subledger_ref=str(account.pk),
                memo=(m.memo or account.number)[:200],
            )
        )
    entry_fields = {
        "actor": actor,
        "date": date,
        "memo": memo,
        "lines": [*lines, *other_lines],
        "source": source,
        "source_ref": str(moves[0].account.pk) if len(ids) == 1 else "",
        "reverses": reverses,
        **({"kind": entry_kind} if entry_kind else {}),
    }
    try:
        if reads is None:
            # Every caller of _apply records its own event naming the passbook row(s),
            # which carry the entry: one audit event per teller operation.
            entry = ledger.post(
                koperasi, idempotency_key=_ledger_key(key), audited_by_caller=True, **entry_fields
            )
        else:
            entry, entry_writes = ledger.post_batched(reads, **entry_fields)
            assert writes is not None
            writes += entry_writes
    except IdempotencyConflictError as exc:
        raise ConflictError(exc.message, field="idempotency_key") from exc
    except LedgerError as exc:
        raise SavingsError(exc.message, field=exc.field) from exc
    running = {pk: fresh[pk].balance for pk in fresh}
    txns: list[SavingsTransaction] = []
    for m in moves:
        pk = m.account.pk
        seqs[pk] += 1
        running[pk] += m.amount
        txns.append(
            SavingsTransaction(
                koperasi=koperasi,
                account_id=pk,
                member_id=fresh[pk].member_id,
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
    # The passbook rows and the accounts' new balances: one round trip on PostgreSQL.
    statements = [
        *_transaction_inserts(txns),
        *(
            (
                "UPDATE savings_savingsaccount SET balance = %s, last_seq = %s WHERE id = %s",
                [running[pk], seqs[pk], _db_uuid(pk)],
            )
            for pk in fresh
        ),
    ]
    if writes is None:
        execute_batch(statements)
    else:
        writes.extend(statements)
    for m in moves:
        m.account.balance = running[m.account.pk]
        m.account.last_seq = seqs[m.account.pk]
    return txns


def _ledger_key(key: str) -> str:
    """The journal entry's idempotency key for a savings operation's key."""
    return f"savings:{key}"


def _db_uuid(value):
    return value if connection.features.has_native_uuid_field else value.hex


def _maybe_uuid(value):
    return _db_uuid(value) if isinstance(value, uuid.UUID) else value


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


class _MemberState(NamedTuple):
    status: str
    number: str


def _member_statement(member_id) -> tuple[str, list]:
    """The member's status as it is now, to read under the lock (a plain query)."""
    return "SELECT status, number FROM members_member WHERE id = %s", [_db_uuid(member_id)]


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
        own = [
            lock_statement(ledger.lock_name(koperasi)),
            _replay_statement(koperasi, [move], key),
            _member_statement(account.member_id),
            _accounts_statement(koperasi, [account.pk]),
        ]
        own_rows, book_rows, chain_rows = execute_groups(
            [own, books.statements(), chain.statements()]
        )
        *_lock_rows, found, member_rows, account_rows = own_rows
        books.take(book_rows)
        chain.take(chain_rows)
        replay = _replay(koperasi, [move], key, found)
        if replay is not None:
            return replay[0]
        _require_member_active(_MemberState(*member_rows[0]), allow_candidate=allow_candidate)
        writes: list[tuple[str, list[Any]]] = []
        (txn,) = _apply(
            koperasi,
            actor=actor,
            date=date,
            memo=memo or book_text(koperasi, MEMOS[kind], number=account.number),
            moves=[move],
            other_lines=other_lines,
            key=key,
            source=f"savings.{kind}",
            account_rows=account_rows,
            reads=books,
            writes=writes,
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
        execute_batch([*writes, *event.writes], commit=True)
    return txn
