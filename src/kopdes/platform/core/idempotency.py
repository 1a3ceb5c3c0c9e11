"""The replay check every idempotent service makes under its lock.

A request carries an idempotency key and the service stores, with the row it made, a
``fingerprint`` (a digest of the request's content). Sent again with the same key: the
same content returns the first row (nothing new is written); other content is refused
with ``ConflictError`` (409), so a key can never stand for two different requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kopdes.platform.core.errors import ConflictError


def replayed(
    model: type[models.Model],
    koperasi: Any,
    key: str,
    fingerprint: str,
    *,
    conflict: Callable[[Any], str] | None = None,
) -> Any:
    """The ``model`` row made in ``koperasi`` with ``key`` before, None when the key is new.

    Other content under the key: ``ConflictError`` with ``conflict(row)`` as its message
    (the module's own words, e.g. naming the first sale's number), or a general one."""
    found = model._default_manager.filter(koperasi=koperasi, idempotency_key=key).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        message = (
            conflict(found)
            if conflict is not None
            else _("This request was already sent with other content; nothing was changed.")
        )
        raise ConflictError(message, field="idempotency_key")
    return found
