"""Personal data duties: correction, data requests, anonymisation, retention, export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.domain.nik import NikError, parse_kk
from kopdes.domain.phone import PhoneError, normalize_phone
from kopdes.domain.regions import normalize_region_code
from kopdes.members.choices import EXIT_STATUSES
from kopdes.members.errors import MemberError, RegistrationErrors
from kopdes.members.models import Member
from kopdes.members.services._common import (
    ANONYMISED_NAME,
    RETENTION_YEARS,
    SUBJECT_TYPE,
    _is_own,
    _roles,
    _same_koperasi,
    _text,
)
from kopdes.members.services.photo import _photo_path
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.identity.selectors import roles_for
from kopdes.platform.privacy import services as privacy
from kopdes.platform.privacy.choices import DataRequestKind, DataRequestStatus
from kopdes.platform.privacy.fields import update_blind_indexes
from kopdes.platform.privacy.models import DataRequest
from kopdes.platform.tenancy.regions import UnknownRegionError, lookup_region

# --- personal data duties ------------------------------------------------------------------

CORRECTABLE = (
    "full_name",
    "kk_number",
    "phone",
    "address",
    "birth_place",
    "occupation",
    "region_code",
)


def correct_member(
    member: Member,
    *,
    actor,
    changes: dict,
    at: dt.datetime,
    request: DataRequest | None = None,
    source_address: str = "",
) -> Member:
    """Apply a correction (UU PDP Pasal 6) to ``member`` and close its request if given.

    Only ``CORRECTABLE`` fields (NIK, birth date and sex change only by re-registration:
    the NIK encodes them). Validated like registration; audited as
    ``members.member.corrected`` with the field names, never the values.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.edit")
    if member.anonymised_at is not None:
        raise MemberError(_("This member's data has been anonymised."))
    errors: list[tuple[str, str]] = []
    new: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in CORRECTABLE:
            errors.append((key, _("This field cannot be corrected here.")))
            continue
        value = str(value or "").strip()
        if key == "kk_number":
            try:
                new[key] = parse_kk(value)
            except NikError as exc:
                errors.append((key, str(exc)))
        elif key == "phone":
            try:
                new[key] = normalize_phone(value) if value else ""
            except PhoneError as exc:
                errors.append((key, str(exc)))
        elif key == "region_code":
            try:
                new[key] = normalize_region_code(value)
                lookup_region(new[key])
            except (UnknownRegionError, ValueError) as exc:
                errors.append((key, str(exc)))
        else:
            limit = {"full_name": 120, "address": 300}.get(key, 80)
            text = _text(
                {key: value},
                key,
                max_length=limit,
                required=key in ("full_name", "address"),
                errors=errors,
                label=key,
            )
            new[key] = text
    changed = [k for k, v in new.items() if getattr(member, k) != v]
    if errors:
        raise RegistrationErrors(errors=errors)
    if not changed:
        raise MemberError(_("Nothing to change: the new values are the same as the old ones."))
    with transaction.atomic():
        for key in changed:
            setattr(member, key, new[key])
        fields = changed + update_blind_indexes(member)
        member.save(update_fields=sorted(set(fields)))
        record(
            "members.member.corrected",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=member,
            summary={"number": member.number, "fields": sorted(changed)},
            source_address=source_address,
        )
        if request is not None and request.status == DataRequestStatus.OPEN:
            privacy.close_data_request(
                request,
                actor=actor
                if has_perm(roles_for(actor, koperasi), "privacy.manage_requests")
                else None,
                status=DataRequestStatus.DONE,
                outcome=_("Corrected: %(fields)s") % {"fields": ", ".join(sorted(changed))},
                at=at,
            )
    return member


