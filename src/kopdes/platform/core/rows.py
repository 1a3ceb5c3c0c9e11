"""Inserting and fetching model instances without the ORM's SQL compiler, for the few hot
paths every teller request takes.

``Model.objects.bulk_create`` compiles its INSERT afresh on every call (about 0.3 ms on
a laptop); a teller deposit writes four or five rows, and on SQLite the whole posting is
done under the database's single write lock, so that time is paid by every waiting
teller too. ``insert`` builds the statement once per model and adapts each value
exactly as Django would (``Field.get_db_prep_save``), so what lands in the database is
byte-for-byte what ``bulk_create`` would have written. No signals, no ``save()``: use it
only for append-only rows whose invariants the caller already checked.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from psycopg.pq import ExecStatus, TransactionStatus

M = TypeVar("M", bound=models.Model)


@functools.cache
def _statement(model: type[models.Model], vendor: str) -> tuple[str, str, tuple[Any, ...]]:
    fields = tuple(f for f in model._meta.concrete_fields if not f.generated)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 (model's names)
    row = "(" + ",".join(["%s"] * len(fields)) + ")"
    return head, row, fields


def insert(objs: Sequence[models.Model]) -> None:
    """INSERT ``objs`` (instances of one model, pks already set) in as few statements as
    the database allows, then mark them saved."""
    execute_batch(insert_statements(objs))


def insert_statements(objs: Sequence[models.Model]) -> list[tuple[str, list[Any]]]:
    """The INSERT statements ``insert`` runs, for a caller that sends them in its own
    ``execute_batch``; ``objs`` count as saved from here on (the caller must run them)."""
    if not objs:
        return []
    model = type(objs[0])
    db = _db()
    head, row, fields = _statement(model, db.vendor)
    per_statement = max(1, db.ops.bulk_batch_size(list(fields), objs))
    statements = []
    for start in range(0, len(objs), per_statement):
        chunk = objs[start : start + per_statement]
        params = [
            field.get_db_prep_save(getattr(obj, field.attname), db)
            for obj in chunk
            for field in fields
        ]
        statements.append((head + ",".join([row] * len(chunk)), params))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db.alias
    return statements


@functools.cache
def _select(model: type[models.Model], vendor: str) -> tuple[str, list[str], list[tuple]]:
    fields = list(model._meta.concrete_fields)
    table = model._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    converters = []
    for position, field in enumerate(fields):
        column = field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((position, found, column))
    head = f"SELECT {columns} FROM {quote(table)} WHERE "  # noqa: S608 (model's names)
    return head, [f.attname for f in fields], converters


def columns(model: type[models.Model]) -> list[str]:
    """The model's column names in the order ``from_rows`` expects them (for a caller that
    selects several models in one joined statement and splits each row)."""
    return [f.column for f in model._meta.concrete_fields]


@functools.cache
def _field(model: type[models.Model], attname: str) -> models.Field:
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def get_by(model: type[M], **equals: Any) -> M | None:
    """The one ``model`` row whose fields equal ``equals`` (None means IS NULL), or None.

    For the lookups every request makes (the koperasi by slug, the API token, the account
    of a teller call): the same instance ``Model.objects.filter(...).first()`` would give,
    values converted by the same converters, without compiling a query each time.
    Keys are field attnames (``koperasi_id``, not ``koperasi``); at most one row must match.
    """
    (found,) = execute_batch([select_statement(model, **equals)])
    return first_from_rows(model, found)


def filter_by(model: type[M], *, order_by: str = "", **equals: Any) -> list[M]:
    """Every ``model`` row whose fields equal ``equals``, as ``get_by`` builds them,
    ordered by the attname ``order_by`` (ascending) if given."""
    (found,) = execute_batch([select_statement(model, order_by=order_by, **equals)])
    return from_rows(model, found)


def select_statement(
    model: type[models.Model],
    *,
    order_by: str = "",
    where: tuple[str, Sequence[Any]] | None = None,
    **equals: Any,
) -> tuple[str, list[Any]]:
    """``filter_by``'s SELECT, for a caller that sends it in its own ``execute_batch``;
    ``from_rows`` builds the instances from its rows. ``where``: one more condition as
    (sql, params), for a lookup through another table in the same statement."""
    db = _db()
    head, _attnames, _converters = _select(model, db.vendor)
    quote = db.ops.quote_name
    clauses, params = [], []
    if where is not None:
        clauses.append(f"({where[0]})")
        params.extend(where[1])
    for name, value in equals.items():
        field = _field(model, name)
        if value is None:
            clauses.append(f"{quote(field.column)} IS NULL")
        else:
            clauses.append(f"{quote(field.column)} = %s")
            params.append(field.get_db_prep_value(value, db))
    sql = head + " AND ".join(clauses)
    if order_by:
        sql += f" ORDER BY {quote(_field(model, order_by).column)}"
    return sql, params


def from_rows(model: type[M], rows: Sequence[Sequence[Any]]) -> list[M]:
    """Instances of ``model`` from the rows of ``select_statement``, values converted by
    the ORM's own converters."""
    db = _db()
    _head, attnames, converters = _select(model, db.vendor)
    out = []
    for row in rows:
        values = list(row)
        for position, convert_all, column in converters:
            value = values[position]
            for convert in convert_all:
                value = convert(value, column, db)
            values[position] = value
        out.append(model.from_db(db.alias, attnames, values))
    return out


