"""The hand-written SQL of the posting path, and nothing else.

``services.post`` reads the books and writes an entry while holding the koperasi's lock,
so every other posting of the koperasi waits for it; these statements are written by
hand to be sent in as few round trips as possible (``rows.execute_batch``), with the
teller's own reads and writes when it posts (``BookReads``, ``services.post_batched``).

Table and column names come from the models' ``_meta``; rows travel as named tuples whose
field names are the models' attnames (checked against the model the first time a
statement is built, so a new column cannot be silently left out). Everything else in the
ledger uses the ORM.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection, models

from kopdes.domain.ledger import Side
from kopdes.ledger.choices import PeriodStatus
from kopdes.ledger.models import (
    Account,
    AccountBalance,
    JournalEntry,
    JournalLine,
    Period,
    SubledgerBalance,
)
from kopdes.platform.core.ids import uuid7
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch

Statement = tuple[str, list[Any]]

ROWS_PER_STATEMENT = 500  # well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters


def lock_name(koperasi) -> str:
    """The name of the koperasi's ledger lock (``platform.core.locks``): modules that check
    balances before posting take it first."""
    return f"ledger:{koperasi.pk}"


# --- rows -------------------------------------------------------------------------------


class LineRow(NamedTuple):
    """A ``JournalLine`` as inserted, values already adapted for the database."""

    id: Any
    koperasi_id: Any
    entry_id: Any
    line_no: int
    account_id: Any
    side: str
    amount: int
    date: Any
    period: int
    business_unit: str
    subledger_kind: str
    subledger_ref: str
    memo: str


class EntryRow(NamedTuple):
    """A ``JournalEntry`` as inserted, values already adapted for the database."""

    id: Any
    koperasi_id: Any
    number: int
    date: Any
    period: int
    memo: str
    kind: str
    source: str
    source_ref: str
    business_unit: str
    idempotency_key: str
    reverses_id: Any
    total_amount: int
    line_count: int
    posted_by_id: Any
    posted_at: Any
    prev_hash: str
    hash: str


class AccountBalanceRow(NamedTuple):
    id: Any
    koperasi_id: Any
    account_id: Any
    business_unit: str
    period: int
    debit_total: int
    credit_total: int


class SubledgerBalanceRow(NamedTuple):
    id: Any
    koperasi_id: Any
    account_id: Any
    subledger_kind: str
    subledger_ref: str
    period: int
    debit_total: int
    credit_total: int


class AccountRow(NamedTuple):
    """An account as the posting reads it (code first: the row is looked up by code)."""

    code: str
    id: uuid.UUID
    koperasi_id: str  # text, as the domain's AccountFacts compares it
    is_active: bool
    subledger_kind: str


class Books(NamedTuple):
    """What a posting needs from the books, read under the koperasi's lock."""

    accounts: dict[str, AccountRow]
    last_closed: int | None  # the newest closed month (every month up to it counts as closed)
    number: int | None  # the chain head's number and hash (None: no entry yet)
    hash: str | None


class Read(NamedTuple):
    """``BookReads``'s result: the entry already posted under the key (id), and the books."""

    existing_id: uuid.UUID | None
    books: Books


# --- statements -------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[models.Model], attname: str) -> str:
    return _quoted_column(model, attname, connection.vendor)


@functools.cache
def _quoted_column(model: type[models.Model], attname: str, vendor: str) -> str:
    return _quote(model._meta.get_field(_field_name(model, attname)).column)