def request_data(member: Member, *, actor, kind: str, detail: str, at: dt.datetime) -> DataRequest:
    """Log a member's own request (access or correction) made in the portal or at the desk.

    ``actor`` is the member's portal user or an officer; the request is due in 72 hours.
    """
    koperasi = member.koperasi
    if _is_own(actor, member):
        officer = None  # the member asking for themself
    else:
        _roles(actor, koperasi, "privacy.manage_requests")
        officer = actor
    if kind not in (DataRequestKind.ACCESS, DataRequestKind.CORRECTION):
        raise MemberError(_("Unknown kind of request."), field="kind")
    return privacy.receive_data_request(
        koperasi,
        actor=officer,
        kind=kind,
        subject_type=SUBJECT_TYPE,
        subject_id=str(member.pk),
        received_at=at,
        detail=detail,
    )


def anonymise_member(member: Member, *, actor, at: dt.datetime, source_address: str = "") -> Member:
    """Erase the personal data of a member who left, keeping the row the books point at.

    Only for members who left (berhenti / meninggal / diberhentikan). The number, status,
    dates and every ledger and savings link stay; name, NIK, KK, phone, address, birth
    date and place, occupation, heirs and KTP photo are erased or pseudonymised, the
    portal login is disabled. Audited as ``members.member.anonymised``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.anonymise")
    if member.status not in EXIT_STATUSES:
        raise MemberError(_("Only the data of a member who has left can be anonymised."))
    if member.anonymised_at is not None:
        raise MemberError(_("This member's data has already been anonymised."))
    with transaction.atomic():
        member.full_name = f"{ANONYMISED_NAME} {member.number}"
        member.nik = member.kk_number = member.phone = member.address = ""
        member.birth_date = None
        member.birth_place = member.occupation = member.sex = ""
        if member.ktp_photo:
            _photo_path(member).unlink(missing_ok=True)
        member.ktp_photo = member.ktp_photo_type = ""
        member.anonymised_at = at
        fields = [
            "full_name", "nik", "kk_number", "phone", "address", "birth_date", "birth_place",
            "occupation", "sex", "ktp_photo", "ktp_photo_type", "anonymised_at",
        ]  # fmt: skip
        fields += update_blind_indexes(member)
        member.save(update_fields=sorted(set(fields)))
        member.heirs.all().delete()
        if member.user_id:
            user = member.user
            user.set_unusable_password()
            user.is_active = False
            user.full_name = member.full_name
            user.save(update_fields=["password", "is_active", "full_name"])
        record(
            "members.member.anonymised",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=member,
            summary={"number": member.number},
            source_address=source_address,
        )
    return member


def retention_due(member: Member, *, today: dt.date) -> bool:
    """True when a member who left passed the 10-year retention of accounting records."""
    if member.left_on is None or member.anonymised_at is not None:
        return False
    try:
        limit = member.left_on.replace(year=member.left_on.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        limit = member.left_on.replace(year=member.left_on.year + RETENTION_YEARS, day=28)
    return today >= limit


def export_member_data(
    member: Member, *, actor, koperasi, at: dt.datetime, request: DataRequest | None = None
) -> dict:
    """Everything kopdes holds about ``member`` (UU PDP access right), in clear text.

    For the member themself (portal) or an officer with ``privacy.manage_requests``.
    Closes the access ``request`` if given. Audited as ``members.member.exported``.
    """
    from kopdes.members import selectors

    _same_koperasi(member, koperasi)
    own = _is_own(actor, member)
    role = "anggota" if own else _roles(actor, koperasi, "privacy.manage_requests")
    if actor is None:
        raise PermissionDeniedError(_("You are not allowed to do this."))
    data = selectors.member_data(member)
    with transaction.atomic():
        record(
            "members.member.exported",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=member,
            summary={"number": member.number, "by_member": own},
        )
        if request is not None and request.status == DataRequestStatus.OPEN:
            privacy.close_data_request(
                request,
                actor=None if own else actor,
                status=DataRequestStatus.DONE,
                outcome=_("Data export handed over."),
                at=at,
            )
    return data
