"""Django's PostgreSQL backend with two additions: a health check that looks at the socket,
and, opted in, prepared statements for ``rows.execute_batch``.

Health checks: Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before every request
that reuses a connection; here the check looks at the socket instead (see
``close_if_health_check_failed``), one round trip fewer per request.

Prepared statements (``DATABASES["default"]["PREPARE_STATEMENTS"]``, ``KOPDES_PG_PREPARE=1``;
off by default): ``rows.execute_batch`` sends a teller's reads, then her writes, as one
multi-statement query each, and PostgreSQL parses and plans every statement of such a
query afresh. With the option on, ``bound`` prepares each statement once per session
(``PREPARE``) and sends ``EXECUTE name(values)`` in its place, still one query. A
session's prepared statements live on its server connection, so the option is only sound
with a direct connection: the system checks (``platform.core.checks``) refuse it behind a
pooler in transaction mode, with Django's connection pool, or with
``server_side_binding``.
"""

from __future__ import annotations

import hashlib
import logging
import select
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DatabaseError
from django.db.backends.postgresql import base
from psycopg import pq

logger = logging.getLogger(__name__)

# A session keeps at most this many; statements beyond it are sent as plain SQL.
PREPARED_LIMIT = 512
# A bulk statement (an import, a month-end run) is sent as plain SQL: its planning is
# spread over its many rows, and it would only fill the session's memory.
PREPARED_MAX_VALUES = 256


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # SQL text -> the name it is prepared under in this session, or None when
        # PostgreSQL refused to prepare it (it is then sent as plain SQL).
        self.prepared: dict[str, str | None] = {}

    def connect(self) -> None:
        self.prepared = {}  # a new session has nothing prepared
        super().connect()

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
        if not self.idle_and_quiet():
            self.close()
        self.health_check_done = True

    def idle_and_quiet(self) -> bool:
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

    def bound(self, cursor, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[str]:
        """Each (sql, params) as a statement ready to send, its values bound by psycopg
        (``mogrify``). With ``PREPARE_STATEMENTS``: ``EXECUTE name(values)`` of the
        session's prepared copy (prepared here on first use, one round trip for all that
        are new) where PostgreSQL accepted it. ``sql`` uses ``%s`` placeholders and no
        other ``%``."""
        if not self.settings_dict.get("PREPARE_STATEMENTS", False):
            return [cursor.mogrify(sql, params) for sql, params in statements]
        self.prepare(
            cursor, {sql for sql, params in statements if len(params) <= PREPARED_MAX_VALUES}
        )
        out = []
        for sql, params in statements:
            name = self.prepared.get(sql)
            if name is None:
                out.append(cursor.mogrify(sql, params))
            elif params:
                placeholders = ", ".join(["%s"] * len(params))
                out.append(cursor.mogrify(f"EXECUTE {name}({placeholders})", params))
            else:
                out.append(f"EXECUTE {name}")
        return out

    def prepare(self, cursor, sqls: set[str]) -> None:
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
