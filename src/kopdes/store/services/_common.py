"""What the store's services share: the permission check and text cleaning."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from kopdes.domain.text import first_refused
from kopdes.platform.identity.permissions import role_label
from kopdes.platform.identity.selectors import require_perm

log = logging.getLogger(__package__)


def _role(actor, koperasi, permission: str) -> str:
    """Check ``permission`` (``PermissionDeniedError``); the audit row's role label."""
    return role_label(require_perm(actor, koperasi, permission), permission)


def _text(
    data: dict,
    key: str,
    *,
    label: str,
    max_length: int,
    required: bool,
    errors: list[tuple[str, str]],
) -> str:
    """``data[key]`` as one line of text (spaces collapsed), with its problems in ``errors``."""
    value: Any = data.get(key, "")
    value = "" if value is None else str(value)
    if first_refused(value, multiline=False) is not None:
        errors.append(
            (key, _("%(label)s contains a character that is not allowed.") % {"label": label})
        )
        return ""
    value = " ".join(value.split())
    if required and not value:
        errors.append((key, _("Please fill in %(label)s.") % {"label": label}))
    elif len(value) > max_length:
        errors.append(
            (
                key,
                _("%(label)s may be at most %(n)d characters.") % {"label": label, "n": max_length},
            )
        )
    return value
