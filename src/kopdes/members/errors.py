"""The members app's errors (moved from ``services``; ``services`` re-exports them)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kopdes.platform.core.errors import DomainError


class MemberError(DomainError):
    """A member operation was refused; the message is safe to show."""


class NotFoundError(MemberError):
    code = "not_found"
    status = 404


class RegistrationErrors(MemberError):
    """Every problem found in one registration, as (field, message) pairs."""

    def __init__(self, *, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        first_field = errors[0][0] if errors else ""
        super().__init__(" ".join(m for _f, m in errors), field=first_field or None)


class ImportErrors(MemberError):
    """All problems of a bulk registration: (row, field, message)."""

    def __init__(self, *, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        super().__init__(_("The file has %(n)d error(s); nothing was saved.") % {"n": len(errors)})