def _field_name(model: type[models.Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.name
    raise LookupError(f"{model.__name__} has no column {attname}")


def _table(model: type[models.Model]) -> str:
    return _quote(model._meta.db_table)


def _db_value(value: Any) -> Any:
    """A primary or foreign key as the ORM sends it (UUIDs as text on SQLite)."""
    return JournalEntry._meta.pk.get_db_prep_value(value, connection)


@functools.cache
def _insert_head(model: type[models.Model], row: type[tuple], vendor: str) -> str:
    attnames = {f.attname for f in model._meta.concrete_fields}
    if attnames != set(row._fields):  # type: ignore[attr-defined]
        raise AssertionError(
            f"{row.__name__} does not match {model.__name__}'s columns: "
            f"{sorted(attnames ^ set(row._fields))}"  # type: ignore[attr-defined]
        )
    columns = ", ".join(_column(model, name) for name in row._fields)  # type: ignore[attr-defined]
    return f"INSERT INTO {_table(model)} ({columns}) VALUES "  # noqa: S608 (model's names)


def _inserts(model: type[models.Model], rows: Sequence[tuple]) -> list[Statement]:
    """Multi-row INSERTs: one statement for a teller's entry, a few hundred rows each for
    a batch."""
    if not rows:
        return []
    head = _insert_head(model, type(rows[0]), connection.vendor)
    row = "(" + ",".join(["%s"] * len(rows[0])) + ")"
    return [
        (head + ",".join([row] * len(chunk)), [value for r in chunk for value in r])
        for chunk in (
            rows[start : start + ROWS_PER_STATEMENT]
            for start in range(0, len(rows), ROWS_PER_STATEMENT)
        )
    ]


@functools.cache
def _upsert_tail(model: type[models.Model], row: type[tuple], vendor: str) -> str:
    """``ON CONFLICT`` on the model's unique key, adding the totals to the stored row."""
    (unique,) = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    keys = ", ".join(_quote(model._meta.get_field(name).column) for name in unique.fields)
    table = _table(model)
    sums = ", ".join(
        f"{_column(model, name)} = {table}.{_column(model, name)} + excluded.{_column(model, name)}"
        for name in ("debit_total", "credit_total")
    )
    return f" ON CONFLICT ({keys}) DO UPDATE SET {sums}"


def _upserts(model: type[models.Model], rows: Sequence[tuple]) -> list[Statement]:
    if not rows:
        return []
    tail = _upsert_tail(model, type(rows[0]), connection.vendor)
    return [(sql + tail, params) for sql, params in _inserts(model, rows)]


def balance_upserts(koperasi, lines: Sequence[LineRow]) -> list[Statement]:
    """The statements adding ``lines`` to their monthly balance rows, summed per key
    first so each balance row is touched once per statement."""
    by_account: dict[tuple[Any, str, int], list[int]] = defaultdict(lambda: [0, 0])
    by_subledger: dict[tuple[Any, str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        i = 0 if line.side == Side.DEBIT else 1
        by_account[(line.account_id, line.business_unit, line.period)][i] += line.amount
        if line.subledger_kind:
            key = (line.account_id, line.subledger_kind, line.subledger_ref, line.period)
            by_subledger[key][i] += line.amount
    kop = _db_value(koperasi.pk)
    return [
        *_upserts(
            AccountBalance,
            [
                AccountBalanceRow(_db_value(uuid7()), kop, acc, unit, period, d, c)
                for (acc, unit, period), (d, c) in by_account.items()
            ],
        ),
        *_upserts(
            SubledgerBalance,
            [
                SubledgerBalanceRow(_db_value(uuid7()), kop, acc, kind, ref, period, d, c)
                for (acc, kind, ref, period), (d, c) in by_subledger.items()
            ],
        ),
    ]


def write_statements(
    koperasi, entries: Sequence[EntryRow], lines: Sequence[LineRow]
) -> list[Statement]:
    """Insert the rows (lines before their entries: the entry's insert trigger checks its
    lines) and add them to the monthly balances."""
    return [
        *_inserts(JournalLine, lines),
        *_inserts(JournalEntry, entries),
        *balance_upserts(koperasi, lines),
    ]


def write(koperasi, entries: Sequence[EntryRow], lines: Sequence[LineRow]) -> None:
    """Send ``write_statements`` now (one round trip on PostgreSQL)."""
    execute_batch(write_statements(koperasi, entries, lines))


@functools.cache
def _existing_sql(vendor: str) -> str:
    return (
        f"SELECT {_column(JournalEntry, 'id')} FROM {_table(JournalEntry)} "  # noqa: S608 (model's names)
        f"WHERE {_column(JournalEntry, 'koperasi_id')} = %s "
        f"AND {_column(JournalEntry, 'idempotency_key')} = %s"
    )


def existing_statement(koperasi, key: str) -> Statement:
    """The id of the entry posted under ``key``, if any."""
    return _existing_sql(connection.vendor), [_db_value(koperasi.pk), key]


@functools.cache
def _existing_many_sql(vendor: str, count: int) -> str:
    return (
        f"SELECT {_column(JournalEntry, 'idempotency_key')}, {_column(JournalEntry, 'id')}, "  # noqa: S608 (model's names)
        f"{_column(JournalEntry, 'number')} FROM {_table(JournalEntry)} "
        f"WHERE {_column(JournalEntry, 'koperasi_id')} = %s "
        f"AND {_column(JournalEntry, 'idempotency_key')} IN ({_placeholders(count)})"
    )


def existing_entries(koperasi, keys: Sequence[str]) -> dict[str, tuple[uuid.UUID, int]]:
    """key -> (id, number) of the entries already posted under any of ``keys``."""
    kop = _db_value(koperasi.pk)
    statements = [
        (_existing_many_sql(connection.vendor, len(chunk)), [kop, *chunk])
        for chunk in (keys[start : start + 500] for start in range(0, len(keys), 500))
    ]
    return {
        key: (uuid.UUID(str(pk)), number)
        for rows in execute_batch(statements)
        for key, pk, number in rows
    }


@functools.cache
def _accounts_sql(vendor: str, count: int) -> str:
    accounts = ", ".join(_column(Account, name) for name in AccountRow._fields)
    return (
        f"SELECT {accounts} FROM {_table(Account)} "  # noqa: S608 (model's names)
        f"WHERE {_column(Account, 'koperasi_id')} = %s "
        f"AND {_column(Account, 'code')} IN ({_placeholders(count)})"
    )


@functools.cache
def _head_sql(vendor: str) -> str:
    # One row always: the head's number and hash (NULL before the first entry) and the
    # newest closed month (NULL when none is closed).
    entries, kop = _table(JournalEntry), _column(JournalEntry, "koperasi_id")
    newest = (
        f"FROM {entries} WHERE {kop} = %s ORDER BY {_column(JournalEntry, 'number')} DESC LIMIT 1"
    )
    return (
        f"SELECT (SELECT {_column(JournalEntry, 'number')} {newest}), "  # noqa: S608 (model's names)
        f"(SELECT {_column(JournalEntry, 'hash')} {newest}), "
        f"(SELECT {_column(Period, 'period')} FROM {_table(Period)} "
        f"WHERE {_column(Period, 'koperasi_id')} = %s AND {_column(Period, 'status')} = %s "
        f"ORDER BY {_column(Period, 'period')} DESC LIMIT 1)"
    )


def books_statements(koperasi, codes: Sequence[str]) -> list[Statement]:
    """The two reads a posting needs: the accounts by code; the chain head with the
    newest closed month."""
    kop = _db_value(koperasi.pk)
    return [
        (_accounts_sql(connection.vendor, len(codes)), [kop, *codes]),
        (_head_sql(connection.vendor), [kop, kop, kop, str(PeriodStatus.CLOSED)]),
    ]


def books_from(account_rows, head_rows) -> Books:
    """``Books`` from the rows of ``books_statements``."""
    accounts = {}
    for row in account_rows:
        account = AccountRow(*row)
        accounts[account.code] = account._replace(
            id=uuid.UUID(str(account.id)),
            koperasi_id=str(uuid.UUID(str(account.koperasi_id))),
            is_active=bool(account.is_active),
        )
    number, head_hash, last_closed = head_rows[0]
    return Books(accounts, last_closed, number, head_hash)


def read_books(koperasi, codes: Sequence[str]) -> Books:
    """The books for a posting, read now (one round trip on PostgreSQL)."""
    return books_from(*execute_batch(books_statements(koperasi, sorted(set(codes)))))


def _placeholders(n: int) -> str:
    return ",".join(["%s"] * n)


class BookReads:
    """What a posting reads under the koperasi's lock, for a caller to send in its own
    batch: the lock (unless this transaction holds it), the idempotency key, the accounts
    by code, the chain head and the newest closed month.

    The caller sends ``statements()`` with its own reads (``rows.execute_groups``) inside
    its transaction, hands the rows to ``take``, and passes the object to
    ``services.post_batched``. Good for the next posting of that transaction only: an
    entry posted in between would make the chain head stale (the unique entry number
    would then refuse the posting loudly, never fork the chain).
    """

    def __init__(self, koperasi, *, idempotency_key: str, codes: Iterable[str]) -> None:
        self.koperasi = koperasi
        self.key = (idempotency_key or "").strip()
        self.codes = sorted(set(codes))
        self.read: Read | None = None

    def statements(self) -> list[Statement]:
        lock = lock_statement(lock_name(self.koperasi))
        return [
            *([lock] if lock is not None else []),
            existing_statement(self.koperasi, self.key),
            *books_statements(self.koperasi, self.codes),
        ]

    def take(self, results: Sequence[list[tuple]]) -> None:
        """The rows of ``statements()``, in order (the lock statement's included if any)."""
        *_lock, found, account_rows, head_rows = results
        existing = uuid.UUID(str(found[0][0])) if found else None
        self.read = Read(existing, books_from(account_rows, head_rows))

    def run(self) -> Read:
        """Send ``statements()`` now (one round trip on PostgreSQL) and keep the rows."""
        self.take(execute_batch(self.statements()))
        assert self.read is not None
        return self.read

    def use(self, koperasi, key: str, codes: Iterable[str]) -> Read:
        """The rows for one posting of ``key`` on ``codes``: those the caller read if they
        cover it, else read now. Either way they are used up."""
        read, self.read = self.read, None
        if (
            read is None
            or koperasi.pk != self.koperasi.pk
            or key != self.key
            or not set(codes) <= set(self.codes)
        ):
            read = BookReads(koperasi, idempotency_key=key, codes=codes).run()
        return read
