"""Writes for personal data: reveal, consent, data-subject requests, breach register.

Each function checks the permission matrix, validates every input before writing, and
records its audit event in the same transaction. Audit summaries never hold a personal
value: a reveal records which field of which row, by whom and why, not what was shown.
Times are passed in (``at=...``), so tests and the clock shift drills control them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kopdes.domain.masking import mask_address, mask_birth_date, mask_name, mask_nik, mask_phone
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import DomainError, PermissionDeniedError
from kopdes.platform.core.locks import lock_chain
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import roles_for
from kopdes.platform.privacy.choices import ConsentMethod, DataRequestKind, DataRequestStatus
from kopdes.platform.privacy.fields import EncryptedTextField
from kopdes.platform.privacy.logging import redact
from kopdes.platform.privacy.models import (
    RESPONSE_WINDOW,
    BreachRecord,
    Consent,
    ConsentNotice,
    DataRequest,
)


class PrivacyError(DomainError):
    """A privacy operation was refused; the message is Bahasa Indonesia."""


class NotFoundError(PrivacyError):
    """The object is missing or belongs to another koperasi (the same answer for both)."""

    code = "not_found"
    status = 404


MAX_REASON = 200
MAX_TEXT = 5000

# How each kind of personal value is shown to someone who may not reveal it.
MASKS = {
    "nik": mask_nik,
    "kk": mask_nik,
    "phone": mask_phone,
    "name": mask_name,
    "address": mask_address,
    "birth_date": mask_birth_date,
}


def masked(kind: str, value: Any) -> str:
    """The masked form of a personal ``value`` of ``kind`` (see ``MASKS``) for display."""
    if value is None or value == "":
        return ""
    return MASKS[kind](value)


# --- helpers -------------------------------------------------------------------------------


def _roles_label(actor, koperasi, permission: str, *, allow_system: bool = True) -> str:
    """Check ``permission`` for ``actor`` in ``koperasi``; return the roles for the audit row."""
    if actor is None:
        if allow_system:
            return "system"
        raise PermissionDeniedError("Tindakan ini harus dilakukan oleh pengurus yang login.")
    roles = roles_for(actor, koperasi)
    if not has_perm(roles, permission):
        raise PermissionDeniedError("Anda tidak berwenang melakukan tindakan ini.")
    return role_label(roles)


def _same_koperasi(obj, koperasi) -> None:
    if obj is None or obj.koperasi_id != koperasi.pk:
        raise NotFoundError("Data tidak ditemukan.")


def _text(value: Any, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise PrivacyError(f"{label} harus berupa teks.", field=field)
    if "\x00" in value:
        raise PrivacyError(f"{label} berisi karakter yang tidak diizinkan.", field=field)
    value = value.strip()
    if required and not value:
        raise PrivacyError(f"{label} harus diisi.", field=field)
    if len(value) > max_length:
        raise PrivacyError(f"{label} paling banyak {max_length} karakter.", field=field)
    return value


def _aware(value: Any, *, field: str, label: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise PrivacyError(f"{label} harus berupa tanggal dan jam yang lengkap.", field=field)
    return value


def _subject(subject_type: Any, subject_id: Any) -> tuple[str, str]:
    subject_type = _text(subject_type, field="subject_type", label="Jenis subjek", max_length=60)
    subject_id = _text(str(subject_id or ""), field="subject_id", label="Subjek", max_length=64)
    return subject_type, subject_id


def _local(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


# --- reveal --------------------------------------------------------------------------------


def reveal(obj, field: str, *, actor, koperasi, reason: str, source_address: str = "") -> Any:
    """Return the clear value of encrypted ``field`` of ``obj`` to an allowed officer.

    Only roles with ``privacy.reveal`` in ``koperasi`` may (a system caller may not), the
    object must belong to ``koperasi`` (else ``NotFoundError``, as if missing) and a reason
    is required. Audited as ``privacy.field.revealed`` with the field name and the reason
    (with any NIK/phone in it masked); the value itself is never written to the audit log.
    """
    _same_koperasi(obj, koperasi)
    model_field = obj._meta.get_field(field)
    if not isinstance(model_field, EncryptedTextField):
        raise ValueError(f"{obj._meta.label}.{field} is not an encrypted personal-data field")
    reason = _text(reason, field="reason", label="Alasan membuka data", max_length=MAX_REASON)
    role = _roles_label(actor, koperasi, "privacy.reveal", allow_system=False)
    with transaction.atomic():
        value = getattr(obj, field)  # decrypts; a tampered value raises before the audit row
        record(
            "privacy.field.revealed",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=obj,
            summary={"field": field, "reason": redact(reason)},
            source_address=source_address,
        )
    return value


# --- consent -------------------------------------------------------------------------------


def publish_consent_notice(koperasi, *, actor, purpose: str, at: dt.datetime) -> ConsentNotice:
    """Publish the next version of the consent notice (purposes of processing).

    Versions count 1, 2, 3... per koperasi; earlier versions stay, with the consents given
    to them. Audited as ``privacy.consent_notice.published``.
    """
    purpose = _text(purpose, field="purpose", label="Tujuan pemrosesan data", max_length=MAX_TEXT)
    at = _aware(at, field="at", label="Waktu terbit")
    role = _roles_label(actor, koperasi, "privacy.manage_consent")
    with transaction.atomic():
        lock_chain(f"privacy:notice:{koperasi.pk}")
        last = (
            ConsentNotice.objects.filter(koperasi=koperasi)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        notice = ConsentNotice.objects.create(
            koperasi=koperasi,
            version=(last or 0) + 1,
            purpose=purpose,
            published_at=at,
            published_by=actor,
        )
        record(
            "privacy.consent_notice.published",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=notice,
            summary={"version": notice.version},
        )
    return notice


def record_consent(
    notice: ConsentNotice,
    *,
    actor,
    subject_type: str,
    subject_id: str,
    method: str,
    given_at: dt.datetime,
) -> Consent:
    """Record that a subject agreed to ``notice``. One active consent per notice and subject.

    Audited as ``privacy.consent.recorded``.
    """
    koperasi = notice.koperasi
    subject_type, subject_id = _subject(subject_type, subject_id)
    if method not in ConsentMethod.values:
        raise PrivacyError("Cara persetujuan tidak dikenal.", field="method")
    given_at = _aware(given_at, field="given_at", label="Waktu persetujuan")
    if given_at < notice.published_at:
        raise PrivacyError(
            "Persetujuan tidak mungkin diberikan sebelum pemberitahuan diterbitkan.",
            field="given_at",
        )
    role = _roles_label(actor, koperasi, "privacy.manage_consent")
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                koperasi=koperasi,
                notice=notice,
                subject_type=subject_type,
                subject_id=subject_id,
                method=method,
                given_at=given_at,
                recorded_by=actor,
            )
            record(
                "privacy.consent.recorded",
                actor=actor,
                koperasi=koperasi,
                role=role,
                obj=consent,
                summary={
                    "notice_version": notice.version,
                    "subject_type": subject_type,
                    "subject_id": subject_id,
                    "method": method,
                },
            )
    except IntegrityError as exc:
        raise PrivacyError(
            "Persetujuan untuk pemberitahuan ini sudah tercatat.", field="subject_id"
        ) from exc
    return consent


def withdraw_consent(consent: Consent, *, actor, at: dt.datetime) -> Consent:
    """Mark ``consent`` withdrawn at ``at`` (UU PDP Pasal 9).

    Audited as ``privacy.consent.withdrawn``.
    """
    at = _aware(at, field="at", label="Waktu penarikan")
    if consent.withdrawn_at is not None:
        raise PrivacyError("Persetujuan ini sudah ditarik.", field="consent")
    if at < consent.given_at:
        raise PrivacyError("Waktu penarikan sebelum waktu persetujuan.", field="at")
    role = _roles_label(actor, consent.koperasi, "privacy.manage_consent")
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=at, withdrawn_by=actor
        )
        if not updated:
            raise PrivacyError("Persetujuan ini sudah ditarik.", field="consent")
        consent.withdrawn_at, consent.withdrawn_by = at, actor
        record(
            "privacy.consent.withdrawn",
            actor=actor,
            koperasi=consent.koperasi,
            role=role,
            obj=consent,
            summary={"subject_type": consent.subject_type, "subject_id": consent.subject_id},
        )
    return consent


# --- data-subject requests ----------------------------------------------------------------


def receive_data_request(
    koperasi,
    *,
    actor,
    kind: str,
    subject_type: str,
    subject_id: str,
    received_at: dt.datetime,
    detail: str = "",
) -> DataRequest:
    """Log a data-subject request; it is due 72 hours (3 x 24 h) after ``received_at``.

    ``detail`` is stored encrypted (it may quote personal data). Audited as
    ``privacy.data_request.received`` (kind, subject, due time; not the detail).
    """
    if kind not in DataRequestKind.values:
        raise PrivacyError("Jenis permintaan tidak dikenal.", field="kind")
    subject_type, subject_id = _subject(subject_type, subject_id)
    received_at = _aware(received_at, field="received_at", label="Waktu diterima")
    detail = _text(detail, field="detail", label="Rincian", max_length=MAX_TEXT, required=False)
    role = _roles_label(actor, koperasi, "privacy.manage_requests")
    with transaction.atomic():
        request = DataRequest(
            koperasi=koperasi,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            received_at=received_at,
            due_at=received_at + RESPONSE_WINDOW,
            detail=detail,
            received_by=actor,
        )
        request.save(force_insert=True)
        record(
            "privacy.data_request.received",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=request,
            summary={
                "kind": kind,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "due_at": request.due_at.isoformat(),
            },
        )
    return request


def close_data_request(
    request: DataRequest, *, actor, status: str, outcome: str, at: dt.datetime
) -> DataRequest:
    """Close a request as done or refused (a refusal needs its reason in ``outcome``).

    Audited as ``privacy.data_request.closed`` with whether it was on time.
    """
    if status not in (DataRequestStatus.DONE, DataRequestStatus.REFUSED):
        raise PrivacyError("Status penutupan harus selesai atau ditolak.", field="status")
    outcome = _text(
        outcome,
        field="outcome",
        label="Hasil atau alasan",
        max_length=MAX_TEXT,
        required=status == DataRequestStatus.REFUSED,
    )
    at = _aware(at, field="at", label="Waktu selesai")
    if at < request.received_at:
        raise PrivacyError("Waktu selesai sebelum permintaan diterima.", field="at")
    role = _roles_label(actor, request.koperasi, "privacy.manage_requests")
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().filter(pk=request.pk).first()
        if locked is None or locked.status != DataRequestStatus.OPEN:
            raise PrivacyError("Permintaan ini sudah ditutup.", field="status")
        locked.status, locked.outcome, locked.closed_at, locked.closed_by = (
            status,
            outcome,
            at,
            actor,
        )
        locked.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
        record(
            "privacy.data_request.closed",
            actor=actor,
            koperasi=request.koperasi,
            role=role,
            obj=locked,
            summary={"status": status, "on_time": at <= locked.due_at},
        )
    return locked


# --- breach register -----------------------------------------------------------------------


def register_breach(
    koperasi,
    *,
    actor,
    title: str,
    what_happened: str,
    data_involved: str,
    detected_at: dt.datetime,
    subjects_affected: int,
    contact: str,
    occurred_at: dt.datetime | None = None,
    handling: str = "",
    at: dt.datetime,
) -> BreachRecord:
    """Enter an incident in the breach register. Audited as ``privacy.breach_record.registered``.

    ``at`` is when it is registered; the written notice is due 72 hours after
    ``detected_at`` (``BreachRecord.notice_due_at``).
    """
    title = _text(title, field="title", label="Judul kejadian", max_length=200)
    what_happened = _text(
        what_happened, field="what_happened", label="Bagaimana terjadi", max_length=MAX_TEXT
    )
    data_involved = _text(
        data_involved, field="data_involved", label="Data yang terlibat", max_length=MAX_TEXT
    )
    contact = _text(contact, field="contact", label="Kontak petugas", max_length=200)
    handling = _text(
        handling, field="handling", label="Penanganan", max_length=MAX_TEXT, required=False
    )
    detected_at = _aware(detected_at, field="detected_at", label="Waktu diketahui")
    at = _aware(at, field="at", label="Waktu dicatat")
    if detected_at > at:
        raise PrivacyError(
            "Waktu diketahui tidak boleh setelah waktu pencatatan.", field="detected_at"
        )
    if occurred_at is not None:
        occurred_at = _aware(occurred_at, field="occurred_at", label="Waktu terjadi")
        if occurred_at > detected_at:
            raise PrivacyError(
                "Waktu terjadi tidak boleh setelah waktu diketahui.", field="occurred_at"
            )
    if isinstance(subjects_affected, bool) or not isinstance(subjects_affected, int):
        raise PrivacyError(
            "Jumlah orang terdampak harus bilangan bulat.", field="subjects_affected"
        )
    if subjects_affected < 0:
        raise PrivacyError("Jumlah orang terdampak tidak boleh negatif.", field="subjects_affected")
    role = _roles_label(actor, koperasi, "privacy.manage_breaches")
    with transaction.atomic():
        breach = BreachRecord.objects.create(
            koperasi=koperasi,
            title=title,
            what_happened=what_happened,
            data_involved=data_involved,
            occurred_at=occurred_at,
            detected_at=detected_at,
            subjects_affected=subjects_affected,
            handling=handling,
            contact=contact,
            recorded_by=actor,
            recorded_at=at,
        )
        record(
            "privacy.breach_record.registered",
            actor=actor,
            koperasi=koperasi,
            role=role,
            obj=breach,
            summary={
                "title": title,
                "detected_at": detected_at.isoformat(),
                "subjects_affected": subjects_affected,
            },
        )
    return breach


def breach_notice_text(breach: BreachRecord) -> str:
    """The written notice (UU 27/2022 Pasal 46(2)) in Bahasa Indonesia.

    Contains what the law asks: (a) the personal data exposed, (b) when and how, (c) the
    handling and recovery, plus who to contact. Pure text from the register entry.
    """
    koperasi = breach.koperasi
    occurred = (
        _local(breach.occurred_at) if breach.occurred_at else "belum diketahui (masih diperiksa)"
    )
    handling = breach.handling or "Penanganan sedang dilakukan; kami akan mengabarkan kembali."
    return "\n".join(
        [
            "PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI",
            koperasi.name,
            "(berdasarkan Pasal 46 Undang-Undang Nomor 27 Tahun 2022)",
            "",
            f"Perihal: {breach.title}",
            "",
            "Kepada anggota yang terdampak dan lembaga penyelenggara pelindungan data pribadi,",
            "",
            f"{koperasi.name} selaku pengendali data pribadi memberitahukan bahwa telah terjadi "
            "kegagalan pelindungan data pribadi dengan keterangan sebagai berikut.",
            "",
            f"a. Data pribadi yang terungkap: {breach.data_involved}",
            f"   Jumlah orang yang terdampak: {breach.subjects_affected}",
            f"b. Kapan dan bagaimana data terungkap: terjadi {occurred}; diketahui "
            f"{_local(breach.detected_at)}. {breach.what_happened}",
            f"c. Upaya penanganan dan pemulihan: {handling}",
            "",
            f"Untuk pertanyaan, hubungi: {breach.contact}",
            f"Alamat koperasi: {koperasi.address}",
            "",
            f"Pemberitahuan ini wajib disampaikan paling lambat {_local(breach.notice_due_at)} "
            "(3 x 24 jam sejak kegagalan diketahui).",
        ]
    )


def draft_breach_notice(breach: BreachRecord, *, actor, at: dt.datetime) -> BreachRecord:
    """Draft (or redraft) the Pasal 46 notice text for ``breach`` and stamp when.

    Audited as ``privacy.breach_record.notice_drafted`` with the minutes from detection to
    draft (the T15 drill figure) and whether it is within the 3 x 24 hour limit.
    """
    at = _aware(at, field="at", label="Waktu penyusunan")
    role = _roles_label(actor, breach.koperasi, "privacy.manage_breaches")
    with transaction.atomic():
        breach.notice_text = breach_notice_text(breach)
        breach.notice_drafted_at = at
        breach.save(update_fields=["notice_text", "notice_drafted_at"])
        minutes = int((at - breach.detected_at).total_seconds() // 60)
        record(
            "privacy.breach_record.notice_drafted",
            actor=actor,
            koperasi=breach.koperasi,
            role=role,
            obj=breach,
            summary={"minutes_since_detected": minutes, "on_time": at <= breach.notice_due_at},
        )
    return breach
