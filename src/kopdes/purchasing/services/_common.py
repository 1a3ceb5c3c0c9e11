"""What purchasing's services share: permission, fingerprints, numbers, the lock."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models
from django.db.models import Max
from django.utils.translation import gettext as _

from kopdes.ledger import services as ledger
from kopdes.platform.core.idempotency import replayed
from kopdes.platform.core.locks import lock_chain
from kopdes.purchasing.errors import PurchasingError
from kopdes.store.services._common import _role, _text

__all__ = ["_role", "clean_key", "clean_text", "fingerprint", "lock", "next_number", "replayed"]


def fingerprint(content: dict[str, Any]) -> str:
    """The digest of what was asked: a retry with the same key must ask the same."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def clean_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 150:
        raise PurchasingError(_("The request has no valid key; reload the page."), field="key")
    return key


def lock(koperasi) -> None:
    """The koperasi's ledger lock (every posting takes it): numbers, positions and what
    is owed are read and written by one writer at a time. Inside ``transaction.atomic``."""
    lock_chain(ledger.lock_name(koperasi))


def next_number(model: type[models.Model], koperasi) -> int:
    """The next gap-free number of ``model`` in ``koperasi`` (under ``lock``)."""
    top = model.objects.filter(koperasi=koperasi).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def clean_text(value: Any, *, field: str, label: str, required: bool = False) -> str:
    """One line of text (a note, a reason): spaces collapsed, at most 200 characters,
    control and bidi characters refused with a message (``domain.text.first_refused``)."""
    errors: list[tuple[str, str]] = []
    text = _text({field: value}, field, label=label, max_length=200, required=required,
                 errors=errors)  # fmt: skip
    if errors:
        raise PurchasingError(errors=errors)
    return text
