"""Services: officers, roles, invitations and API tokens (state change + audit event)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import DomainError, PermissionDeniedError
from kopdes.platform.core.testing import TEST_PASSWORD, make_user
from kopdes.platform.identity import services
from kopdes.platform.identity.api import hash_token
from kopdes.platform.identity.models import ApiToken, Invitation, RoleAssignment, User
from kopdes.platform.identity.selectors import roles_for

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Gotong-Royong-Desa-77"


def _counts():
    return (
        User.objects.count(),
        RoleAssignment.objects.count(),
        Invitation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_create_officer_as_system_makes_user_role_and_audit_event(koperasi):
    user = services.create_officer(
        koperasi,
        actor=None,
        username="siti",
        full_name="Siti Aminah",
        role="bendahara",
        password=GOOD_PASSWORD,
    )
    assert user.check_password(GOOD_PASSWORD)
    assert user.full_name == "Siti Aminah"
    assert roles_for(user, koperasi) == {"bendahara"}
    event = AuditEvent.objects.get(action="identity.role.granted")
    assert event.koperasi == koperasi
    assert event.summary["username"] == "siti"
    assert event.summary["role"] == "bendahara"


def test_create_officer_by_ketua_checks_grant_and_records_actor(koperasi):
    ketua = make_user("ketua", koperasi)
    user = services.create_officer(
        koperasi,
        actor=ketua,
        username="budi",
        full_name="Budi Santoso",
        role="kasir",
        password=GOOD_PASSWORD,
    )
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.granted_by == ketua
    event = AuditEvent.objects.get(action="identity.role.granted")
    assert event.actor == ketua
    assert event.role == "ketua"


def test_create_officer_without_password_cannot_log_in(koperasi):
    user = services.create_officer(
        koperasi, actor=None, username="tanpa", full_name="Tanpa Sandi", role="kasir"
    )
    assert not user.has_usable_password()


def test_grant_above_own_role_is_refused_and_nothing_written(koperasi):
    kasir = make_user("kasir", koperasi)
    sekretaris = make_user("sekretaris", koperasi)
    before = _counts()
    for actor, role in [(kasir, "kasir"), (sekretaris, "bendahara"), (sekretaris, "ketua")]:
        with pytest.raises(PermissionDeniedError) as exc:
            services.create_officer(
                koperasi,
                actor=actor,
                username="baru",
                full_name="Orang Baru",
                role=role,
                password=GOOD_PASSWORD,
            )
        assert "peran" in exc.value.message.lower()
    assert _counts() == before


def test_admin_may_not_be_granted_inside_koperasi_and_ketua_may_not_grant_above_ketua(
    koperasi,
):
    ketua = make_user("ketua", koperasi)
    before = _counts()
    with pytest.raises(DomainError):
        services.invite_officer(
            koperasi, actor=ketua, role="admin", full_name="Admin Palsu", username="adm"
        )
    assert _counts() == before


def test_ketua_of_another_koperasi_may_not_invite_here(koperasi, other_koperasi):
    other_ketua = make_user("ketua", other_koperasi)
    before = _counts()
    with pytest.raises(PermissionDeniedError):
        services.invite_officer(
            koperasi, actor=other_ketua, role="kasir", full_name="Penyusup", username="susup"
        )
    assert _counts() == before


def test_weak_password_is_refused_with_an_indonesian_message(koperasi):
    before = _counts()
    with override("id"), pytest.raises(DomainError) as exc:
        services.create_officer(
            koperasi,
            actor=None,
            username="lemah",
            full_name="Sandi Lemah",
            role="kasir",
            password="12345",
        )
    message = exc.value.message
    assert "Kata sandi terlalu pendek" in message
    assert exc.value.field == "password"
    assert _counts() == before


def test_weak_password_message_follows_english_when_chosen(koperasi):
    with override("en"), pytest.raises(DomainError) as exc:
        services.create_officer(
            koperasi, actor=None, username="l", full_name="L", role="kasir", password="12345"
        )
    assert "too short" in exc.value.message


def test_duplicate_username_and_unknown_role_are_refused(koperasi):
    make_user("kasir", koperasi, username="ada")
    before = _counts()
    with override("id"), pytest.raises(DomainError) as exc:
        services.create_officer(
            koperasi,
            actor=None,
            username="ADA",
            full_name="X",
            role="kasir",
            password=GOOD_PASSWORD,
        )
    assert "sudah dipakai" in exc.value.message
    with pytest.raises(DomainError):
        services.create_officer(
            koperasi, actor=None, username="x1", full_name="X", role="raja", password=GOOD_PASSWORD
        )
    with pytest.raises(DomainError):
        services.create_officer(
            koperasi, actor=None, username="x2", full_name="X", role="dinas", password=GOOD_PASSWORD
        )
    with pytest.raises(DomainError):
        services.create_officer(
            koperasi,
            actor=None,
            username="ada spasi",
            full_name="X",
            role="kasir",
            password=GOOD_PASSWORD,
        )
    assert _counts() == before


def test_invite_and_accept_creates_officer_with_role(koperasi):
    ketua = make_user("ketua", koperasi)
    invitation, raw = services.invite_officer(
        koperasi, actor=ketua, role="bendahara", full_name="Dewi Lestari", username="dewi"
    )
    assert invitation.token_hash == hash_token(raw)
    assert raw not in str(Invitation.objects.values_list().get(pk=invitation.pk))
    assert AuditEvent.objects.filter(action="identity.invitation.created").count() == 1

    user = services.accept_invitation(raw, password=GOOD_PASSWORD)
    assert user.username == "dewi"
    assert user.full_name == "Dewi Lestari"
    assert user.check_password(GOOD_PASSWORD)
    assert roles_for(user, koperasi) == {"bendahara"}
    assert RoleAssignment.objects.get(user=user).granted_by == ketua
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_user == user
    assert AuditEvent.objects.filter(action="identity.invitation.accepted").count() == 1
    assert AuditEvent.objects.filter(action="identity.role.granted").count() == 1


def test_used_invitation_is_refused(koperasi):
    ketua = make_user("ketua", koperasi)
    _inv, raw = services.invite_officer(
        koperasi, actor=ketua, role="kasir", full_name="Eko", username="eko"
    )
    services.accept_invitation(raw, password=GOOD_PASSWORD)
    before = _counts()
    with override("id"), pytest.raises(DomainError) as exc:
        services.accept_invitation(raw, password=GOOD_PASSWORD)
    assert exc.value.code == "used"
    assert _counts() == before


def test_expired_invitation_is_refused(koperasi):
    ketua = make_user("ketua", koperasi)
    inv, raw = services.invite_officer(
        koperasi, actor=ketua, role="kasir", full_name="Fajar", username="fajar"
    )
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _counts()
    with pytest.raises(DomainError) as exc:
        services.accept_invitation(raw, password=GOOD_PASSWORD)
    assert exc.value.code == "expired"
    assert _counts() == before
    with pytest.raises(DomainError) as exc:
        services.accept_invitation("bukan-token", password=GOOD_PASSWORD)
    assert exc.value.code == "not_found"


def test_accept_with_weak_password_writes_nothing_and_keeps_invitation_open(koperasi):
    ketua = make_user("ketua", koperasi)
    inv, raw = services.invite_officer(
        koperasi, actor=ketua, role="kasir", full_name="Gita", username="gita"
    )
    before = _counts()
    with override("id"), pytest.raises(DomainError) as exc:
        services.accept_invitation(raw, password="gita")
    assert "Kata sandi" in exc.value.message
    assert _counts() == before
    inv.refresh_from_db()
    assert inv.accepted_at is None


def test_accept_is_refused_when_inviter_lost_the_right_to_grant(koperasi):
    ketua = make_user("ketua", koperasi)
    _inv, raw = services.invite_officer(
        koperasi, actor=ketua, role="kasir", full_name="Hadi", username="hadi"
    )
    RoleAssignment.objects.filter(user=ketua).update(revoked_at=timezone.now())
    before = _counts()
    with pytest.raises(PermissionDeniedError):
        services.accept_invitation(raw, password=GOOD_PASSWORD)
    assert _counts() == before


def test_revoke_role_ends_assignment_and_records_event(koperasi):
    ketua = make_user("ketua", koperasi)
    kasir = make_user("kasir", koperasi)
    assignment = RoleAssignment.objects.get(user=kasir)
    services.revoke_role(assignment, actor=ketua)
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert roles_for(kasir, koperasi) == frozenset()
    event = AuditEvent.objects.get(action="identity.role.revoked")
    assert event.actor == ketua
    assert event.koperasi == koperasi


def test_revoke_refused_for_own_role_higher_role_and_non_ketua(koperasi):
    ketua = make_user("ketua", koperasi)
    ketua2 = make_user("ketua", koperasi)
    bendahara = make_user("bendahara", koperasi)
    kasir = make_user("kasir", koperasi)
    admin = make_user("admin")
    admin_assignment = RoleAssignment.objects.get(user=admin)
    before = _counts()
    with pytest.raises(PermissionDeniedError):
        services.revoke_role(RoleAssignment.objects.get(user=ketua), actor=ketua)
    with pytest.raises(PermissionDeniedError):
        services.revoke_role(RoleAssignment.objects.get(user=kasir), actor=bendahara)
    with pytest.raises(PermissionDeniedError):
        services.revoke_role(admin_assignment, actor=ketua)
    assert _counts() == before
    # Equal rank may: one ketua may revoke the other.
    services.revoke_role(RoleAssignment.objects.get(user=ketua2), actor=ketua)


def test_grant_cross_role_only_by_admin_and_dinas_needs_a_real_region(koperasi):
    admin = make_user("admin")
    ketua = make_user("ketua", koperasi)
    person = make_user()
    before = _counts()
    with pytest.raises(PermissionDeniedError):
        services.grant_cross_role(person, actor=ketua, role="dinas", region_prefix="32")
    with override("id"), pytest.raises(DomainError) as exc:
        services.grant_cross_role(person, actor=admin, role="dinas")
    assert exc.value.field == "region_prefix"
    for bad in ["3", "32.1", "abc", "32.01.26.2001.1", "99"]:
        with pytest.raises(DomainError):
            services.grant_cross_role(person, actor=admin, role="dinas", region_prefix=bad)
    with pytest.raises(DomainError):
        services.grant_cross_role(person, actor=admin, role="kementerian", region_prefix="32")
    with pytest.raises(DomainError):
        services.grant_cross_role(person, actor=admin, role="ketua")
    assert _counts() == before

    assignment = services.grant_cross_role(person, actor=admin, role="dinas", region_prefix="32.01")
    assert assignment.koperasi is None
    assert roles_for(person, koperasi) == {"dinas"}  # koperasi is in 32.01
    event = AuditEvent.objects.get(action="identity.role.granted")
    assert event.summary["region_prefix"] == "32.01"
    with pytest.raises(DomainError):
        services.grant_cross_role(person, actor=admin, role="dinas", region_prefix="32.01")


def test_system_may_create_the_first_admin():
    person = make_user()
    services.grant_cross_role(person, actor=None, role="admin")
    assert RoleAssignment.objects.filter(user=person, role="admin").exists()


def test_create_api_token_stores_only_the_hash(koperasi):
    user = make_user("bendahara", koperasi)
    token, raw = services.create_api_token(user, actor=None, name="laptop")
    assert token.token_hash == hash_token(raw)
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert AuditEvent.objects.filter(action="identity.api_token.created").count() == 1
    with pytest.raises(DomainError):
        services.create_api_token(user, actor=None, name="  ")
    other = make_user("kasir", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.create_api_token(user, actor=other, name="curian")


def test_test_password_builder_still_logs_in(koperasi):
    # The shared builders rely on this password passing the validators.
    from django.contrib.auth.password_validation import validate_password

    validate_password(TEST_PASSWORD)


def test_grant_role_gives_an_existing_user_another_role(koperasi, other_koperasi):
    ketua = make_user("ketua", koperasi)
    person = make_user("anggota", koperasi)
    services.grant_role(person, koperasi, actor=ketua, role="pengawas")
    assert roles_for(person, koperasi) == {"anggota", "pengawas"}
    assert AuditEvent.objects.filter(action="identity.role.granted").count() == 1
    before = _counts()
    with pytest.raises(DomainError):
        services.grant_role(person, koperasi, actor=ketua, role="pengawas")
    with pytest.raises(PermissionDeniedError):
        services.grant_role(person, other_koperasi, actor=ketua, role="kasir")
    with pytest.raises(DomainError):
        services.grant_role(person, koperasi, actor=ketua, role="admin")
    assert _counts() == before


def test_reset_two_factor_removes_devices_and_is_refused_upward(koperasi):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ketua = make_user("ketua", koperasi)
    kasir = make_user("kasir", koperasi)
    StaticDevice.objects.create(user=kasir, name="recovery", confirmed=True)
    services.reset_two_factor(RoleAssignment.objects.get(user=kasir), actor=ketua)
    assert not TOTPDevice.objects.filter(user=kasir).exists()
    assert not StaticDevice.objects.filter(user=kasir).exists()
    event = AuditEvent.objects.get(action="identity.totp.reset")
    assert event.actor == ketua
    assert event.koperasi == koperasi

    bendahara = make_user("bendahara", koperasi)
    before = _counts()
    with pytest.raises(PermissionDeniedError):
        services.reset_two_factor(RoleAssignment.objects.get(user=ketua), actor=bendahara)
    with pytest.raises(PermissionDeniedError):
        services.reset_two_factor(RoleAssignment.objects.get(user=ketua), actor=ketua)
    assert _counts() == before
    assert TOTPDevice.objects.filter(user=ketua).exists()
