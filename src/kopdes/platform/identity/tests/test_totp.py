"""TOTP two-factor: setup, confirmation, wrong and reused codes, recovery codes."""

from __future__ import annotations

import pytest
from django.utils.translation import override
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import DomainError
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity import services

pytestmark = pytest.mark.django_db


def code_at(device: TOTPDevice, offset_steps: int = 0) -> str:
    from django_otp.plugins.otp_totp import models

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = models.time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def officer(koperasi):
    return make_user("bendahara", koperasi, with_totp=False)


@pytest.fixture
def confirmed(officer):
    device = services.start_totp_setup(officer)
    codes = services.confirm_totp(officer, device, code_at(device))
    device.refresh_from_db()
    return device, codes


def test_start_setup_makes_one_unconfirmed_device(officer):
    first = services.start_totp_setup(officer)
    second = services.start_totp_setup(officer)
    assert not second.confirmed
    assert list(TOTPDevice.objects.filter(user=officer)) == [second]
    assert first.pk != second.pk
    assert AuditEvent.objects.filter(action="identity.totp.setup_started").count() == 2
    assert len(services.totp_secret_text(second).replace(" ", "")) == 32


def test_confirm_with_right_code_gives_ten_single_use_recovery_codes(officer):
    device = services.start_totp_setup(officer)
    codes = services.confirm_totp(officer, device, code_at(device))
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10
    assert len(set(codes)) == 10
    static = StaticDevice.objects.get(user=officer)
    assert sorted(static.token_set.values_list("token", flat=True)) == sorted(codes)
    assert AuditEvent.objects.filter(action="identity.totp.confirmed").count() == 1


def test_confirm_with_wrong_code_is_refused_and_device_stays_unconfirmed(officer):
    device = services.start_totp_setup(officer)
    with override("id"), pytest.raises(DomainError) as exc:
        services.confirm_totp(officer, device, code_at(device, 5))
    assert exc.value.field == "otp_token"
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=officer).exists()
    # The refusal itself is on record, even though the service raised.
    assert AuditEvent.objects.filter(action="identity.totp.failed").count() == 1


def test_confirm_refuses_a_device_of_someone_else(officer, koperasi):
    other = make_user("kasir", koperasi, with_totp=False)
    device = services.start_totp_setup(other)
    with pytest.raises(DomainError):
        services.confirm_totp(officer, device, code_at(device))


def test_wrong_totp_code_is_refused(confirmed, officer, no_throttle):
    device, _codes = confirmed
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, code_at(device, 5))
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, "abc")
    assert AuditEvent.objects.filter(action="identity.totp.failed").count() == 2


def test_a_totp_code_works_only_once(officer, no_throttle):
    device = services.start_totp_setup(officer)
    services.confirm_totp(officer, device, code_at(device))
    device.refresh_from_db()
    used_at_setup = code_at(device)
    # The code used to confirm the device is spent already.
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, used_at_setup)
    # The next step's code (within tolerance) works once, then is spent too.
    fresh = code_at(device, 1)
    assert services.verify_second_factor(officer, fresh).pk == device.pk
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, fresh)
    assert AuditEvent.objects.filter(action="identity.totp.verified").count() == 1


def test_wrong_codes_slow_down_the_next_attempt(confirmed, officer):
    device, _codes = confirmed
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, code_at(device, 5))
    with override("id"), pytest.raises(DomainError) as exc:
        services.verify_second_factor(officer, code_at(device, 1))
    assert "detik" in exc.value.message or "second" in exc.value.message


def test_recovery_code_works_once(confirmed, officer, no_throttle):
    _device, codes = confirmed
    used = services.verify_second_factor(officer, codes[0].upper())
    assert isinstance(used, StaticDevice)
    assert StaticToken.objects.filter(device=used).count() == 9
    event = AuditEvent.objects.get(action="identity.recovery_code.used")
    assert event.summary["recovery_codes_left"] == 9
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, codes[0])
    assert services.verify_second_factor(officer, codes[1])


def test_current_totp_code_is_always_acceptable(confirmed, officer, no_throttle):
    device, _codes = confirmed
    # Confirmation spent the current step: the helper gives the next step's code.
    code = services.current_totp_code(device)
    assert services.verify_second_factor(officer, code)
    device.refresh_from_db()
    with pytest.raises(DomainError):
        services.current_totp_code(device)


def test_new_setup_replaces_old_recovery_codes(officer):
    device = services.start_totp_setup(officer)
    old_codes = services.confirm_totp(officer, device, code_at(device))
    device2 = services.start_totp_setup(officer)
    new_codes = services.confirm_totp(officer, device2, code_at(device2))
    assert TOTPDevice.objects.filter(user=officer).count() == 1
    tokens = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert tokens == set(new_codes)
    assert not tokens & set(old_codes)


def test_old_codes_are_refused_and_the_next_window_brings_a_fresh_code(
    confirmed, officer, no_throttle, totp_clock
):
    device, _codes = confirmed
    with pytest.raises(DomainError):
        services.verify_second_factor(officer, code_at(device, -3))
    code = services.current_totp_code(device)
    services.verify_second_factor(officer, code)
    device.refresh_from_db()
    with pytest.raises(DomainError):
        services.current_totp_code(device)  # both usable steps are spent
    totp_clock.advance(30)
    device.refresh_from_db()
    assert services.verify_second_factor(officer, services.current_totp_code(device))
