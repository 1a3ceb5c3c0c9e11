"""The hand-written SQL of the loans: the repayment's locked read and writes (sent in the
teller's two round trips under the koperasi's lock, docs/decisions/0004), a re-amortised
schedule's deleted rows, and the daily job's classification updates. Table and column
names come from the models' ``_meta``; installment rows travel as ``ScheduleRow``.
Everything else in the loans uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from kopdes.loans.models import Installment, Loan, Repayment

Statement = tuple[str, list[Any]]

# What a payment, the daily job or a decision may have changed on a loan since the caller
# read it (before the lock): re-read with the rows, copied onto the caller's instance.
LIVE_FIELDS = (
    "status",
    "disbursed_on",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "prepaid",
    "closed_on",
    "dpd",
    "ppap_required",
)


@dataclass(slots=True)
class ScheduleRow:
    """One installment row as the repayment path reads and writes it: the numbers only.

    Building ~20 ``Installment`` model instances under the koperasi's lock cost more than
    reading them; ``dues_on``, ``_apply_to_rows``, ``_prepay`` and ``_snapshot`` need
    nothing but these attributes. ``pk`` is the id as the database returned it.
    """

    pk: Any
    period: int
    due_date: dt.date
    principal: int
    interest: int
    balance: int
    principal_paid: int
    interest_paid: int
    penalty_paid: int
    paid_on: dt.date | None

    @property
    def installment(self) -> int:
        return self.principal + self.interest

    @property
    def unpaid(self) -> int:
        return self.principal + self.interest - self.principal_paid - self.interest_paid


# The installment columns a repayment may write (everything but the keys).
ROW_FIELDS = (
    "due_date",
    "principal",
    "interest",
    "balance",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "paid_on",
)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _col(model, name: str) -> str:
    return _quote(model._meta.get_field(name).column)


@functools.cache
def locked_read_sql(vendor: str) -> str:
    # Model names only; built once per database vendor.
    loan_cols = ", ".join(f"l.{_col(Loan, n)}" for n in LIVE_FIELDS)
    row_cols = ", ".join(f"i.{_col(Installment, n)}" for n in ("id", "period", *ROW_FIELDS))
    return (
        f"SELECT EXISTS(SELECT 1 FROM {_quote(Repayment._meta.db_table)} r"  # noqa: S608 (model's names)
        f" WHERE r.{_col(Repayment, 'koperasi')} = %s"
        f" AND r.{_col(Repayment, 'idempotency_key')} = %s),"
        f" {loan_cols}, {row_cols}"
        f" FROM {_quote(Loan._meta.db_table)} l"
        f" LEFT JOIN {_quote(Installment._meta.db_table)} i"
        f" ON i.{_col(Installment, 'loan')} = l.{_col(Loan, 'id')}"
        f" AND i.{_col(Installment, 'koperasi')} = l.{_col(Loan, 'koperasi')}"
        f" WHERE l.{_col(Loan, 'id')} = %s ORDER BY i.{_col(Installment, 'period')}"
    )


def locked_read_statement(loan: Loan, key: str) -> Statement:
    """One statement to run under the lock: whether ``key`` was already used for a
    repayment of the koperasi, the loan's live figures and its installment rows in period
    order.

    On a replay the rows are read for nothing; a fresh key is the common case, and one
    round trip instead of three is what every waiting teller pays for.
    """
    pk = Loan._meta.pk
    return (
        locked_read_sql(connection.vendor),
        [
            pk.get_db_prep_value(loan.koperasi_id, connection),
            key,
            pk.get_db_prep_value(loan.pk, connection),
        ],
    )


def locked_read(loan: Loan, found: list[tuple]) -> tuple[bool, list[ScheduleRow]]:
    """The rows of ``locked_read_statement``: (key used?, installment rows); the loan's
    live figures are copied onto ``loan``."""
    if not found:
        raise Loan.DoesNotExist
    width = len(LIVE_FIELDS)
    for name, value in zip(LIVE_FIELDS, found[0][1 : 1 + width], strict=True):
        setattr(loan, name, value)
    rows = [ScheduleRow(*row[1 + width :]) for row in found if row[1 + width] is not None]
    return bool(found[0][0]), rows


def update_statements(model, pk_values_fields: list[tuple[Any, dict[str, Any]]]) -> list[Statement]:
    """UPDATEs of rows of ``model`` by primary key, one statement per row, values adapted as
    the ORM would. The repayment path writes a few known columns; compiling
    ``bulk_update``'s CASE expressions cost more than the statements."""
    meta = model._meta
    statements = []
    for pk, values in pk_values_fields:
        sets = ", ".join(f"{_col(model, n)} = %s" for n in values)
        statements.append(
            (
                f"UPDATE {_quote(meta.db_table)} SET {sets} WHERE {_quote(meta.pk.column)} = %s",  # noqa: S608 (model's own names)
                [meta.get_field(n).get_db_prep_save(v, connection) for n, v in values.items()]
                + [meta.pk.get_db_prep_save(pk, connection)],
            )
        )
    return statements


@functools.cache
def write_rows_sql(vendor: str, count: int) -> str:
    meta = Installment._meta
    fields = [meta.get_field(n) for n in ROW_FIELDS] + [meta.pk]
    if vendor == "postgresql":
        # A VALUES list takes its column types from its values, untyped here: cast them.
        row = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    else:
        row = ", ".join(["%s"] * len(fields))
    sets = ", ".join(f"{_quote(f.column)} = v.column{n}" for n, f in enumerate(fields[:-1], 1))
    table = _quote(meta.db_table)
    return (
        f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([f'({row})'] * count)}) AS v "  # noqa: S608 (model's names)
        f"WHERE {table}.{_quote(meta.pk.column)} = v.column{len(fields)}"
    )


def row_updates(rows: list[ScheduleRow]) -> list[Statement]:
    """The installment rows' new figures, as ONE statement (a re-amortised schedule
    changes every row still to come; each statement sent under the koperasi's lock has
    its own cost). Dates are adapted as the ORM adapts them; the sen figures are plain
    ints and the ids are the values the database returned."""
    if not rows:
        return []
    adapt = connection.ops.adapt_datefield_value
    params: list[Any] = []
    for r in rows:
        params += [
            adapt(r.due_date),
            r.principal,
            r.interest,
            r.balance,
            r.principal_paid,
            r.interest_paid,
            r.penalty_paid,
            adapt(r.paid_on),
            r.pk,
        ]
    return [(write_rows_sql(connection.vendor, len(rows)), params)]


def delete_rows(rows: Sequence[ScheduleRow]) -> None:
    """Delete installment rows a re-amortised schedule no longer has (by the ids the
    database returned)."""
    if not rows:
        return
    meta = Installment._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_quote(meta.db_table)} WHERE {_quote(meta.pk.column)} "  # noqa: S608 (model's own names)
            f"IN ({', '.join(['%s'] * len(rows))})",
            [r.pk for r in rows],
        )


def update_classifications(updates: Sequence[tuple[int, int, int, dt.date, Any]]) -> None:
    """The daily job's new (dpd, kolektibilitas, ppap_required, assessed_on) per loan id,
    as one prepared statement run for every changed loan."""
    if not updates:
        return
    names = ("dpd", "kolektibilitas", "ppap_required", "assessed_on")
    sets = ", ".join(f"{_col(Loan, n)} = %s" for n in names)
    pk = Loan._meta.pk
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_quote(Loan._meta.db_table)} SET {sets} WHERE {_quote(pk.column)} = %s",  # noqa: S608 (model's own names)
            [(*u[:4], pk.get_db_prep_value(u[4], connection)) for u in updates],
        )
