"""Registration: cleaning a registration, registering one member or a file of them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from kopdes.domain.nik import NikError, Sex, check_nik_matches, parse_kk, parse_nik
from kopdes.domain.phone import PhoneError, normalize_phone
from kopdes.domain.regions import normalize_region_code
from kopdes.members.choices import MemberStatus
from kopdes.members.errors import ImportErrors, MemberError, RegistrationErrors
from kopdes.members.models import Heir, Member
from kopdes.members.services._common import (
    DEFAULT_CONSENT_PURPOSE,
    SUBJECT_TYPE,
    CleanRegistration,
    _date,
    _roles,
    _text,
)
from kopdes.members.services.photo import _store_photo, check_ktp_photo
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import ConflictError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.privacy import crypto
from kopdes.platform.privacy import selectors as privacy_selectors
from kopdes.platform.privacy import services as privacy
from kopdes.platform.privacy.choices import ConsentMethod
from kopdes.platform.privacy.fields import update_blind_indexes
from kopdes.platform.tenancy.regions import UnknownRegionError, lookup_region


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
