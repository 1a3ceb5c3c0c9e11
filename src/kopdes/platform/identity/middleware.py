"""django-otp's middleware with the session's device read as a plain fetch (see
``identity.backends`` for why), in the same round trip as the session's user, and from
a session's second request on, with the session's own row too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.utils.functional import empty
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware
from django_otp.models import Device

from kopdes.platform.core.rows import execute_batch, first_from_rows, get_by, select_statement

# Session key -> (user pk, device persistent id) it named on its last request in this
# process: which rows to read with the session's own row next time. Only ever a hint.
HINTS = 4096
_hints: dict[str, tuple[Any, str]] = {}

# Rows read ahead for the request being authenticated: ("user", pk) and ("device",
# persistent id) -> instance or None. Set only while django-otp resolves the user.
_ahead: ContextVar[dict[tuple[str, Any], Any] | None] = ContextVar("kopdes_otp_rows", default=None)


def read_ahead(kind: str, key: Any) -> tuple[bool, Any]:
    """(True, instance or None) when the row was read ahead for this request."""
    found = _ahead.get()
    if found is None or (kind, key) not in found:
        return False, None
    return True, found[(kind, key)]


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's middleware; the session's device (``"app.model/id"``) is a plain fetch.

    An officer's page request needs her user row (``auth.get_user``) and the device that
    verified her session: both are read in one round trip (with what a subclass adds:
    ``more_statements``), then django-otp decides as it always does. The checks that
    matter (the device belongs to this user and is confirmed) stay in django-otp's
    ``_finalize_device``.
    """

    def _verify_user_sync(self, request, user):
        with self._both_read(request):
            user = super()._verify_user_sync(request, user)
        # The user itself from here on, not the authentication middleware's lazy proxy
        # inside django-otp's: a teller's request reads request.user's attributes a couple
        # of hundred times, each through both proxies.
        wrapped = getattr(user, "_wrapped", empty)
        if wrapped is not empty:
            user = wrapped
        request.user = user
        return user

    def more_statements(self, request, user_pk: Any) -> list:
        """Statements a subclass wants in the same round trip as the user and device."""
        return []

    def take_more(self, request, user, rows: list[list[tuple]]) -> None:
        """Their rows, once the user row is read."""

    @contextmanager
    def _both_read(self, request) -> Iterator[None]:
        session = request.session
        rows = self._read_with_session(request, session)
        if rows is None:
            rows = self._read(request, *self._session_ids(session), [])
        if rows is None:
            yield
            return
        token = _ahead.set(rows)
        try:
            yield
        finally:
            _ahead.reset(token)

    def _read_with_session(self, request, session) -> dict[tuple[str, Any], Any] | None:
        """The session's row read in the same round trip as the user, device and the rest,
        when an earlier request of this session said which user and device to read (a
        hint only: the rows count when the session, decoded, names the same ones)."""
        key, statement = session.session_key, getattr(session, "row_statement", lambda: None)()
        hint = _hints.get(key) if statement is not None else None
        if hint is None:
            return None
        rows = self._read(request, *hint, [statement])
        if rows is None:
            _hints.pop(key, None)
        return rows

    def _session_ids(self, session) -> tuple[Any, str | None]:
        """(user pk, device persistent id) of the session, as django-otp will see them."""
        user_id, persistent_id = session.get(SESSION_KEY), session.get(DEVICE_ID_SESSION_KEY)
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id) if user_id is not None else None
        except ValidationError:
            pk = None
        return pk, persistent_id

    def _read(self, request, pk, persistent_id, first: list) -> dict[tuple[str, Any], Any] | None:
        """One round trip: ``first`` (the session's row), the user, the device and what a
        subclass adds. None when the session names no user and device, or (``first``)
        not the user and device that were read."""
        device = self._device_key(persistent_id) if persistent_id else None
        if pk is None or device is None:
            return None
        model = get_user_model()
        device_model, device_pk = device
        more = self.more_statements(request, pk)
        results = execute_batch(
            [
                *first,
                select_statement(model, **{model._meta.pk.attname: pk}),
                select_statement(device_model, **{device_model._meta.pk.attname: device_pk}),
                *more,
            ]
        )
        if first:
            request.session.take_row(results[0])
            if self._session_ids(request.session) != (pk, persistent_id):
                return None
        users, devices, *more_rows = results[len(first) :]
        user = first_from_rows(model, users)
        if user is not None and more:
            self.take_more(request, user, more_rows)
        if not first:  # next time, this session's row comes in the same round trip
            if len(_hints) >= HINTS:
                _hints.clear()
            _hints[request.session.session_key] = (pk, persistent_id)
        return {
            ("user", pk): user,
            ("device", persistent_id): first_from_rows(device_model, devices),
        }

    def _device_from_persistent_id(self, persistent_id: str):
        known, device = read_ahead("device", persistent_id)
        if known:
            return device
        key = self._device_key(persistent_id)
        if key is None:
            return None
        model, pk = key
        return get_by(model, **{model._meta.pk.attname: pk})

    def _device_key(self, persistent_id: str) -> tuple[type[Device], Any] | None:
        try:
            model_label, device_id = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            model = apps.get_model(model_label)
            pk = model._meta.pk.to_python(device_id)
        except (ValueError, LookupError, ValidationError):
            return None
        if not issubclass(model, Device):  # only ever a device, whatever the session says
            return None
        return model, pk
