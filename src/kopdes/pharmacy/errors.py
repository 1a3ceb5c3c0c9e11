"""The apotek's errors: their message is safe to show (Bahasa Indonesia through gettext)."""

from __future__ import annotations

from kopdes.platform.core.errors import DomainError


class PharmacyError(DomainError):
    """An apotek operation was refused; the message says why."""


class PharmacyErrors(PharmacyError):
    """Every problem found in one request, as (field, message) pairs; nothing written."""

    def __init__(self, *, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__(" ".join(m for _f, m in errors), field=errors[0][0] if errors else None)
