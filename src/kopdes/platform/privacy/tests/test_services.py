"""Privacy services: state change + audit event, refusals write nothing (T15 drills)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.platform.privacy import selectors, services
from kopdes.platform.privacy.models import BreachRecord, Consent, ConsentNotice, DataRequest
from kopdes.platform.privacy.services import NotFoundError, PrivacyError

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
SECRET = "NIK saya 3201231205850001, HP baru 081234567890"


def _events(koperasi, action):
    return list(AuditEvent.objects.filter(koperasi=koperasi, action=action))


@pytest.fixture
def ketua(koperasi):
    return make_user("ketua", koperasi)


@pytest.fixture
def request_row(koperasi, ketua):
    return services.receive_data_request(
        koperasi,
        actor=ketua,
        kind="correction",
        subject_type="members.member",
        subject_id="m-1",
        received_at=T0,
        detail=SECRET,
    )


# --- reveal -------------------------------------------------------------------------------


def test_reveal_returns_the_clear_value_and_audits_without_it(koperasi, ketua, request_row):
    value = services.reveal(
        request_row, "detail", actor=ketua, koperasi=koperasi, reason="cek KTP 3201231205850001"
    )
    assert value == SECRET
    [event] = _events(koperasi, "privacy.field.revealed")
    assert event.actor == ketua and event.object_id == str(request_row.pk)
    assert event.summary == {"field": "detail", "reason": "cek KTP 3201********0001"}
    dumped = json.dumps(event.summary)
    assert "3201231205850001" not in dumped and "081234567890" not in dumped


@pytest.mark.parametrize("role", ["bendahara", "pengawas", "kasir", "manajer", "anggota"])
def test_reveal_is_refused_to_roles_without_the_permission(koperasi, request_row, role):
    with pytest.raises(PermissionDeniedError):
        services.reveal(
            request_row, "detail", actor=make_user(role, koperasi), koperasi=koperasi, reason="x"
        )
    assert _events(koperasi, "privacy.field.revealed") == []


def test_reveal_for_a_platform_admin_or_system_is_refused(koperasi, request_row):
    with pytest.raises(PermissionDeniedError):
        services.reveal(
            request_row, "detail", actor=make_user("admin"), koperasi=koperasi, reason="x"
        )
    with pytest.raises(PermissionDeniedError):
        services.reveal(request_row, "detail", actor=None, koperasi=koperasi, reason="x")


def test_reveal_of_another_koperasi_s_row_looks_missing(koperasi, other_koperasi, request_row):
    other_ketua = make_user("ketua", other_koperasi)
    with pytest.raises(NotFoundError):
        services.reveal(
            request_row, "detail", actor=other_ketua, koperasi=other_koperasi, reason="x"
        )


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 201, "a\x00b"])
def test_reveal_needs_a_reason(koperasi, ketua, request_row, reason):
    with pytest.raises(PrivacyError) as exc:
        services.reveal(request_row, "detail", actor=ketua, koperasi=koperasi, reason=reason)
    assert exc.value.field == "reason"
    assert _events(koperasi, "privacy.field.revealed") == []


def test_reveal_of_a_field_that_is_not_encrypted_is_a_programming_error(
    koperasi, ketua, request_row
):
    with pytest.raises(ValueError):
        services.reveal(request_row, "kind", actor=ketua, koperasi=koperasi, reason="x")


def test_masked_display_per_kind():
    assert services.masked("nik", "3201231205850001") == "3201********0001"
    assert services.masked("phone", "+6281234567890") == "+62812*****890"
    assert services.masked("birth_date", dt.date(1985, 5, 12)) == "**-**-1985"
    assert services.masked("name", "Siti Aminah") == "S*** A*****"
    assert services.masked("nik", None) == ""


# --- consent ------------------------------------------------------------------------------


def test_consent_notice_versions_count_up_and_consent_is_recorded_then_withdrawn(koperasi, ketua):
    first = services.publish_consent_notice(
        koperasi, actor=ketua, purpose="Pengelolaan keanggotaan dan simpanan.", at=T0
    )
    second = services.publish_consent_notice(
        koperasi, actor=ketua, purpose="Ditambah: pinjaman.", at=T0 + dt.timedelta(days=1)
    )
    assert (first.version, second.version) == (1, 2)
    assert selectors.get_current_notice(koperasi) == second
    assert len(_events(koperasi, "privacy.consent_notice.published")) == 2

    consent = services.record_consent(
        second,
        actor=ketua,
        subject_type="members.member",
        subject_id="m-1",
        method="paper",
        given_at=T0 + dt.timedelta(days=2),
    )
    assert list(selectors.list_active_consents(koperasi, "members.member", "m-1")) == [consent]
    [event] = _events(koperasi, "privacy.consent.recorded")
    assert event.summary["notice_version"] == 2

    with pytest.raises(PrivacyError, match="sudah tercatat"):
        services.record_consent(
            second,
            actor=ketua,
            subject_type="members.member",
            subject_id="m-1",
            method="digital",
            given_at=T0 + dt.timedelta(days=3),
        )
    assert Consent.objects.count() == 1

    services.withdraw_consent(consent, actor=ketua, at=T0 + dt.timedelta(days=4))
    consent.refresh_from_db()
    assert consent.withdrawn_at == T0 + dt.timedelta(days=4)
    assert list(selectors.list_active_consents(koperasi, "members.member", "m-1")) == []
    assert len(_events(koperasi, "privacy.consent.withdrawn")) == 1
    with pytest.raises(PrivacyError, match="sudah ditarik"):
        services.withdraw_consent(consent, actor=ketua, at=T0 + dt.timedelta(days=5))
    # After withdrawal the subject may consent again.
    services.record_consent(
        second,
        actor=ketua,
        subject_type="members.member",
        subject_id="m-1",
        method="digital",
        given_at=T0 + dt.timedelta(days=6),
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "telepati"}, "method"),
        ({"given_at": T0 - dt.timedelta(days=1)}, "given_at"),
        ({"given_at": dt.datetime(2026, 11, 3, 9, 0)}, "given_at"),  # naive
        ({"subject_type": ""}, "subject_type"),
        ({"subject_id": ""}, "subject_id"),
    ],
)
def test_bad_consent_input_writes_nothing(koperasi, ketua, kwargs, field):
    notice = services.publish_consent_notice(koperasi, actor=ketua, purpose="Keanggotaan.", at=T0)
    args = {
        "actor": ketua,
        "subject_type": "members.member",
        "subject_id": "m-1",
        "method": "paper",
        "given_at": T0 + dt.timedelta(hours=1),
        **kwargs,
    }
    with pytest.raises(PrivacyError) as exc:
        services.record_consent(notice, **args)
    assert exc.value.field == field
    assert Consent.objects.count() == 0
    assert _events(koperasi, "privacy.consent.recorded") == []


def test_a_kasir_may_not_publish_a_notice(koperasi):
    with pytest.raises(PermissionDeniedError):
        services.publish_consent_notice(
            koperasi, actor=make_user("kasir", koperasi), purpose="x", at=T0
        )
    assert ConsentNotice.objects.count() == 0


# --- data-subject requests ----------------------------------------------------------------


def test_request_is_due_72_hours_after_receipt_and_audited_without_detail(koperasi, request_row):
    assert request_row.due_at == T0 + dt.timedelta(hours=72)
    [event] = _events(koperasi, "privacy.data_request.received")
    assert event.summary["kind"] == "correction"
    assert event.summary["due_at"] == (T0 + dt.timedelta(hours=72)).isoformat()
    assert "3201231205850001" not in json.dumps(event.summary)
    assert DataRequest.objects.get(pk=request_row.pk).detail == SECRET


def test_overdue_report_with_a_clock_shift(koperasi, other_koperasi, ketua, request_row):
    services.receive_data_request(
        koperasi,
        actor=ketua,
        kind="access",
        subject_type="members.member",
        subject_id="m-2",
        received_at=T0 + dt.timedelta(hours=48),
    )
    services.receive_data_request(
        other_koperasi,
        actor=None,
        kind="erasure",
        subject_type="members.member",
        subject_id="m-9",
        received_at=T0,
    )
    assert list(selectors.list_overdue_requests(koperasi, T0 + dt.timedelta(hours=71))) == []
    late = list(selectors.list_overdue_requests(koperasi, T0 + dt.timedelta(hours=73)))
    assert late == [request_row]  # the other koperasi's overdue request is not listed
    assert len(list(selectors.list_overdue_requests(koperasi, T0 + dt.timedelta(days=6)))) == 2
    assert len(list(selectors.list_open_requests(koperasi))) == 2


def test_closing_a_request_records_whether_it_was_on_time(koperasi, ketua, request_row):
    closed = services.close_data_request(
        request_row,
        actor=ketua,
        status="done",
        outcome="Nomor HP diperbarui.",
        at=T0 + dt.timedelta(hours=80),
    )
    assert closed.status == "done" and closed.closed_at == T0 + dt.timedelta(hours=80)
    [event] = _events(koperasi, "privacy.data_request.closed")
    assert event.summary == {"status": "done", "on_time": False}
    assert list(selectors.list_overdue_requests(koperasi, T0 + dt.timedelta(days=9))) == []
    with pytest.raises(PrivacyError, match="sudah ditutup"):
        services.close_data_request(request_row, actor=ketua, status="done", outcome="", at=T0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "open"}, "status"),
        ({"status": "refused", "outcome": ""}, "outcome"),
        ({"at": T0 - dt.timedelta(hours=1)}, "at"),
        ({"at": "besok"}, "at"),
    ],
)
def test_bad_close_input_changes_nothing(koperasi, ketua, request_row, kwargs, field):
    args = {"actor": ketua, "status": "done", "outcome": "ok", "at": T0, **kwargs}
    with pytest.raises(PrivacyError) as exc:
        services.close_data_request(request_row, **args)
    assert exc.value.field == field
    assert DataRequest.objects.get(pk=request_row.pk).status == "open"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "delete_everything"}, "kind"),
        ({"received_at": dt.datetime(2026, 11, 2, 9, 0)}, "received_at"),
        ({"detail": "x" * 5001}, "detail"),
        ({"detail": 12}, "detail"),
        ({"subject_id": None}, "subject_id"),
    ],
)
def test_bad_request_input_writes_nothing(koperasi, ketua, kwargs, field):
    args = {
        "actor": ketua,
        "kind": "access",
        "subject_type": "members.member",
        "subject_id": "m-1",
        "received_at": T0,
        **kwargs,
    }
    with pytest.raises(PrivacyError) as exc:
        services.receive_data_request(koperasi, **args)
    assert exc.value.field == field
    assert DataRequest.objects.count() == 0


# --- breach register ----------------------------------------------------------------------


def _breach(koperasi, actor, **overrides):
    args = {
        "actor": actor,
        "title": "Laptop kantor hilang",
        "what_happened": "Laptop berisi daftar anggota dicuri dari kantor koperasi.",
        "data_involved": "nama, NIK (terenkripsi), nomor HP, alamat",
        "occurred_at": T0 - dt.timedelta(hours=10),
        "detected_at": T0,
        "subjects_affected": 120,
        "contact": "Sekretaris koperasi, 0812-0000-1111",
        "handling": "Kunci data diganti, laporan polisi dibuat, anggota dihubungi.",
        "at": T0 + dt.timedelta(hours=1),
    }
    args.update(overrides)
    return services.register_breach(koperasi, **args)


def test_breach_drill_produces_the_pasal_46_notice_within_the_limit(koperasi, ketua):
    breach = _breach(koperasi, ketua)
    assert breach.notice_due_at == T0 + dt.timedelta(hours=72)
    assert list(selectors.list_breaches_awaiting_notice(koperasi)) == [breach]
    services.draft_breach_notice(breach, actor=ketua, at=T0 + dt.timedelta(hours=2, minutes=5))
    breach.refresh_from_db()
    text = breach.notice_text
    assert "Pasal 46" in text and koperasi.name in text
    assert "a. Data pribadi yang terungkap: nama, NIK (terenkripsi), nomor HP, alamat" in text
    assert "Jumlah orang yang terdampak: 120" in text
    assert "b. Kapan dan bagaimana data terungkap: terjadi 02-11-2026 06:00 WIB" in text
    assert "diketahui 02-11-2026 16:00 WIB" in text
    assert "c. Upaya penanganan dan pemulihan: Kunci data diganti" in text
    assert "paling lambat 05-11-2026 16:00 WIB" in text
    assert breach.notice_drafted_at == T0 + dt.timedelta(hours=2, minutes=5)
    assert list(selectors.list_breaches_awaiting_notice(koperasi)) == []
    [registered] = _events(koperasi, "privacy.breach_record.registered")
    assert registered.summary["subjects_affected"] == 120
    [drafted] = _events(koperasi, "privacy.breach_record.notice_drafted")
    assert drafted.summary == {"minutes_since_detected": 125, "on_time": True}


def test_breach_with_unknown_time_and_no_handling_yet(koperasi, ketua):
    breach = _breach(koperasi, make_user("pengawas", koperasi), occurred_at=None, handling="")
    text = services.breach_notice_text(breach)
    assert "belum diketahui" in text and "Penanganan sedang dilakukan" in text
    assert ketua  # the ketua fixture exists; the pengawas may register too


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"data_involved": "  "}, "data_involved"),
        ({"contact": ""}, "contact"),
        ({"subjects_affected": -1}, "subjects_affected"),
        ({"subjects_affected": True}, "subjects_affected"),
        ({"subjects_affected": "120"}, "subjects_affected"),
        ({"occurred_at": T0 + dt.timedelta(hours=1)}, "occurred_at"),
        ({"detected_at": T0 + dt.timedelta(hours=2)}, "detected_at"),
        ({"detected_at": dt.datetime(2026, 11, 2)}, "detected_at"),
        ({"what_happened": "<script>" + "x" * 5000}, "what_happened"),
    ],
)
def test_bad_breach_input_writes_nothing(koperasi, ketua, overrides, field):
    with pytest.raises(PrivacyError) as exc:
        _breach(koperasi, ketua, **overrides)
    assert exc.value.field == field
    assert BreachRecord.objects.count() == 0
    assert _events(koperasi, "privacy.breach_record.registered") == []


def test_a_kasir_may_not_register_a_breach(koperasi):
    with pytest.raises(PermissionDeniedError):
        _breach(koperasi, make_user("kasir", koperasi))
    assert BreachRecord.objects.count() == 0
