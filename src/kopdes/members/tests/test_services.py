import datetime as dt

import pytest
from django.utils import timezone

from kopdes.members import selectors, services
from kopdes.members.choices import MemberStatus
from kopdes.members.models import ExitProposal, Heir, Member
from kopdes.members.testing import REGISTERED_ON, make_member, registration_data
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.platform.privacy.models import Consent

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 2, 1, 10, 0))


def test_register_member_encrypts_numbers_and_records_consent_and_audit(koperasi):
    kasir = make_user("kasir", koperasi)
    member = services.register_member(
        koperasi,
        actor=kasir,
        data=registration_data(koperasi, serial=7),
        registered_on=REGISTERED_ON,
    )
    assert member.number == "0001"
    assert member.status == MemberStatus.CANDIDATE
    raw = Member.objects.filter(pk=member.pk).values("nik", "phone", "address")[0]
    assert all(str(v).startswith("v1:") for v in raw.values())
    fresh = Member.objects.get(pk=member.pk)
    assert fresh.phone == "+6281200000007"
    assert Heir.objects.filter(member=member).count() == 1
    assert Consent.objects.filter(subject_id=str(member.pk)).count() == 1
    event = AuditEvent.objects.get(action="members.member.registered", object_id=str(member.pk))
    assert event.actor == kasir
    assert member.nik not in str(event.summary)


def test_member_numbers_are_gap_free_per_koperasi(koperasi, other_koperasi):
    a = [make_member(koperasi).number for _ in range(3)]
    b = make_member(other_koperasi).number
    assert a == ["0001", "0002", "0003"]
    assert b == "0001"


def test_same_nik_refused_in_same_koperasi_but_allowed_in_another(koperasi, other_koperasi):
    data = registration_data(koperasi, serial=11)
    services.register_member(koperasi, actor=None, data=data, registered_on=REGISTERED_ON)
    with pytest.raises(services.MemberError, match=r"sudah terdaftar|already registered"):
        services.register_member(koperasi, actor=None, data=data, registered_on=REGISTERED_ON)
    assert Member.objects.filter(koperasi=koperasi).count() == 1
    services.register_member(other_koperasi, actor=None, data=data, registered_on=REGISTERED_ON)
    assert Member.objects.filter(koperasi=other_koperasi).count() == 1


def test_activate_member_sets_joined_on(koperasi):
    member = make_member(koperasi)
    kasir = make_user("kasir", koperasi)
    services.activate_member(member, actor=kasir, date=dt.date(2026, 2, 1))
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.joined_on == dt.date(2026, 2, 1)
    assert AuditEvent.objects.filter(action="members.member.activated").count() == 1


