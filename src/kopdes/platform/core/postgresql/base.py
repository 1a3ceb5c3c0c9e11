"""Django's PostgreSQL backend, remembering which advisory locks this transaction holds
and which statements this session has prepared.

Locks: a teller's deposit takes the koperasi's ledger lock in the savings service and
again in ``ledger.post``, then the audit chain's lock: each ``pg_advisory_xact_lock`` is a
round trip made while every other teller of the koperasi waits. ``platform.core.locks``
skips a lock this transaction already holds, and this wrapper forgets them whenever they
could have been released: at COMMIT, ROLLBACK, a rollback to a savepoint (a lock taken
after the savepoint goes with it) and when the connection closes.

Prepared statements: ``rows.execute_batch`` sends a teller's reads, then her writes, as
one multi-statement query each. PostgreSQL parses and plans every statement of such a
query afresh, and for these short statements that is most of the server's time (a
deposit's nine reads: 1.1 ms planned each time, 0.5 ms as ``EXECUTE`` of prepared
statements), spent while the koperasi's other tellers wait on the lock. So ``bound``
prepares each statement once per session (``PREPARE``; PostgreSQL keeps a generic plan
after a few runs) and sends ``EXECUTE name(values)`` in its place, still one query.
``DATABASES["default"]["PREPARE_STATEMENTS"] = False`` turns this off, e.g. behind a
pooler in transaction mode, where a session's prepared statements are not the next
transaction's.

The transaction's BEGIN: psycopg sends it alone before the first query of a transaction;
``send`` puts it at the head of a batch instead, one round trip fewer for every teller's
posting (see ``send``).

Health checks: Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before every request
that reuses a connection; here the check looks at the socket instead (see
``close_if_health_check_failed``), one round trip fewer per request.
"""

from __future__ import annotations

import hashlib
import logging
import select
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DatabaseError
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg.adapt import Transformer

logger = logging.getLogger(__name__)

