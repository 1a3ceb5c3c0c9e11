"""What several members services share: constants, the logger, and the role, tenancy and field
checks.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kopdes.members.errors import NotFoundError
from kopdes.members.models import Member
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import roles_for

log = logging.getLogger(__package__)  # "kopdes.members.services", as before the split

SUBJECT_TYPE = "members.member"
MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACTIVATION_VALIDITY = dt.timedelta(hours=72)
ACTIVATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
ACTIVATION_MAX_ATTEMPTS = 5
CARD_PREFIX = "KOPDES-A1"
DEFAULT_CONSENT_PURPOSE = (
    "Data pribadi anggota (nama, NIK, nomor KK, tempat dan tanggal lahir, alamat, nomor HP, "
    "pekerjaan, ahli waris, foto KTP) dipakai koperasi untuk mencatat keanggotaan, simpanan, "
    "pinjaman dan pembagian SHU, serta untuk laporan yang diwajibkan undang-undang. Data "
    "disimpan terenkripsi dan hanya dibuka oleh pengurus yang berwenang."
)
ANONYMISED_NAME = "Anggota dianonimkan"
# Accounting records are kept 10 years (UU 8/1997); personal data of a member who left
# is anonymised once this has passed since leaving, keeping the row the books point at.
RETENTION_YEARS = 10


@dataclass(frozen=True)
class CleanRegistration:
    full_name: str
    nik: str
    kk_number: str
    birth_place: str
    birth_date: dt.date
    sex: str
    address: str
    region_code: str
    phone: str
    occupation: str
    heirs: tuple[tuple[str, str, int], ...]


# --- helpers -------------------------------------------------------------------------------


def _roles(actor, koperasi, permission: str) -> str:
    """Check ``permission``; return the actor's roles for the audit row ("system" for None)."""
    if actor is None:
        return "system"
    roles = roles_for(actor, koperasi)
    if not has_perm(roles, permission):
        raise PermissionDeniedError(_("You are not allowed to do this."))
    return role_label(roles, permission)


def _is_own(actor, member: Member) -> bool:
    """True when ``actor`` is the member's own portal user."""
    return actor is not None and member.user_id is not None and member.user_id == actor.pk


def _same_koperasi(member: Member, koperasi) -> None:
    if member is None or member.koperasi_id != koperasi.pk:
        raise NotFoundError(_("Member not found."))


def _text(
    data: dict, key: str, *, max_length: int, required: bool, errors: list, label: str
) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value:
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


def _date(value: Any, key: str, label: str, errors: list) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        errors.append((key, _("Please fill in %(label)s.") % {"label": label}))
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(
        (key, _("%(label)s is not a valid date (write it as 31-12-1980).") % {"label": label})
    )
    return None
