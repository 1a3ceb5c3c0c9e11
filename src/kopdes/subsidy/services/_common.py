"""What the subsidy services share: the permission check, text cleaning, the NIK, and
turning a refusal of ``domain.subsidy`` into this app's error."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kopdes.domain import subsidy as rules
from kopdes.domain.nik import NikError, parse_nik
from kopdes.domain.text import first_refused
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm
from kopdes.subsidy.errors import SubsidyRefused


def role(actor, koperasi, permission: str) -> str:
    """Check ``permission`` (``PermissionDeniedError``); the audit row's role label."""
    return role_label(require_perm(actor, koperasi, permission), permission)


def clean_text(
    value: Any, *, key: str, label: str, max_length: int, errors: list[tuple[str, str]]
) -> str:
    """``value`` as one line of text (spaces collapsed); its problems go to ``errors``."""
    value = "" if value is None else str(value)
    if first_refused(value, multiline=False) is not None:
        errors.append(
            (key, _("%(label)s contains a character that is not allowed.") % {"label": label})
        )
        return ""
    value = " ".join(value.split())
    if not value:
        errors.append((key, _("Please fill in %(label)s.") % {"label": label}))
    elif len(value) > max_length:
        errors.append(
            (
                key,
                _("%(label)s may be at most %(n)d characters.") % {"label": label, "n": max_length},
            )
        )
    return value


def clean_nik(raw: Any, *, key: str, errors: list[tuple[str, str]]) -> str:
    """The normalised NIK (``domain.nik.parse_nik``), or "" with its problem in ``errors``."""
    try:
        return parse_nik(raw if isinstance(raw, str) else "").nik
    except NikError as exc:
        errors.append((key, exc.message))
        return ""


def refused(exc: rules.SubsidyError) -> SubsidyRefused:
    """The domain's refusal (already Bahasa Indonesia) as this app's error."""
    return SubsidyRefused(exc.message, field=exc.field or None, code=exc.code)
