"""The consignment's errors: their message is safe to show (Bahasa Indonesia)."""

from __future__ import annotations

from kopdes.platform.core.errors import DomainError


class ConsignmentError(DomainError):
    """A consignment operation was refused; the message says why. Nothing was written."""
