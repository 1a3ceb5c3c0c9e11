from __future__ import annotations

from kopdes.platform.core.errors import ConflictError, DomainError, PermissionDeniedError


class LoanError(DomainError):
    """A loan rule refused the operation (plafond, term, status, amount...)."""

    code = "loan_invalid"


__all__ = ["ConflictError", "LoanError", "PermissionDeniedError"]