# A session keeps at most this many; statements beyond it are sent as plain SQL.
PREPARED_LIMIT = 512
# A bulk statement (an import, a month-end run) is sent as plain SQL: its planning is
# spread over its many rows, and it would only fill the session's memory.
PREPARED_MAX_VALUES = 256


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_locks: set[str] = set()
        # SQL text -> the name it is prepared under in this session, or None when
        # PostgreSQL refused to prepare it (it is then sent as plain SQL).
        self.prepared: dict[str, str | None] = {}

    def connect(self) -> None:
        self.prepared = {}
        super().connect()

    def _commit(self) -> None:
        self.held_locks.clear()
        super()._commit()

    def _rollback(self) -> None:
        self.held_locks.clear()
        super()._rollback()

    def _savepoint_rollback(self, sid) -> None:
        self.held_locks.clear()
        super()._savepoint_rollback(sid)

    def _close(self) -> None:
        self.held_locks.clear()
        self.prepared = {}
        super()._close()

    def close_if_health_check_failed(self) -> None:
        """Django's check before a request reuses the connection (``CONN_HEALTH_CHECKS``),
        without its ``SELECT 1`` round trip on every request: between requests the
        connection is idle and the server has nothing to say, so a readable socket holds
        its goodbye (a restart, ``pg_terminate_backend``) or EOF, and libpq's status
        knows a connection already broken. Either closes it and the request connects
        afresh. (After an error Django still asks ``is_usable``, which does run a query.)
        """
        if self.pool or self.connection is None or not self.health_check_enabled:
            return
        if self.health_check_done:
            return
        if not self._idle_and_quiet():
            self.close()
        self.health_check_done = True

    def _idle_and_quiet(self) -> bool:
        pgconn = self.connection.pgconn
        try:
            if pgconn.status != pq.ConnStatus.OK:
                return False
            if pgconn.transaction_status != pq.TransactionStatus.IDLE:
                return False
            readable, _writable, _failed = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return False
        return not readable

    def send(self, cursor, query: str) -> bool:
        """Run ``query`` (``rows.execute_batch``'s statements, joined) on ``cursor``. True
        when the transaction's BEGIN went at its head: psycopg opens a transaction with a
        BEGIN of its own, one round trip before the first query, so here the BEGIN rides
        with it (the caller then skips its result). Outside ``atomic()``, or once the
        transaction has begun, the query goes as it is."""
        conn = self.connection
        if conn.autocommit or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            cursor.execute(query)
            return False
        begin = conn._get_tx_start_command().decode()  # what psycopg would send
        # psycopg sends its BEGIN unless autocommit: for this one query it is told so (its
        # private flag: the public setter refuses to change back inside the transaction,
        # where the query leaves the connection). Pinned psycopg; tested.
        conn._autocommit = True
        try:
            cursor.execute(f"{begin};\n{query}")
        finally:
            conn._autocommit = False
        return True

    def bound(self, cursor, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[str]:
        """Each (sql, params) as a statement ready to send: ``EXECUTE name(values)`` of
        the session's prepared copy (prepared here on first use, one round trip for all
        that are new), or the SQL with its values bound by psycopg (``mogrify``) when it
        cannot be prepared. ``sql`` uses ``%s`` placeholders and no other ``%``."""
        if not self.settings_dict.get("PREPARE_STATEMENTS", True):
            return [cursor.mogrify(sql, params) for sql, params in statements]
        self._prepare(
            cursor, {sql for sql, params in statements if len(params) <= PREPARED_MAX_VALUES}
        )
        # Each value quoted by psycopg's own adapters, without parsing a query around them
        # (mogrify re-parses any query of more than 50 values: 175 us against 58 for 52),
        # and the commonest kinds directly (``_quote``).
        literal = Transformer.from_context(self.connection).as_literal
        plain_strings = self._standard_strings()
        out = []
        for sql, params in statements:
            name = self.prepared.get(sql)
            if name is None:
                out.append(cursor.mogrify(sql, params))
            elif params:
                values = ", ".join([_quote(value, literal, plain_strings) for value in params])
                out.append(f"EXECUTE {name}({values})")
            else:
                out.append(f"EXECUTE {name}")
        return out

    def _standard_strings(self) -> bool:
        status = self.connection.pgconn.parameter_status(b"standard_conforming_strings")
        return status == b"on"

    def _prepare(self, cursor, sqls: set[str]) -> None:
        new = [sql for sql in sqls if sql not in self.prepared]
        if not new:
            return
        plans = {}
        for sql in new:
            if len(self.prepared) + len(plans) >= PREPARED_LIMIT:
                break  # the rest go as plain SQL
            if "%%" in sql:
                self.prepared[sql] = None
                continue
            pieces = sql.split("%s")
            numbered = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))
            if "%" in numbered:
                self.prepared[sql] = None
                continue
            name = "kopdes_" + hashlib.blake2b(sql.encode(), digest_size=12).hexdigest()
            plans[sql] = (name, f"PREPARE {name} AS {numbered}")
        if not plans:
            return
        query = ";\n".join(text for _name, text in plans.values())
        # PREPARE is not undone by a rollback, but a refused one would abort the caller's
        # transaction: inside one, the attempt runs under a savepoint.
        in_transaction = not self.get_autocommit()
        try:
            if in_transaction:
                cursor.execute(
                    f"SAVEPOINT kopdes_prepare;\n{query};\nRELEASE SAVEPOINT kopdes_prepare"
                )
            else:
                cursor.execute(query)
        except DatabaseError as error:
            if in_transaction:
                cursor.execute(
                    "ROLLBACK TO SAVEPOINT kopdes_prepare; RELEASE SAVEPOINT kopdes_prepare"
                )
            # Some of them may exist now; their names are never used again in this session.
            logger.warning("statements sent unprepared: %s", error)
            for sql in plans:
                self.prepared[sql] = None
            return
        for sql, (name, _text) in plans.items():
            self.prepared[sql] = name


def _quote(value: Any, literal, plain_strings: bool) -> str:
    """``value`` as a literal, as psycopg's ``as_literal`` quotes it: a teller's batch
    carries a hundred-odd values, mostly ids, integers and short strings, and psycopg's
    adapter lookup costs about 1 us for each. With ``standard_conforming_strings`` on (the
    default since PostgreSQL 9.1; checked per connection) a string without backslashes or
    NULs is its characters between single quotes, a quote doubled. Anything else goes to
    psycopg."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str and plain_strings and "\\" not in value and "\0" not in value:
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "NULL"
    if kind is uuid.UUID:
        return f"'{value.hex}'::uuid"
    return literal(value).decode()