def test_exit_needs_a_second_officer_and_the_maker_cannot_approve(koperasi):
    member = make_member(koperasi)
    ketua = make_user("ketua", koperasi)
    ketua2 = make_user("ketua", koperasi)
    proposal = services.propose_exit(
        member,
        actor=ketua,
        to_status="berhenti",
        reason="Pindah domisili",
        effective_on=dt.date(2026, 3, 1),
        at=NOW,
    )
    with pytest.raises(PermissionDeniedError):
        services.approve_exit(proposal, actor=ketua, at=NOW)
    kasir = make_user("kasir", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.approve_exit(proposal, actor=kasir, at=NOW)
    member.refresh_from_db()
    assert member.status == MemberStatus.CANDIDATE
    services.approve_exit(proposal, actor=ketua2, at=NOW)
    member.refresh_from_db()
    proposal.refresh_from_db()
    assert member.status == MemberStatus.RESIGNED and member.left_on == dt.date(2026, 3, 1)
    assert proposal.state == ProposalState.APPROVED and proposal.decided_by == ketua2
    assert AuditEvent.objects.filter(action="members.exit.approved").count() == 1


def test_card_payload_roundtrip_and_tamper_and_other_koperasi(koperasi, other_koperasi):
    member = make_member(koperasi)
    payload = services.member_card_payload(member)
    assert services.read_member_card(payload, koperasi=koperasi) == member
    tampered = payload.replace(f"|{member.number}|", "|0002|")
    with pytest.raises(services.MemberError):
        services.read_member_card(tampered, koperasi=koperasi)
    with pytest.raises(services.MemberError, match=r"lain|another"):
        services.read_member_card(payload, koperasi=other_koperasi)


def test_search_by_exact_nik_and_phone(koperasi):
    member = make_member(koperasi, serial=21)
    make_member(koperasi, serial=22)
    assert list(selectors.list_members(koperasi, query=member.nik)) == [member]
    assert list(selectors.list_members(koperasi, query="0812-0000-0021")) == [member]


def test_portal_code_activation_creates_anggota_user(koperasi):
    member = make_member(koperasi)
    kasir = make_user("kasir", koperasi)
    code = services.issue_portal_code(member, actor=kasir, at=timezone.now())
    with pytest.raises(services.MemberError):
        services.activate_portal(
            koperasi,
            number=member.number,
            code="AAAAAAAA",
            password="Rahasia-Anggota-77",
            at=timezone.now(),
        )
    user = services.activate_portal(
        koperasi, number=member.number, code=code, password="Rahasia-Anggota-77", at=timezone.now()
    )
    member.refresh_from_db()
    assert member.user == user and user.check_password("Rahasia-Anggota-77")
    with pytest.raises(services.MemberError):  # one-time
        services.activate_portal(
            koperasi,
            number=member.number,
            code=code,
            password="Rahasia-Anggota-78",
            at=timezone.now(),
        )


def test_open_exit_proposal_is_unique(koperasi):
    member = make_member(koperasi)
    ketua = make_user("ketua", koperasi)
    services.propose_exit(
        member,
        actor=ketua,
        to_status="meninggal",
        reason="Wafat",
        effective_on=dt.date(2026, 3, 1),
        at=NOW,
    )
    with pytest.raises(services.MemberError):
        services.propose_exit(
            member,
            actor=ketua,
            to_status="berhenti",
            reason="x",
            effective_on=dt.date(2026, 3, 1),
            at=NOW,
        )
    assert ExitProposal.objects.count() == 1


def test_an_officer_with_many_roles_is_audited_with_the_role_that_allowed_the_act(koperasi):
    from kopdes.platform.identity.models import RoleAssignment

    officer = make_user("kasir", koperasi)
    for role in ("sekretaris", "ketua", "petugas_pinjaman", "bendahara"):
        RoleAssignment.objects.create(user=officer, role=role, koperasi=koperasi)
    member = services.register_member(
        koperasi, actor=officer, data=registration_data(koperasi), registered_on=REGISTERED_ON
    )
    services.export_member_data(member, actor=officer, koperasi=koperasi, at=NOW)
    # The roles that allow each act (identity.permissions.role_label), not every role held.
    registered = AuditEvent.objects.get(action="members.member.registered")
    assert registered.role == "kasir,ketua,sekretaris"
    exported = AuditEvent.objects.get(action="members.member.exported")
    assert exported.role == "ketua,sekretaris"


def test_database_refuses_a_second_member_with_the_same_nik_index(koperasi):
    from django.db import IntegrityError, transaction

    from kopdes.platform.privacy.fields import update_blind_indexes

    first = make_member(koperasi, serial=95)
    clone = Member(
        koperasi=koperasi, number="9999", full_name="Kembar", nik=first.nik,
        registered_on=REGISTERED_ON,
    )  # fmt: skip
    update_blind_indexes(clone)
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)


def test_database_refuses_an_exit_approved_by_its_proposer(koperasi):
    from django.db import IntegrityError, transaction

    member = make_member(koperasi)
    ketua = make_user("ketua", koperasi)
    proposal = services.propose_exit(
        member, actor=ketua, to_status="berhenti", reason="Pindah",
        effective_on=dt.date(2026, 3, 1), at=NOW,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ExitProposal.objects.filter(pk=proposal.pk).update(decided_by=ketua, decided_at=NOW)


def test_ktp_photo_is_bound_to_its_member(koperasi, settings, tmp_path):
    import io
    import shutil

    from PIL import Image

    from kopdes.platform.privacy.crypto import DecryptionError

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "JPEG")
    sek = make_user("sekretaris", koperasi)
    a, b = make_member(koperasi), make_member(koperasi)
    services.replace_ktp_photo(a, actor=sek, content=buf.getvalue())
    services.replace_ktp_photo(b, actor=sek, content=buf.getvalue())
    content, mime = services.read_ktp_photo(a, actor=sek, koperasi=koperasi)
    assert content == buf.getvalue() and mime == "image/jpeg"
    shutil.copy(tmp_path / a.ktp_photo, tmp_path / b.ktp_photo)  # swap files on disk
    with pytest.raises(DecryptionError):
        services.read_ktp_photo(b, actor=sek, koperasi=koperasi)
    assert AuditEvent.objects.filter(action="members.ktp_photo.replaced").count() == 2


