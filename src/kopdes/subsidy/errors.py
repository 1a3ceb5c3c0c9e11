"""The subsidised channels' errors: their message is safe to show (Bahasa Indonesia)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kopdes.platform.core.errors import DomainError


class SubsidyRefused(DomainError):
    """A subsidised-channel operation was refused; the message says why, nothing was written."""


class FormErrors(SubsidyRefused):
    """Every problem found in one input, as (field, message) pairs."""

    def __init__(self, *, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        first_field = errors[0][0] if errors else ""
        super().__init__(" ".join(m for _f, m in errors), field=first_field or None)


class ImportErrors(SubsidyRefused):
    """All problems of an RDKK file: (row, column, message); nothing was written."""

    def __init__(self, *, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        super().__init__(_("The file has %(n)d error(s); nothing was saved.") % {"n": len(errors)})


class ReplayConflict(SubsidyRefused):
    """The idempotency key was already used for a sale with other content."""

    code = "conflict"
    status = 409
