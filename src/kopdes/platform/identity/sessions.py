"""Django's database sessions, read without compiling a query on every page request.

The same table, the same expiry rule (an expired session is no session); only the read
of the row goes through ``platform.core.rows.get_by`` instead of the ORM.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.utils import timezone

from kopdes.platform.core.rows import get_by


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = get_by(self.model, session_key=self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
