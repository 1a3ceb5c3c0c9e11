"""Pages: login and lockout, two-factor, sessions, officers, invitations, revoking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import TEST_PASSWORD, login, make_user
from kopdes.platform.identity import services
from kopdes.platform.identity.models import Invitation, RoleAssignment, User

pytestmark = pytest.mark.django_db

LOGIN = "/akun/masuk/"
NEW_PASSWORD = "Gotong-Royong-Desa-77"


def code_at(device: TOTPDevice, offset_steps: int = 0) -> str:
    from django_otp.plugins.otp_totp import models

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = models.time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def with_real_totp(user: User) -> tuple[TOTPDevice, list[str]]:
    TOTPDevice.objects.filter(user=user).delete()
    device = services.start_totp_setup(user)
    codes = services.confirm_totp(user, device, code_at(device))
    device.refresh_from_db()
    return device, codes


# --- login and lockout ---------------------------------------------------------------------


def test_login_page_has_the_contract_fields(client):
    assert reverse("identity:login") == LOGIN
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'type="submit"' in html


def test_anggota_logs_in_and_goes_on_without_totp(client, koperasi):
    member = make_user("anggota", koperasi, with_totp=False)
    target = f"/k/{koperasi.slug}/"
    response = client.post(
        LOGIN, {"username": member.username, "password": TEST_PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == target
    assert logged_in(client)
    assert client.get(target).status_code == 200
    event = AuditEvent.objects.get(action="identity.user.logged_in")
    assert event.actor == member


def test_officer_login_goes_to_two_factor(client, koperasi):
    officer = make_user("bendahara", koperasi)
    target = f"/k/{koperasi.slug}/"
    response = client.post(
        LOGIN, {"username": officer.username, "password": TEST_PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/verifikasi/?next=")
    assert "%2Fk%2Fsukamaju%2F" in response["Location"]


def test_login_ignores_an_unsafe_next(client, koperasi):
    member = make_user("anggota", koperasi, with_totp=False)
    response = client.post(
        LOGIN,
        {"username": member.username, "password": TEST_PASSWORD, "next": "https://jahat.example/"},
    )
    assert response["Location"] == reverse("web:home")


def test_wrong_password_is_refused_in_indonesian_and_recorded(client, koperasi):
    officer = make_user("kasir", koperasi)
    response = client.post(LOGIN, {"username": officer.username, "password": "salah-sekali"})
    assert response.status_code == 200
    assert not logged_in(client)
    assert "tidak benar" in response.content.decode()
    event = AuditEvent.objects.get(action="identity.login.failed")
    assert event.summary["username"] == officer.username
    assert event.source_address == "127.0.0.1"


def test_fifth_wrong_password_locks_and_right_password_is_still_refused(client, koperasi):
    officer = make_user("kasir", koperasi)
    for _attempt in range(4):
        response = client.post(LOGIN, {"username": officer.username, "password": "salah"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"username": officer.username, "password": "salah"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'data-testid="locked-out"' in html
    assert "30 menit" in html
    # The sixth attempt, with the right password, is refused too.
    response = client.post(LOGIN, {"username": officer.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert not logged_in(client)
    assert AuditEvent.objects.filter(action="identity.login.failed", summary__locked=True).exists()
    # Another name from the same address is not locked.
    other = make_user("anggota", koperasi, with_totp=False)
    response = client.post(LOGIN, {"username": other.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


# --- two-factor ------------------------------------------------------------------------------


def test_officer_without_totp_verification_cannot_open_koperasi_but_anggota_can(client, koperasi):
    officer = make_user("ketua", koperasi)
    login(client, officer, verified=False)
    response = client.get(f"/k/{koperasi.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/verifikasi/?next=")

    member = make_user("anggota", koperasi, with_totp=False)
    member_client = login(Client(), member, verified=False)
    assert member_client.get(f"/k/{koperasi.slug}/").status_code == 200


def test_first_login_sets_up_totp_and_shows_recovery_codes_once(client, koperasi):
    officer = make_user("bendahara", koperasi, with_totp=False)
    login(client, officer, verified=False)
    target = f"/k/{koperasi.slug}/"
    url = f"/akun/verifikasi/?next={target}"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in html
    assert 'name="otp_token"' in html
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert services.totp_secret_text(device) in html
    # Reloading the page keeps the same secret (the phone may already have scanned it).
    client.get(url)
    assert TOTPDevice.objects.get(user=officer).pk == device.pk

    response = client.post(url, {"otp_token": code_at(device, 5), "next": target})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()

    device.throttle_reset()
    response = client.post(url, {"otp_token": code_at(device), "next": target})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:recovery-codes"))
    page = client.get(response["Location"]).content.decode()
    codes = services.StaticToken.objects.filter(device__user=officer).values_list(
        "token", flat=True
    )
    assert len(codes) == 10
    for code in codes:
        assert code in page
    second = client.get(response["Location"]).content.decode()
    assert not any(code in second for code in codes)
    assert client.get(target).status_code == 200


def test_two_factor_with_a_confirmed_device_asks_for_a_code(client, koperasi, no_throttle):
    officer = make_user("kasir", koperasi, with_totp=False)
    device, _codes = with_real_totp(officer)
    login(client, officer, verified=False)
    target = f"/k/{koperasi.slug}/"
    url = f"/akun/verifikasi/?next={target}"
    response = client.get(url)
    assert 'name="otp_token"' in response.content.decode()
    assert "data:image/svg+xml" not in response.content.decode()

    response = client.post(url, {"otp_token": code_at(device, 5), "next": target})
    assert response.status_code == 200
    assert client.get(target).status_code == 302

    response = client.post(url, {"otp_token": code_at(device, 1), "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_reused_code_is_refused_on_the_page(koperasi, no_throttle):
    officer = make_user("kasir", koperasi, with_totp=False)
    device, _codes = with_real_totp(officer)
    code = code_at(device, 1)
    first = login(Client(), officer, verified=False)
    assert first.post("/akun/verifikasi/", {"otp_token": code}).status_code == 302
    second = login(Client(), officer, verified=False)
    response = second.post("/akun/verifikasi/", {"otp_token": code})
    assert response.status_code == 200
    assert second.get(f"/k/{koperasi.slug}/").status_code == 302


def test_recovery_code_logs_in_once_on_the_page(koperasi, no_throttle):
    officer = make_user("kasir", koperasi, with_totp=False)
    _device, codes = with_real_totp(officer)
    first = login(Client(), officer, verified=False)
    response = first.post("/akun/verifikasi/", {"otp_token": codes[3]}, follow=True)
    assert response.status_code == 200
    assert "9" in response.content.decode()
    second = login(Client(), officer, verified=False)
    assert second.post("/akun/verifikasi/", {"otp_token": codes[3]}).status_code == 200
    assert second.get(f"/k/{koperasi.slug}/").status_code == 302


def test_two_factor_redirects_only_to_safe_next(koperasi, no_throttle):
    officer = make_user("kasir", koperasi, with_totp=False)
    device, _codes = with_real_totp(officer)
    client = login(Client(), officer, verified=False)
    response = client.post(
        "/akun/verifikasi/", {"otp_token": code_at(device, 1), "next": "//jahat.example/"}
    )
    assert response["Location"] == reverse("web:home")


def test_two_factor_needs_login(client):
    response = client.get("/akun/verifikasi/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- sessions ----------------------------------------------------------------------------------


def test_session_expires_after_the_configured_age(client, koperasi, settings):
    officer = make_user("kasir", koperasi)
    login(client, officer)
    target = f"/k/{koperasi.slug}/"
    assert client.get(target).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    # Time passes: the session's end is now behind us.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_invalidates_the_session_and_replaying_the_cookie_fails(client, koperasi, settings):
    officer = make_user("kasir", koperasi)
    login(client, officer)
    target = f"/k/{koperasi.slug}/"
    assert client.get(target).status_code == 200
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/akun/keluar/").status_code == 405  # logout is POST only
    response = client.post("/akun/keluar/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="identity.user.logged_out").count() == 1
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- officers, invitations, revoking ----------------------------------------------------------


def test_officer_list_shows_officers_of_this_koperasi_only(
    officer_client, koperasi, other_koperasi
):
    make_user("bendahara", koperasi, username="bendahara-sini")
    make_user("bendahara", other_koperasi, username="bendahara-sana")
    make_user("anggota", koperasi, username="anggota-sini")
    response = officer_client.get(f"/k/{koperasi.slug}/pengurus/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "bendahara-sini" in html
    assert "bendahara-sana" not in html
    assert "anggota-sini" not in html


def test_anggota_may_not_see_the_officer_list(client, koperasi):
    member = make_user("anggota", koperasi, with_totp=False)
    login(client, member)
    assert client.get(f"/k/{koperasi.slug}/pengurus/").status_code == 403


def test_ketua_invites_and_the_invited_officer_accepts(officer_client, koperasi):
    url = reverse("identity:officer-invite", kwargs={"slug": koperasi.slug})
    form = officer_client.get(url).content.decode()
    assert 'value="bendahara"' in form
    assert 'value="admin"' not in form
    response = officer_client.post(
        url, {"full_name": "Rina Wati", "username": "rina", "role": "bendahara"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    assert "https://wa.me/?text=" in html
    marker = "/akun/undangan/"
    start = html.index(marker)
    path = html[start : html.index("/", start + len(marker)) + 1]
    invitation = Invitation.objects.get(username="rina")
    assert invitation.koperasi == koperasi

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Rina Wati" in page.content.decode()
    weak = visitor.post(path, {"password": "rina", "password_again": "rina"})
    assert weak.status_code == 200
    assert "Kata sandi" in weak.content.decode()
    assert not User.objects.filter(username="rina").exists()
    response = visitor.post(path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/verifikasi/?next=")
    user = User.objects.get(username="rina")
    assert RoleAssignment.objects.get(user=user).role == "bendahara"
    # The link works once.
    again = Client().get(path)
    assert again.status_code == 410
    assert Client().get("/akun/undangan/tidak-ada/").status_code == 404


def test_invite_form_refuses_a_role_above_the_inviter(client, koperasi):
    # An admin sees every koperasi role; a forged role outside the choices is refused.
    ketua = make_user("ketua", koperasi)
    login(client, ketua)
    url = reverse("identity:officer-invite", kwargs={"slug": koperasi.slug})
    response = client.post(url, {"full_name": "X", "username": "x", "role": "admin"})
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_kasir_may_not_invite(client, koperasi):
    kasir = make_user("kasir", koperasi)
    login(client, kasir)
    url = reverse("identity:officer-invite", kwargs={"slug": koperasi.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"full_name": "X", "username": "x", "role": "kasir"}).status_code == 403
    assert not Invitation.objects.exists()


def test_ketua_revokes_a_role_and_a_foreign_id_gives_404(officer_client, koperasi, other_koperasi):
    kasir = make_user("kasir", koperasi)
    assignment = RoleAssignment.objects.get(user=kasir)
    url = reverse(
        "identity:role-revoke", kwargs={"slug": koperasi.slug, "assignment_id": assignment.pk}
    )
    assert officer_client.get(url).status_code == 405
    response = officer_client.post(url)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None

    foreign = RoleAssignment.objects.get(user=make_user("kasir", other_koperasi))
    url = reverse(
        "identity:role-revoke", kwargs={"slug": koperasi.slug, "assignment_id": foreign.pk}
    )
    assert officer_client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_revoke_above_own_role_shows_a_message_and_changes_nothing(client, koperasi, settings):
    settings.LANGUAGE_CODE = "id"
    ketua = make_user("ketua", koperasi)
    login(client, ketua)
    own = RoleAssignment.objects.get(user=ketua)
    url = reverse("identity:role-revoke", kwargs={"slug": koperasi.slug, "assignment_id": own.pk})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.revoked_at is None
    assert not AuditEvent.objects.filter(action="identity.role.revoked").exists()


def test_officer_list_query_count_does_not_grow_with_officers(officer_client, koperasi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/k/{koperasi.slug}/pengurus/"
    officer_client.get(url)  # warm the session and caches
    make_user("kasir", koperasi)
    with CaptureQueriesContext(connection) as few:
        assert officer_client.get(url).status_code == 200
    for role in ["bendahara", "sekretaris", "pengawas", "manajer", "kasir", "petugas_pinjaman"]:
        make_user(role, koperasi)
    with CaptureQueriesContext(connection) as many:
        assert officer_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_ketua_resets_a_lost_phone_and_the_officer_sets_up_again(officer_client, koperasi):
    kasir = make_user("kasir", koperasi)
    assignment = RoleAssignment.objects.get(user=kasir)
    url = reverse(
        "identity:two-factor-reset",
        kwargs={"slug": koperasi.slug, "assignment_id": assignment.pk},
    )
    assert officer_client.get(url).status_code == 405
    assert officer_client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=kasir, confirmed=True).exists()
    page = login(Client(), kasir, verified=False).get("/akun/verifikasi/")
    assert "data:image/svg+xml" in page.content.decode()


def test_reset_of_another_koperasi_officer_gives_404(officer_client, koperasi, other_koperasi):
    foreign = RoleAssignment.objects.get(user=make_user("kasir", other_koperasi))
    url = reverse(
        "identity:two-factor-reset", kwargs={"slug": koperasi.slug, "assignment_id": foreign.pk}
    )
    assert officer_client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=foreign.user).exists()