def _open_exit(koperasi, maker=None):
    return services.propose_exit(
        make_member(koperasi), actor=maker or make_user("sekretaris", koperasi),
        to_status="berhenti", reason="Pindah", effective_on=dt.date(2026, 3, 1), at=NOW,
    )  # fmt: skip


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_an_exit_is_decided_once(koperasi, first, second):
    from kopdes.platform.approvals.services import AlreadyDecidedError

    proposal = _open_exit(koperasi)
    decide = {"approve": services.approve_exit, "reject": services.reject_exit}
    ketua = make_user("ketua", koperasi)
    decide[first](ExitProposal.objects.get(pk=proposal.pk), actor=ketua)
    events = AuditEvent.objects.count()
    stale = ExitProposal.objects.get(pk=proposal.pk)
    stale.state = ProposalState.PENDING  # as a second officer's page loaded it before
    with pytest.raises(AlreadyDecidedError, match="sudah diputuskan"):
        decide[second](stale, actor=make_user("ketua", koperasi))
    proposal.refresh_from_db()
    expected = ProposalState.APPROVED if first == "approve" else ProposalState.REJECTED
    assert proposal.state == expected and proposal.decided_by_id == ketua.pk
    assert AuditEvent.objects.count() == events


def test_the_database_refuses_a_checker_who_is_the_maker_on_insert_too(koperasi):
    from django.db import IntegrityError, transaction

    ketua = make_user("ketua", koperasi)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExitProposal.objects.create(
            koperasi=koperasi, member=make_member(koperasi), to_status="berhenti",
            reason="Pindah", effective_on=dt.date(2026, 3, 1), proposed_by=ketua,
            state=ProposalState.APPROVED, decided_by=ketua, decided_at=NOW,
        )  # fmt: skip
    assert not ExitProposal.objects.exists()


def test_rejecting_keeps_the_checkers_note_and_nothing_else_moves(koperasi):
    proposal = _open_exit(koperasi)
    ketua = make_user("ketua", koperasi)
    services.reject_exit(proposal, actor=ketua, note="  Masih ada   tanggungan ")
    proposal.refresh_from_db()
    proposal.member.refresh_from_db()
    assert proposal.state == ProposalState.REJECTED and proposal.decided_by_id == ketua.pk
    assert proposal.decision_note == "Masih ada tanggungan"
    assert proposal.member.status == MemberStatus.CANDIDATE
    event = AuditEvent.objects.get(action="members.exit.rejected")
    assert event.summary["note"] == "Masih ada tanggungan"
    # A new exit may be proposed once the old one is decided (one open exit per member).
    services.propose_exit(
        proposal.member, actor=make_user("sekretaris", koperasi), to_status="berhenti",
        reason="Pindah lagi", effective_on=dt.date(2026, 4, 1), at=NOW,
    )  # fmt: skip


def test_the_maker_may_not_reject_her_own_exit_and_a_kasir_may_not_decide(koperasi):
    sekretaris_ketua = make_user("ketua", koperasi)
    proposal = _open_exit(koperasi, maker=sekretaris_ketua)
    with pytest.raises(PermissionDeniedError, match="pengurus lain"):
        services.reject_exit(proposal, actor=sekretaris_ketua, note="Batal")
    with pytest.raises(PermissionDeniedError, match="tidak berwenang"):
        services.reject_exit(proposal, actor=make_user("kasir", koperasi))
    with pytest.raises(PermissionDeniedError):
        services.reject_exit(proposal, actor=None)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING and proposal.decided_by_id is None
    assert not AuditEvent.objects.filter(action="members.exit.rejected").exists()


def test_the_migration_turns_proposed_into_pending_and_back(koperasi):
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("kopdes.members.migrations.0003_exitproposal_on_proposal")
    open_one, decided = _open_exit(koperasi), _open_exit(koperasi)
    services.reject_exit(decided, actor=make_user("ketua", koperasi))
    migration.pending_to_proposed(django_apps, None)
    assert ExitProposal.objects.get(pk=open_one.pk).state == "proposed"
    assert ExitProposal.objects.get(pk=decided.pk).state == ProposalState.REJECTED
    migration.proposed_to_pending(django_apps, None)
    assert ExitProposal.objects.get(pk=open_one.pk).state == ProposalState.PENDING
    assert ExitProposal.objects.get(pk=decided.pk).state == ProposalState.REJECTED
