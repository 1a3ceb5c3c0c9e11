"""The hand-written SQL of the savings movements, and nothing else.

A teller's deposit or withdrawal reads the account and writes the passbook row while
holding the koperasi's lock (``services.movement._single``: one batch of reads, one of
writes with the COMMIT, docs/decisions/0004), and the monthly jasa run writes ten
thousand rows at once (``services.jasa``); these statements are written by hand for those
two paths. Table and column names come from the models' ``_meta``; rows travel as named
tuples whose field names are the models' attnames (checked against the model the first
time a statement is built, so a new column cannot be silently left out). Everything else
in savings uses the ORM.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, Protocol

from django.db import connection, models

from kopdes.members.models import Member
from kopdes.platform.core.locks import lock_statement
from kopdes.platform.core.rows import execute_batch, execute_groups
from kopdes.savings.models import JasaPosting, SavingsAccount, SavingsTransaction

Statement = tuple[str, list[Any]]

ROWS_PER_STATEMENT = 500  # 7,000 parameters: inside SQLite's and PostgreSQL's limits


# --- rows -------------------------------------------------------------------------------


class TxnRow(NamedTuple):
    """A ``SavingsTransaction`` (passbook row) as inserted, values adapted for the database."""

    id: Any
    koperasi_id: Any
    account_id: Any
    member_id: Any
    seq: int
    kind: str
    date: Any
    amount: int
    balance_after: int
    entry_id: Any
    idempotency_key: str
    memo: str
    created_by_id: Any
    created_at: Any


class JasaPostingRow(NamedTuple):
    """A ``JasaPosting`` as inserted, values adapted for the database."""

    id: Any
    koperasi_id: Any
    account_id: Any
    period: int
    basis_amount: int
    jasa_amount: int
    tax_amount: int
    entry_id: Any


class AccountState(NamedTuple):
    """An account as a movement re-reads it under the lock."""

    id: uuid.UUID
    balance: int
    last_seq: int
    status: str
    ledger_code: str
    member_id: uuid.UUID
    number: str


class BalanceUpdate(NamedTuple):
    """An account's new balance and passbook sequence after its movements."""

    balance: int
    last_seq: int
    id: Any  # the account's id, adapted for the database


class MemberState(NamedTuple):
    """The member's status as it is now (``_require_member_active`` reads these two)."""

    status: str
    number: str


# --- names and values -------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: type[models.Model], attname: str) -> str:
    return _quoted_column(model, attname, connection.vendor)


