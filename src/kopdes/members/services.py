"""Writes of the members app: registration, activation, exit, personal-data duties, portal.

Every function validates all input before writing, checks the permission matrix, and
records its audit event in the same transaction. Times and dates are passed in.
Messages are English gettext source strings (Bahasa Indonesia is the default language);
the pure NIK/phone rules in ``kopdes.domain`` speak Indonesian directly.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import importlib
import io
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain.nik import NikError, Sex, check_nik_matches, parse_kk, parse_nik
from kopdes.domain.phone import PhoneError, normalize_phone
from kopdes.domain.regions import normalize_region_code
from kopdes.members.choices import EXIT_STATUSES, ExitState, MemberStatus
from kopdes.members.models import ExitProposal, Heir, Member, PortalActivation
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError, DomainError, PermissionDeniedError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.permissions import RANK, has_perm
from kopdes.platform.identity.selectors import roles_for
from kopdes.platform.privacy import crypto
from kopdes.platform.privacy import selectors as privacy_selectors
from kopdes.platform.privacy import services as privacy
from kopdes.platform.privacy.choices import ConsentMethod, DataRequestKind, DataRequestStatus
from kopdes.platform.privacy.fields import update_blind_indexes
from kopdes.platform.privacy.models import DataRequest
from kopdes.platform.tenancy.regions import UnknownRegionError, lookup_region

log = logging.getLogger(__name__)

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
    # The audit row names the role that allowed the act (the column holds one role).
    acting = [r for r in roles if has_perm([r], permission)]
    return str(max(acting, key=lambda r: (RANK[Role(r)], str(r))))


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


def clean_registration(
    koperasi, data: dict, *, as_of: dt.date
) -> tuple[CleanRegistration | None, list[tuple[str, str]]]:
    """Validate one registration; return the cleaned values and every error found.

    ``data`` keys: full_name, nik, kk_number, birth_place, birth_date, sex (L/P), address,
    region_code, phone, occupation, heirs (list of dicts name/relation/share_percent).
    Does not look at the database (duplicates are checked by the caller).
    """
    errors: list[tuple[str, str]] = []
    full_name = _text(
        data, "full_name", max_length=120, required=True, errors=errors, label=_("full name")
    )
    birth_place = _text(
        data, "birth_place", max_length=80, required=True, errors=errors, label=_("place of birth")
    )
    address = _text(
        data, "address", max_length=300, required=True, errors=errors, label=_("address")
    )
    occupation = _text(
        data, "occupation", max_length=80, required=False, errors=errors, label=_("occupation")
    )
    birth_date = _date(data.get("birth_date"), "birth_date", _("date of birth"), errors)
    sex_raw = str(data.get("sex") or "").strip().upper()
    sex = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P"}.get(sex_raw, "")
    if not sex:
        errors.append(("sex", _("Please choose the sex: L (male) or P (female).")))
    nik = ""
    try:
        info = parse_nik(str(data.get("nik") or ""))
        nik = info.nik
        if birth_date is not None and sex:
            check_nik_matches(info, birth_date, Sex(sex), as_of=as_of)
    except NikError as exc:
        errors.append(("nik", str(exc)))
    kk = ""
    try:
        kk = parse_kk(str(data.get("kk_number") or ""))
    except NikError as exc:
        errors.append(("kk_number", str(exc)))
    phone = ""
    raw_phone = str(data.get("phone") or "").strip()
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except PhoneError as exc:
            errors.append(("phone", str(exc)))
    region_code = ""
    try:
        region_code = normalize_region_code(str(data.get("region_code") or koperasi.region_code))
        lookup_region(region_code)
    except UnknownRegionError as exc:
        errors.append(("region_code", str(exc)))
    except ValueError as exc:
        errors.append(("region_code", str(exc)))
    heirs: list[tuple[str, str, int]] = []
    total_share = 0
    for n, heir in enumerate(data.get("heirs") or [], start=1):
        name = " ".join(str(heir.get("name") or "").split())[:120]
        relation = " ".join(str(heir.get("relation") or "").split())[:40]
        if not name and not relation and not heir.get("share_percent"):
            continue
        try:
            share = int(str(heir.get("share_percent") or "").strip())
        except ValueError:
            share = 0
        if not name or not relation or not 1 <= share <= 100:
            errors.append(
                (
                    "heirs",
                    _("Heir %(n)d needs a name, a relation and a share from 1 to 100 percent.")
                    % {"n": n},
                )
            )
            continue
        total_share += share
        heirs.append((name, relation, share))
    if heirs and total_share != 100:
        errors.append(
            (
                "heirs",
                _("The heirs' shares add up to %(total)d%%; they must add up to 100%%.")
                % {"total": total_share},
            )
        )
    if errors or birth_date is None:
        return None, errors
    return (
        CleanRegistration(
            full_name=full_name,
            nik=nik,
            kk_number=kk,
            birth_place=birth_place,
            birth_date=birth_date,
            sex=sex,
            address=address,
            region_code=region_code,
            phone=phone,
            occupation=occupation,
            heirs=tuple(heirs),
        ),
        errors,
    )


def nik_index(koperasi, nik: str) -> str:
    return crypto.blind_index("nik", nik, koperasi_id=koperasi.pk)


def _nik_taken(koperasi, nik: str) -> bool:
    candidates = crypto.blind_index_candidates("nik", nik, koperasi_id=koperasi.pk)
    return Member.objects.filter(koperasi=koperasi, nik_index__in=candidates).exists()


def _next_numbers(koperasi, count: int) -> list[str]:
    """The next ``count`` gap-free member numbers; call under the numbering lock."""
    last = (
        Member.objects.filter(koperasi=koperasi)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    start = int(last) + 1 if last else 1
    return [f"{n:04d}" for n in range(start, start + count)]


def _current_notice(koperasi):
    """The consent notice members agree to; the first registration publishes a default one."""
    notice = privacy_selectors.get_current_notice(koperasi)
    if notice is None:
        notice = privacy.publish_consent_notice(
            koperasi, actor=None, purpose=DEFAULT_CONSENT_PURPOSE, at=timezone.now()
        )
    return notice


def _registration_summary(member: Member, notice_version: int) -> dict:
    # Never the NIK or phone: the audit log is not a second copy of personal data.
    return {"number": member.number, "status": member.status, "consent_notice": notice_version}


# --- registration --------------------------------------------------------------------------


def register_member(
    koperasi,
    *,
    actor,
    data: dict,
    registered_on: dt.date,
    consent_method: str = ConsentMethod.PAPER,
    ktp_photo: bytes | None = None,
    idempotency_key: str = "",
    source_address: str = "",
) -> Member:
    """Register one calon member: validate everything, number, encrypt, consent, audit.

    Refuses (writing nothing) on any invalid field, a NIK already registered in this
    koperasi, or an invalid KTP photo. With ``idempotency_key`` a retry returns the member
    registered the first time (``ConflictError`` if the data differ). Audited as
    ``members.member.registered``; consent as ``privacy.consent.recorded``.
    """
    role = _roles(actor, koperasi, "members.register")
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:100]
        existing = Member.objects.filter(koperasi=koperasi, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, data, koperasi)
    clean, errors = clean_registration(koperasi, data, as_of=registered_on)
    photo = None
    if ktp_photo is not None:
        try:
            photo = check_ktp_photo(ktp_photo)
        except MemberError as exc:
            errors.append(("ktp_photo", exc.message))
    if clean is not None and _nik_taken(koperasi, clean.nik):
        errors.append(("nik", _("This NIK is already registered as a member of this koperasi.")))
    if errors or clean is None:
        raise RegistrationErrors(errors=errors)
    try:
        with transaction.atomic():
            lock_chain(f"members:number:{koperasi.pk}")
            notice = _current_notice(koperasi)
            member = _build_member(koperasi, clean, actor=actor, registered_on=registered_on)
            member.number = _next_numbers(koperasi, 1)[0]
            member.idempotency_key = idempotency_key
            member.save(force_insert=True)
            _create_heirs(member, clean)
            if photo is not None:
                _store_photo(member, ktp_photo, photo)
                member.save(update_fields=["ktp_photo", "ktp_photo_type"])
            _consent(notice, member, consent_method)
            record(
                "members.member.registered",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=member,
                summary=_registration_summary(member, notice.version),
                source_address=source_address,
            )
    except IntegrityError:
        if idempotency_key:
            existing = Member.objects.filter(
                koperasi=koperasi, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return _replay(existing, data, koperasi)
        raise MemberError(
            _("This NIK is already registered as a member of this koperasi."), field="nik"
        ) from None
    return member


def _replay(existing: Member, data: dict, koperasi) -> Member:
    try:
        same = parse_nik(str(data.get("nik") or "")).nik == existing.nik
    except NikError:
        same = False
    if not same:
        raise ConflictError(
            _("This Idempotency-Key was already used for another registration."),
            field="Idempotency-Key",
        )
    return existing


def _build_member(koperasi, clean: CleanRegistration, *, actor, registered_on: dt.date) -> Member:
    member = Member(
        koperasi=koperasi,
        full_name=clean.full_name,
        nik=clean.nik,
        kk_number=clean.kk_number,
        phone=clean.phone,
        address=clean.address,
        birth_date=clean.birth_date,
        birth_place=clean.birth_place,
        sex=clean.sex,
        region_code=clean.region_code,
        occupation=clean.occupation,
        status=MemberStatus.CANDIDATE,
        registered_on=registered_on,
        registered_by=actor,
    )
    update_blind_indexes(member)
    return member


def _create_heirs(member: Member, clean: CleanRegistration) -> None:
    Heir.objects.bulk_create(
        [
            Heir(koperasi_id=member.koperasi_id, member=member, name=n, relation=r, share_percent=s)
            for n, r, s in clean.heirs
        ]
    )


def _consent(notice, member: Member, method: str) -> None:
    # Recorded as part of the registration (the registering officer's action is the
    # members.member.registered event); kasir may register without privacy.manage_consent.
    privacy.record_consent(
        notice,
        actor=None,
        subject_type=SUBJECT_TYPE,
        subject_id=str(member.pk),
        method=method if method in ConsentMethod.values else ConsentMethod.PAPER,
        given_at=max(timezone.now(), notice.published_at),
    )


def register_members(
    koperasi, *, actor, rows: list[dict], registered_on: dt.date, source_address: str = ""
) -> list[Member]:
    """Register many members at once (Excel onboarding, the demo): all or nothing.

    Every row is validated (same rules as ``register_member``, plus duplicates inside
    ``rows`` and against the registry); on any error ``ImportErrors`` lists them all with
    their row numbers (1-based, as given by each row's ``_row`` key if present) and nothing
    is written. Otherwise one transaction registers all, each with its audit event.
    """
    role = _roles(actor, koperasi, "members.register")
    errors: list[tuple[int, str, str]] = []
    cleaned: list[CleanRegistration] = []
    seen: dict[str, int] = {}
    for i, data in enumerate(rows, start=1):
        row_no = int(data.get("_row", i))
        clean, row_errors = clean_registration(koperasi, data, as_of=registered_on)
        errors.extend((row_no, f, m) for f, m in row_errors)
        if clean is None:
            continue
        if clean.nik in seen:
            errors.append(
                (
                    row_no,
                    "nik",
                    _("The same NIK is also in row %(row)d.") % {"row": seen[clean.nik]},
                )
            )
            continue
        seen[clean.nik] = row_no
        cleaned.append(clean)
    if seen:
        wanted = {nik_index(koperasi, nik): nik for nik in seen}
        taken = set(
            Member.objects.filter(koperasi=koperasi, nik_index__in=list(wanted)).values_list(
                "nik_index", flat=True
            )
        )
        for idx in taken:
            errors.append(
                (
                    seen[wanted[idx]],
                    "nik",
                    _("This NIK is already registered as a member of this koperasi."),
                )
            )
    if not rows:
        errors.append((0, "", _("The file has no member rows.")))
    if errors:
        raise ImportErrors(errors=sorted(errors))
    with transaction.atomic():
        lock_chain(f"members:number:{koperasi.pk}")
        notice = _current_notice(koperasi)
        numbers = _next_numbers(koperasi, len(cleaned))
        members = []
        for clean, number in zip(cleaned, numbers, strict=True):
            member = _build_member(koperasi, clean, actor=actor, registered_on=registered_on)
            member.number = number
            members.append(member)
        Member.objects.bulk_create(members)
        for member, clean in zip(members, cleaned, strict=True):
            _create_heirs(member, clean)
            _consent(notice, member, ConsentMethod.PAPER)
            record(
                "members.member.registered",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=member,
                summary={**_registration_summary(member, notice.version), "bulk": True},
                source_address=source_address,
            )
    return members


class ImportErrors(MemberError):
    """All problems of a bulk registration: (row, field, message)."""

    def __init__(self, *, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        super().__init__(_("The file has %(n)d error(s); nothing was saved.") % {"n": len(errors)})


# --- KTP photo -----------------------------------------------------------------------------


def check_ktp_photo(content: bytes) -> str:
    """Return the image's MIME type, or refuse: too big, not an image, or not JPEG/PNG/WebP.

    Checked by content with Pillow, never by the file name or the browser's type.
    """
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_PHOTO_BYTES:
        raise MemberError(
            _("The KTP photo is too large (at most 2 MB)."), field="ktp_photo", code="too_large"
        )
    if not content:
        raise MemberError(_("The KTP photo is empty."), field="ktp_photo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise MemberError(
            _("The KTP photo is not a readable picture (JPEG, PNG or WebP)."), field="ktp_photo"
        ) from None
    if kind not in PHOTO_FORMATS:
        raise MemberError(
            _("The KTP photo must be a JPEG, PNG or WebP picture."), field="ktp_photo"
        )
    return PHOTO_FORMATS[kind]


def _photo_context(member: Member) -> str:
    return f"members.member.ktp_photo:{member.koperasi_id}:{member.pk}"


def _photo_path(member: Member) -> Path:
    return Path(settings.MEDIA_ROOT) / "ktp" / str(member.koperasi_id) / f"{member.pk}.enc"


def _store_photo(member: Member, content: bytes, mime: str) -> None:
    """Encrypt the photo bytes (AES-GCM, bound to the member) and write them under MEDIA_ROOT."""
    token = crypto.encrypt(
        base64.b64encode(content).decode("ascii"), context=_photo_context(member)
    )
    path = _photo_path(member)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(token, encoding="ascii")
    tmp.replace(path)
    member.ktp_photo = str(path.relative_to(Path(settings.MEDIA_ROOT)))
    member.ktp_photo_type = mime


def replace_ktp_photo(member: Member, *, actor, content: bytes, source_address: str = "") -> Member:
    """Store a new KTP photo for ``member`` (encrypted at rest). Audited."""
    role = _roles(actor, member.koperasi, "members.edit")
    mime = check_ktp_photo(content)
    with transaction.atomic():
        _store_photo(member, content, mime)
        member.save(update_fields=["ktp_photo", "ktp_photo_type"])
        record(
            "members.ktp_photo.replaced",
            actor=actor,
            koperasi=member.koperasi,
            role=role,
            obj=member,
            summary={"type": mime, "bytes": len(content)},
            source_address=source_address,
        )
    return member


def read_ktp_photo(
    member: Member, *, actor, koperasi, source_address: str = ""
) -> tuple[bytes, str]:
    """Decrypt the KTP photo for an officer allowed to reveal personal data. Audited."""
    _same_koperasi(member, koperasi)
    role = _roles(actor, koperasi, "privacy.reveal")
    if actor is None:
        raise PermissionDeniedError(_("You are not allowed to do this."))
    if not member.ktp_photo:
        raise NotFoundError(_("This member has no KTP photo."))
    token = (Path(settings.MEDIA_ROOT) / member.ktp_photo).read_text(encoding="ascii")
    content = base64.b64decode(crypto.decrypt(token, context=_photo_context(member)))
    record(
        "members.ktp_photo.viewed",
        actor=actor,
        koperasi=koperasi,
        role=role,
        obj=member,
        summary={"number": member.number},
        source_address=source_address,
    )
    return content, member.ktp_photo_type


# --- status lifecycle ----------------------------------------------------------------------


def activate_member(member: Member, *, actor, date: dt.date, source_address: str = "") -> Member:
    """Turn a calon member aktif (called when the simpanan pokok is paid).

    Called by ``savings.services`` inside its own transaction; ``actor`` is the officer
    who took the payment. Idempotent for an already active member (returns it unchanged).
    Audited as ``members.member.activated``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.view")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status == MemberStatus.ACTIVE:
            return locked
        if locked.status != MemberStatus.CANDIDATE:
            raise MemberError(
                _("Only a candidate member can become active; this member has left."),
                field="status",
            )
        locked.status, locked.joined_on = MemberStatus.ACTIVE, date
        locked.save(update_fields=["status", "joined_on"])
        record(
            "members.member.activated",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=locked,
            summary={"number": locked.number, "joined_on": date.isoformat()},
            source_address=source_address,
        )
    member.status, member.joined_on = locked.status, locked.joined_on
    return locked


def return_to_candidate(member: Member, *, actor, date: dt.date) -> Member:
    """Undo an activation: the simpanan pokok that made ``member`` aktif was corrected
    (``savings.services.approve_correction``), so they are a calon again.

    Called by savings inside its own transaction. A member who is not aktif is returned
    unchanged. Audited as ``members.member.returned_to_candidate``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.view")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status != MemberStatus.ACTIVE:
            return locked
        locked.status, locked.joined_on = MemberStatus.CANDIDATE, None
        locked.save(update_fields=["status", "joined_on"])
        record(
            "members.member.returned_to_candidate",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=locked,
            summary={"number": locked.number, "date": date.isoformat()},
        )
    member.status, member.joined_on = locked.status, locked.joined_on
    return locked


def propose_exit(
    member: Member,
    *,
    actor,
    to_status: str,
    reason: str,
    effective_on: dt.date,
    at: dt.datetime,
    source_address: str = "",
) -> ExitProposal:
    """Propose that ``member`` leaves (berhenti / meninggal / diberhentikan). Maker step.

    A second officer (ketua) approves it with ``approve_exit``. One open proposal per
    member. Audited as ``members.exit.proposed``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.propose_exit")
    if actor is None:
        raise PermissionDeniedError(_("This must be done by a logged-in officer."))
    if to_status not in {s.value for s in EXIT_STATUSES}:
        raise MemberError(_("Choose how the member leaves."), field="to_status")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise MemberError(_("Please write the reason."), field="reason")
    if len(reason) > 300:
        raise MemberError(_("The reason may be at most 300 characters."), field="reason")
    if not isinstance(effective_on, dt.date):
        raise MemberError(_("Please fill in the date."), field="effective_on")
    if member.status in EXIT_STATUSES:
        raise MemberError(_("This member has already left."), field="to_status")
    try:
        with transaction.atomic():
            proposal = ExitProposal.objects.create(
                koperasi=koperasi,
                member=member,
                to_status=to_status,
                reason=reason,
                effective_on=effective_on,
                proposed_by=actor,
                proposed_at=at,
            )
            record(
                "members.exit.proposed",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=proposal,
                summary={"number": member.number, "to_status": to_status},
                source_address=source_address,
            )
    except IntegrityError:
        raise MemberError(
            _("An exit for this member is already waiting for approval."), field="to_status"
        ) from None
    return proposal


def _settle_exit(member: Member, *, actor, date: dt.date) -> dict | None:
    """Return pokok and wajib less what the member owes: the savings app posts it (and
    has the loans paid off first); its summary, or None without the savings app."""
    if not django_apps.is_installed("kopdes.savings"):
        log.warning("savings app not installed: exit of member %s not settled", member.number)
        return None
    savings = importlib.import_module("kopdes.savings.services")
    settle = getattr(savings, "settle_member_exit", None)
    if settle is None:
        log.warning("savings.settle_member_exit missing: member %s not settled", member.number)
        return None
    return settle(member, actor=actor, date=date)


def approve_exit(
    proposal: ExitProposal, *, actor, at: dt.datetime, source_address: str = ""
) -> Member:
    """Approve an exit (checker step): a different officer than the proposer, with
    ``members.approve_exit`` (ketua). Sets the status, date and reason, and settles the
    member's savings through ``savings.services.settle_member_exit`` in the same
    transaction. Audited as ``members.exit.approved``.
    """
    koperasi = proposal.koperasi
    role = _roles(actor, koperasi, "members.approve_exit")
    if actor is None:
        raise PermissionDeniedError(_("This must be done by a logged-in officer."))
    if actor.pk == proposal.proposed_by_id:
        raise PermissionDeniedError(
            _("The officer who proposed an exit cannot approve it; another officer must.")
        )
    with transaction.atomic():
        locked = ExitProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != ExitState.PROPOSED:
            raise MemberError(_("This proposal has already been decided."))
        member = Member.objects.select_for_update().get(pk=locked.member_id)
        locked.state, locked.decided_by, locked.decided_at = ExitState.APPROVED, actor, at
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        member.status = locked.to_status
        member.left_on = locked.effective_on
        member.exit_reason = locked.reason
        member.save(update_fields=["status", "left_on", "exit_reason"])
        member.settlement = _settle_exit(member, actor=actor, date=locked.effective_on)
        record(
            "members.exit.approved",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=locked,
            summary={
                "number": member.number,
                "to_status": locked.to_status,
                "proposed_by": str(locked.proposed_by_id),
                "effective_on": locked.effective_on.isoformat(),
            },
            source_address=source_address,
        )
    return member


def reject_exit(
    proposal: ExitProposal, *, actor, at: dt.datetime, source_address: str = ""
) -> ExitProposal:
    """Reject an exit proposal (another officer than the proposer). Audited."""
    koperasi = proposal.koperasi
    role = _roles(actor, koperasi, "members.approve_exit")
    if actor is None or actor.pk == proposal.proposed_by_id:
        raise PermissionDeniedError(
            _("The officer who proposed an exit cannot approve it; another officer must.")
        )
    with transaction.atomic():
        locked = ExitProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != ExitState.PROPOSED:
            raise MemberError(_("This proposal has already been decided."))
        locked.state, locked.decided_by, locked.decided_at = ExitState.REJECTED, actor, at
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        record(
            "members.exit.rejected",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=locked,
            summary={"number": locked.member.number},
            source_address=source_address,
        )
    return locked


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


# --- member card ---------------------------------------------------------------------------


def _card_key() -> bytes:
    return hmac.new(settings.DATA_KEY.encode(), b"kopdes member card v1", hashlib.sha256).digest()


def _card_signature(koperasi_id: str, number: str) -> str:
    mac = hmac.new(_card_key(), f"{koperasi_id}|{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:15]).decode("ascii")


def member_card_payload(member: Member) -> str:
    """The text in the card's QR code: prefix, koperasi id, member number, signature."""
    kid = str(member.koperasi_id)
    return f"{CARD_PREFIX}|{kid}|{member.number}|{_card_signature(kid, member.number)}"


def read_member_card(payload: str, *, koperasi) -> Member:
    """The member a scanned or typed card payload belongs to, or ``MemberError``.

    Refuses a payload whose signature does not match (tampered or made up) and one of
    another koperasi, with a clear message. Reads only.
    """
    text = str(payload or "").strip()
    parts = text.split("|")
    if len(parts) != 4 or parts[0] != CARD_PREFIX:
        raise MemberError(_("This is not a kopdes member card."), field="payload")
    _prefix, kid, number, signature = parts
    expected = _card_signature(kid, number)
    if not hmac.compare_digest(expected.encode(), signature.upper().encode()):
        raise MemberError(
            _("The card's signature is not valid: the card was changed or is fake."),
            field="payload",
        )
    if kid != str(koperasi.pk):
        raise MemberError(_("This card belongs to a member of another koperasi."), field="payload")
    member = Member.objects.filter(koperasi=koperasi, number=number).first()
    if member is None:
        raise MemberError(_("No member with this number."), field="payload")
    return member


# --- portal --------------------------------------------------------------------------------


def _code_hash(koperasi, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{koperasi.pk}|{code}".encode(), hashlib.sha256
    ).hexdigest()


def portal_username(member: Member) -> str:
    return f"{member.koperasi.slug}.{member.number}"


def issue_portal_code(member: Member, *, actor, at: dt.datetime, source_address: str = "") -> str:
    """Create a one-time 8-character code (valid 72 h) for the member to set a portal
    password. Returned once, stored only hashed; earlier unused codes stop working.
    Audited as ``members.portal_code.issued``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.issue_portal_code")
    if member.status in EXIT_STATUSES:
        raise MemberError(_("A member who has left cannot use the portal."))
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(8))
    with transaction.atomic():
        PortalActivation.objects.filter(member=member, used_at__isnull=True).update(used_at=at)
        activation = PortalActivation.objects.create(
            koperasi=koperasi,
            member=member,
            code_hash=_code_hash(koperasi, code),
            expires_at=at + ACTIVATION_VALIDITY,
            created_by=actor,
            created_at=at,
        )
        record(
            "members.portal_code.issued",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=activation,
            summary={"number": member.number, "expires_at": activation.expires_at.isoformat()},
            source_address=source_address,
        )
    return code


def link_portal_user(member: Member, *, user, actor, source_address: str = "") -> Member:
    """Link an existing login holding the anggota role in the member's koperasi to
    ``member``, so the portal shows her own data (the demo's ``anggota.<slug>``; a login an
    admin made by hand). A member or a login already linked elsewhere, a member who has
    left, or a login without the anggota role here is refused. Audited as
    ``members.portal.linked``.
    """
    koperasi = member.koperasi
    role = _roles(actor, koperasi, "members.issue_portal_code")
    if member.status in EXIT_STATUSES:
        raise MemberError(_("A member who has left cannot use the portal."))
    if Role.ANGGOTA not in roles_for(user, koperasi):
        raise MemberError(_("This login is not a member's login in this koperasi."))
    if member.user_id is not None and member.user_id != user.pk:
        raise ConflictError(_("This member already has a portal login."))
    if Member.objects.filter(koperasi=koperasi, user=user).exclude(pk=member.pk).exists():
        raise ConflictError(_("This login already belongs to another member."))
    if member.user_id == user.pk:
        return member
    with transaction.atomic():
        member.user = user
        member.save(update_fields=["user"])
        if user.full_name != member.full_name:  # the portal greets her by her own name
            user.full_name = member.full_name
            user.save(update_fields=["full_name"])
        record(
            "members.portal.linked",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=member,
            summary={"number": member.number, "username": user.username},
            source_address=source_address,
        )
    return member


def activate_portal(
    koperasi, *, number: str, code: str, password: str, at: dt.datetime, source_address: str = ""
):
    """Set the member's portal password with the one-time code; return the ``User``.

    Creates the user (role anggota, username ``<slug>.<number>``) on first use, or sets a
    new password. Any wrong input gives the same message (no probing which part failed).
    Audited as ``members.portal.activated``.
    """
    from kopdes.platform.identity import services as identity

    wrong = MemberError(_("The member number or the code is wrong, or the code has expired."))
    number = str(number or "").strip()
    code = str(code or "").strip().upper().replace(" ", "").replace("-", "")
    member = Member.objects.filter(koperasi=koperasi, number=number).first()
    if member is None or len(code) != 8 or member.status in EXIT_STATUSES:
        raise wrong
    activation = (
        PortalActivation.objects.filter(member=member, used_at__isnull=True, expires_at__gt=at)
        .order_by("-created_at")
        .first()
    )
    if activation is None or activation.attempts >= ACTIVATION_MAX_ATTEMPTS:
        raise wrong
    if not hmac.compare_digest(activation.code_hash, _code_hash(koperasi, code)):
        PortalActivation.objects.filter(pk=activation.pk).update(attempts=activation.attempts + 1)
        raise wrong
    with transaction.atomic():
        if member.user_id is None:
            user = identity.create_officer(
                koperasi,
                actor=None,
                username=portal_username(member),
                full_name=member.full_name,
                role=Role.ANGGOTA,
                password=password,
                source_address=source_address,
            )
            member.user = user
            member.save(update_fields=["user"])
        else:
            user = member.user
            identity._validate_new_password(
                password, username=user.username, full_name=user.full_name
            )
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        activation.used_at = at
        activation.save(update_fields=["used_at"])
        record(
            "members.portal.activated",
            actor=user,
            koperasi=koperasi,
            role="anggota",
            obj=member,
            summary={"number": member.number},
            source_address=source_address,
        )
    return user
