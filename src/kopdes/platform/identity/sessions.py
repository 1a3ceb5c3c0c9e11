"""Django's database sessions, read without compiling a query on every page request.

The same table, the same expiry rule (an expired session is no session); only the read
of the row goes through ``platform.core.rows`` instead of the ORM, and it may come from a
caller's batch: ``identity.middleware`` reads the row in the same round trip as the
officer's user row and device (``row_statement``, then ``take_row``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.utils import timezone

from kopdes.platform.core.rows import first_from_rows, get_by, select_statement

_NOT_READ = object()


class SessionStore(db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._row_ahead: Any = _NOT_READ

    def row_statement(self) -> tuple[str, list[Any]] | None:
        """The statement reading this session's row, for a caller's batch; None when the
        request has no session key or the session is already loaded."""
        if not self.session_key or hasattr(self, "_session_cache"):
            return None
        return select_statement(self.model, session_key=self.session_key)

    def take_row(self, rows: list[tuple]) -> None:
        """The rows of ``row_statement``: the next load uses them instead of a query."""
        self._row_ahead = first_from_rows(self.model, rows)

    def _get_session_from_db(self):
        session, self._row_ahead = self._row_ahead, _NOT_READ
        if session is _NOT_READ:
            session = get_by(self.model, session_key=self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
