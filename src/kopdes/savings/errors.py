from __future__ import annotations

from kopdes.platform.core.errors import ConflictError, DomainError, PermissionDeniedError


class SavingsError(DomainError):
    """A savings rule refused the operation (overdraw, inactive member, bad amount...)."""

    code = "savings_invalid"


__all__ = ["ConflictError", "PermissionDeniedError", "SavingsError"]
