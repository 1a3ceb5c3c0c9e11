"""The CLI: createofficer, totp, createtoken (through ``kopdes`` = Django's call_command)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity import services
from kopdes.platform.identity.api import hash_token
from kopdes.platform.identity.models import ApiToken, RoleAssignment, User

pytestmark = pytest.mark.django_db

PASSWORD = "Gotong-Royong-Desa-77"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_createofficer_makes_the_officer(koperasi):
    out = run(
        "createofficer",
        "--koperasi",
        koperasi.slug,
        "--username",
        "bendahara1",
        "--full-name",
        "Siti Bendahara",
        "--role",
        "bendahara",
        "--password",
        PASSWORD,
    )
    assert "bendahara1" in out
    user = User.objects.get(username="bendahara1")
    assert user.check_password(PASSWORD)
    assert RoleAssignment.objects.get(user=user).role == "bendahara"
    assert AuditEvent.objects.filter(action="identity.role.granted").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--koperasi", "tidak-ada", "--role", "kasir", "--password", PASSWORD], "tidak ditemukan"),
        (
            ["--koperasi", "sukamaju", "--role", "raja", "--password", PASSWORD],
            "Peran tidak dikenal",
        ),
        (["--koperasi", "sukamaju", "--role", "kasir", "--password", "123"], "terlalu pendek"),
        (["--koperasi", "sukamaju", "--role", "kasir"], "--password"),
    ],
)
def test_createofficer_refuses_bad_input_with_clear_errors(koperasi, args, message):
    with pytest.raises(CommandError) as exc:
        run("createofficer", "--username", "u1", "--full-name", "U Satu", *args)
    assert message in str(exc.value)
    assert not User.objects.filter(username="u1").exists()


def test_createofficer_exits_non_zero(koperasi):
    from kopdes.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["kopdes", "createofficer", "--koperasi", "x", "--username", "u", "--full-name", "U",
              "--role", "kasir", "--password", PASSWORD])  # fmt: skip
    assert exc.value.code != 0


def test_totp_prints_a_code_the_login_accepts(koperasi, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = make_user("kasir", koperasi, username="kasir1", with_totp=False)
    device = services.start_totp_setup(user)
    # The code printed for an unconfirmed device does not exist: setup must be finished.
    with pytest.raises(CommandError):
        run("totp", "kasir1")
    from kopdes.platform.identity.tests.test_totp import code_at

    services.confirm_totp(user, device, code_at(device))
    code = run("totp", "kasir1").strip()
    assert len(code) == 6
    assert code.isdigit()
    assert services.verify_second_factor(user, code)


def test_totp_refuses_unknown_user_and_production(koperasi, settings):
    with pytest.raises(CommandError) as exc:
        run("totp", "siapa")
    assert "tidak ditemukan" in str(exc.value)
    user = make_user("kasir", koperasi, username="kasir2")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    settings.PRODUCTION = True
    with pytest.raises(CommandError) as exc:
        run("totp", "kasir2")
    assert "produksi" in str(exc.value)


def test_createtoken_prints_a_working_token_once(koperasi, client):
    user = make_user("bendahara", koperasi, username="bend")
    raw = run("createtoken", "bend", "--name", "laptop").strip()
    token = ApiToken.objects.get(user=user)
    assert token.token_hash == hash_token(raw)
    assert token.name == "laptop"
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "bend"
    with pytest.raises(CommandError):
        run("createtoken", "siapa", "--name", "x")


def test_grantrole_gives_cross_and_koperasi_roles(koperasi):
    person = make_user(username="pak-dinas")
    run("grantrole", "pak-dinas", "--role", "dinas", "--region", "32.01")
    assert RoleAssignment.objects.get(user=person, role="dinas").region_prefix == "32.01"
    run("grantrole", "pak-dinas", "--role", "pengawas", "--koperasi", koperasi.slug)
    assert RoleAssignment.objects.filter(user=person, role="pengawas", koperasi=koperasi).exists()
    for args in (
        ["siapa", "--role", "admin"],
        ["pak-dinas", "--role", "raja"],
        ["pak-dinas", "--role", "dinas", "--region", "99"],
        ["pak-dinas", "--role", "kasir"],
        ["pak-dinas", "--role", "admin", "--koperasi", koperasi.slug],
    ):
        with pytest.raises(CommandError):
            run("grantrole", *args)
