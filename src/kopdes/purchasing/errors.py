"""Purchasing's errors: their message is safe to show (Bahasa Indonesia through gettext)."""

from __future__ import annotations

from kopdes.platform.core.errors import DomainError


class PurchasingError(DomainError):
    """A purchasing operation was refused; the message says why. ``errors`` lists every
    problem found as (field, message) pairs (a form shows each by its field)."""

    def __init__(
        self, message: str = "", *, field: str | None = None, errors: list | None = None
    ) -> None:
        self.errors = list(errors or [(field or "", message)])
        super().__init__(message or " ".join(m for _f, m in self.errors), field=field)
