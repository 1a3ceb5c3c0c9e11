"""Errors that services raise; their message is safe to show a user (Bahasa Indonesia)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is shown to the user as is."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class PermissionDeniedError(DomainError):
    code = "forbidden"
    status = 403


class ConflictError(DomainError):
    """The same idempotency key was sent with different content, or a state race was lost."""

    code = "conflict"
    status = 409
