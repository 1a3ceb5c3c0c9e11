from __future__ import annotations

from kopdes.platform.core.errors import ConflictError, DomainError, PermissionDeniedError


class LedgerError(DomainError):
    """A journal rule refused the operation (unbalanced, closed month, unknown account...)."""

    code = "ledger_invalid"


class IdempotencyConflictError(ConflictError):
    """The idempotency key was already used for an entry with different content (409).

    ``differences`` lists the fields that differ, e.g. ``["date", "lines[1].amount"]``.
    """

    code = "idempotency_conflict"

    def __init__(self, message: str, *, differences: list[str], entry_id: str):
        super().__init__(message, field="idempotency_key")
        self.differences = differences
        self.entry_id = entry_id


__all__ = ["ConflictError", "IdempotencyConflictError", "LedgerError", "PermissionDeniedError"]