@functools.cache
def _quoted_column(model: type[models.Model], attname: str, vendor: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return _quote(field.column)
    raise LookupError(f"{model.__name__} has no column {attname}")


def _columns(model: type[models.Model], attnames: Iterable[str]) -> str:
    return ", ".join(_column(model, name) for name in attnames)


def _table(model: type[models.Model]) -> str:
    return _quote(model._meta.db_table)


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def uuid_adapter() -> Callable[[uuid.UUID], Any]:
    """``uuid -> database value`` for these statements, decided once per call (reading
    ``connection.features`` per value cost more than the insert in the jasa run)."""
    if connection.features.has_native_uuid_field:
        return lambda value: value
    return lambda value: value.hex


def db_uuid(value: uuid.UUID) -> Any:
    """A primary or foreign key as the database stores it (hex text on SQLite)."""
    return uuid_adapter()(value)


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# --- inserts and updates ----------------------------------------------------------------


@functools.cache
def _insert_head(model: type[models.Model], row: type[tuple], vendor: str) -> str:
    fields: tuple[str, ...] = row._fields  # type: ignore[attr-defined]
    attnames = {f.attname for f in model._meta.concrete_fields}
    if attnames != set(fields):
        raise AssertionError(
            f"{row.__name__} does not match {model.__name__}'s columns: "
            f"{sorted(attnames ^ set(fields))}"
        )
    return f"INSERT INTO {_table(model)} ({_columns(model, fields)}) VALUES "  # noqa: S608 (model's names)


def _inserts(model: type[models.Model], rows: Sequence[tuple]) -> list[Statement]:
    """Multi-row INSERTs: one statement for a teller's rows, 500 rows each for more."""
    if not rows:
        return []
    head = _insert_head(model, type(rows[0]), connection.vendor)
    row = "(" + _placeholders(len(rows[0])) + ")"
    return [
        (head + ", ".join([row] * len(chunk)), [value for r in chunk for value in r])
        for chunk in (
            rows[start : start + ROWS_PER_STATEMENT]
            for start in range(0, len(rows), ROWS_PER_STATEMENT)
        )
    ]


def _insert_each(model: type[models.Model], rows: Sequence[tuple]) -> None:
    """One single-row INSERT run for every row (``executemany``: prepared once on
    PostgreSQL), for the jasa run's ten thousand rows."""
    if not rows:
        return
    head = _insert_head(model, type(rows[0]), connection.vendor)
    with connection.cursor() as cursor:
        cursor.executemany(head + "(" + _placeholders(len(rows[0])) + ")", rows)


@functools.cache
def _balance_sql(vendor: str) -> str:
    sets = ", ".join(f"{_column(SavingsAccount, name)} = %s" for name in ("balance", "last_seq"))
    return f"UPDATE {_table(SavingsAccount)} SET {sets} WHERE {_column(SavingsAccount, 'id')} = %s"  # noqa: S608 (model's names)


def transaction_inserts(rows: Sequence[TxnRow]) -> list[Statement]:
    """The passbook rows' INSERTs, for the caller's write batch."""
    return _inserts(SavingsTransaction, rows)


def balance_updates(updates: Sequence[BalanceUpdate]) -> list[Statement]:
    """The accounts' new balances, one statement each (a teller moves one or two)."""
    sql = _balance_sql(connection.vendor)
    return [(sql, list(update)) for update in updates]


def write_run(
    txns: Sequence[TxnRow], balances: Sequence[BalanceUpdate], postings: Sequence[JasaPostingRow]
) -> None:
    """The jasa run's rows: passbook rows, balances and ``JasaPosting`` rows, each one
    prepared statement run for every row."""
    _insert_each(SavingsTransaction, txns)
    if balances:
        with connection.cursor() as cursor:
            cursor.executemany(_balance_sql(connection.vendor), balances)
    _insert_each(JasaPosting, postings)


# --- reads under the lock ---------------------------------------------------------------


@functools.cache
def _replay_sql(vendor: str) -> str:
    t = SavingsTransaction
    return (
        f"SELECT {_column(t, 'entry_id')} FROM {_table(t)} "  # noqa: S608 (model's names)
        f"WHERE {_column(t, 'koperasi_id')} = %s AND {_column(t, 'account_id')} = %s "
        f"AND {_column(t, 'kind')} = %s AND {_column(t, 'idempotency_key')} = %s LIMIT 1"
    )


def replay_statement(koperasi, account_id: uuid.UUID, kind: str, key: str) -> Statement:
    """The entry of a movement of ``kind`` on the account already recorded under ``key``
    (none on every fresh teller call: a plain read, no query compilation)."""
    return _replay_sql(connection.vendor), [db_uuid(koperasi.pk), db_uuid(account_id), kind, key]


def replayed_entry(rows: Sequence[tuple]) -> tuple[bool, uuid.UUID | None]:
    """The rows of ``replay_statement``: (already recorded?, its entry id)."""
    if not rows:
        return False, None
    entry_id = rows[0][0]
    return True, (_as_uuid(entry_id) if entry_id is not None else None)


@functools.cache
def _accounts_sql(vendor: str, count: int) -> str:
    a = SavingsAccount
    return (
        f"SELECT {_columns(a, AccountState._fields)} FROM {_table(a)} "  # noqa: S608 (model's names)
        f"WHERE {_column(a, 'koperasi_id')} = %s AND {_column(a, 'id')} IN ({_placeholders(count)})"
    )


def accounts_statement(koperasi, ids: Iterable[uuid.UUID]) -> Statement:
    """The accounts a movement re-reads under the lock (plain rows, not model instances)."""
    id_list = [db_uuid(pk) for pk in ids]
    return _accounts_sql(connection.vendor, len(id_list)), [db_uuid(koperasi.pk), *id_list]


def accounts_from(rows: Sequence[tuple]) -> dict[uuid.UUID, AccountState]:
    """The rows of ``accounts_statement`` by account id."""
    out = {}
    for row in rows:
        state = AccountState(*row)
        state = state._replace(id=_as_uuid(state.id), member_id=_as_uuid(state.member_id))
        out[state.id] = state
    return out


@functools.cache
def _member_sql(vendor: str) -> str:
    return (
        f"SELECT {_columns(Member, MemberState._fields)} FROM {_table(Member)} "  # noqa: S608 (model's names)
        f"WHERE {_column(Member, 'id')} = %s"
    )


def member_statement(member_id: uuid.UUID) -> Statement:
    """The member's status as it is now, to read under the lock."""
    return _member_sql(connection.vendor), [db_uuid(member_id)]


def member_from(rows: Sequence[tuple]) -> MemberState:
    return MemberState(*rows[0])


def movements_since(queryset: models.QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database returns them: ids in the
    database's form, dates as text on SQLite (the jasa run reads tens of thousands, and
    the ORM's per-value converters cost more than the query)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- sending ----------------------------------------------------------------------------


class Reads(Protocol):
    """Another module's reads sent in the same batch (``ledger.BookReads``,
    ``audit.ChainReads``): its statements, then its rows handed back."""

    def statements(self) -> list[Statement]: ...

    def take(self, results: Sequence[list[tuple]]) -> None: ...


class LockedRead(NamedTuple):
    """What a teller movement reads under the lock (``read_locked``)."""

    replayed: bool
    entry_id: uuid.UUID | None  # the replayed movement's entry
    member: MemberState
    accounts: dict[uuid.UUID, AccountState]


def read_locked(
    koperasi,
    *,
    lock: str,
    account_id: uuid.UUID,
    member_id: uuid.UUID,
    kind: str,
    key: str,
    also: Sequence[Reads] = (),
) -> LockedRead:
    """The lock named ``lock`` (unless this transaction holds it), whether ``key`` was
    already used for a movement of ``kind`` on the account, the member's status, the
    account, and the reads of ``also`` (whose ``take`` gets their rows): one round trip
    on PostgreSQL."""
    own = [
        lock_statement(lock),
        replay_statement(koperasi, account_id, kind, key),
        member_statement(member_id),
        accounts_statement(koperasi, [account_id]),
    ]
    own_rows, *others = execute_groups([own, *(reads.statements() for reads in also)])
    for reads, rows in zip(also, others, strict=True):
        reads.take(rows)
    *_lock_rows, found, member_rows, account_rows = own_rows
    replayed, entry_id = replayed_entry(found)
    return LockedRead(replayed, entry_id, member_from(member_rows), accounts_from(account_rows))


def read_replay(
    koperasi, account_id: uuid.UUID, kind: str, key: str
) -> tuple[bool, uuid.UUID | None]:
    """``replayed_entry`` read now."""
    (found,) = execute_batch([replay_statement(koperasi, account_id, kind, key)])
    return replayed_entry(found)


def read_accounts(koperasi, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, AccountState]:
    """``accounts_from`` read now (inside the caller's transaction, after its lock)."""
    (rows,) = execute_batch([accounts_statement(koperasi, ids)])
    return accounts_from(rows)


def send(statements: Sequence[Statement], *, commit: bool = False) -> None:
    """Run the caller's write batch (one round trip on PostgreSQL; ``commit``: see
    ``rows.execute_batch``)."""
    execute_batch(statements, commit=commit)