def first_from_rows(model: type[M], rows: Sequence[Sequence[Any]]) -> M | None:
    """The instance of the first of ``rows`` (``from_rows``), or None when there is none:
    the one row a caller's batch read by a unique key."""
    return from_rows(model, rows[:1])[0] if rows else None


def execute_batch(
    statements: Sequence[tuple[str, Sequence[Any]] | None],
    *,
    commit: bool = False,
) -> list[list[tuple[Any, ...]]]:
    """Run ``statements`` ((sql, params), in order; None entries are skipped) and return
    each one's rows (``[]`` for a statement that returns none).

    PostgreSQL: all of them in ONE round trip (Django's client-side binding cursor sends
    ``stmt; stmt; ...`` as one query, each statement with its own snapshot), which is what
    a teller posting under the koperasi's lock waits for. SQLite runs them one by one: it
    has no round trips to save. The first failing statement raises, as ``execute`` would;
    inside ``atomic()`` nothing of the batch is kept. No literal ``%`` in the SQL, and not
    inside psycopg's pipeline mode (which kopdes does not use: a query there holds one
    statement and has no rows before a sync).

    ``commit=True``: the batch is the last work of the caller's ``atomic()`` block. When
    that block is the outermost one, on PostgreSQL the COMMIT goes at the end of the same
    query, one round trip fewer while the koperasi's lock is held; the block's own COMMIT
    then finds nothing to do (psycopg sends none for an idle connection), and a COMMIT
    refused by a deferred check raises here, so the block rolls back as it would have.
    Nothing may follow the COMMIT: a statement after it would run outside the transaction
    (checked before sending, and the connection must be idle after it). Inside an outer
    transaction or savepoint (a caller's, a test's) the flag changes nothing.
    """
    todo = [s for s in statements if s is not None]
    if not todo:
        return []
    out: list[list[tuple[Any, ...]]] = []
    db = _db()
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # Each statement bound by psycopg (or, opted in, as EXECUTE of the session's
            # prepared copy), then all sent as one query (see platform/core/postgresql).
            query = db.bound(cursor, todo)
            committing = commit and _ends_outermost_block(db)
            if committing:
                _assert_no_transaction_control(todo)
                query.append("COMMIT")
            cursor.execute(";\n".join(query))
            # The results through psycopg's own cursor, under one translation of its errors
            # into Django's: Django's cursor wraps each method it hands out in a new
            # translating function, six per statement here.
            results = cursor.cursor
            with db.wrap_database_errors:
                for n in range(len(todo)):
                    if n:
                        results.nextset()
                    # The result's status, not ``description``: that builds a Column each.
                    returned = results.pgresult.status == ExecStatus.TUPLES_OK
                    out.append(results.fetchall() if returned else [])
            if committing and db.connection.pgconn.transaction_status != TransactionStatus.IDLE:
                raise AssertionError("a statement followed the COMMIT of a batch")
        else:
            for sql, params in todo:
                cursor.execute(sql, params)
                out.append(cursor.fetchall() if cursor.description is not None else [])
    return out


_TRANSACTION_CONTROL = ("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT")


def _assert_no_transaction_control(statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """A batch that ends with COMMIT holds no transaction control of its own: the COMMIT
    is the last statement of the transaction, and nothing runs after it."""
    for sql, _params in statements:
        words = sql.lstrip().split(None, 1)
        if words and words[0].upper().rstrip(";") in _TRANSACTION_CONTROL:
            raise AssertionError(f"a batch ending in COMMIT holds {words[0]!r}")


def _ends_outermost_block(db) -> bool:
    return (
        len(db.atomic_blocks) == 1
        and db.commit_on_exit
        and not db.needs_rollback
        and not db.get_autocommit()
    )


def _db():
    # The connection itself, looked up once per call: every attribute read through
    # ``django.db.connection`` (a proxy) is a context-local lookup of its own, and the
    # ORM's field adapters read the connection's ops and features for each value.
    return connections[DEFAULT_DB_ALIAS]


def execute_groups(
    groups: Sequence[Sequence[tuple[str, Sequence[Any]] | None]],
) -> list[list[list[tuple[Any, ...]]]]:
    """``execute_batch`` of several groups of statements (one round trip on PostgreSQL),
    the rows given back per group: for a caller that batches its own reads with those of
    the modules it calls (``ledger.posting.BookReads``)."""
    kept = [[s for s in group if s is not None] for group in groups]
    results = execute_batch([s for group in kept for s in group])
    out, start = [], 0
    for group in kept:
        out.append(results[start : start + len(group)])
        start += len(group)
    return out
