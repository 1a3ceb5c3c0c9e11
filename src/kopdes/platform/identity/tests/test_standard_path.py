"""Authentication on Django's and django-otp's own path (issue 14): the shipped session
store, authentication backend and middleware, django-otp's ``OTPMiddleware``, and one
memo of kopdes's own, the request's role assignments (``identity.rolecache``)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.platform.core.testing import login, make_koperasi, make_user
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.models import RoleAssignment

pytestmark = pytest.mark.django_db

ROLE_MEMO = "kopdes.platform.identity.rolecache.RoleMemoMiddleware"


def test_sessions_authentication_and_otp_are_the_libraries_own():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    kopdes_auth = [m for m in settings.MIDDLEWARE if "Session" in m or "OTP" in m]
    assert kopdes_auth == [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django_otp.middleware.OTPMiddleware",
    ]


def test_the_role_memo_sits_after_authentication_and_before_every_view_level_middleware():
    order = settings.MIDDLEWARE
    assert order.count(ROLE_MEMO) == 1
    memo = order.index(ROLE_MEMO)
    # The session, the user and django-otp's verification are set up first (lazily: none
    # of them reads roles) ...
    for before in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
    ):
        assert order.index(before) < memo, before
    # ... and the memo is open for everything after it and the view itself; Axes stays
    # last (it turns a lockout into the lockout page).
    for after in (
        "django.contrib.messages.middleware.MessageMiddleware",
        "kopdes.platform.core.textguard.TextGuardMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert order.index(after) > memo, after
    assert order[-1] == "axes.middleware.AxesMiddleware"


def _role_reads(captured) -> int:
    return sum("identity_roleassignment" in q["sql"] for q in captured)


def test_an_officer_page_reads_the_koperasi_once_and_her_roles_once(client):
    koperasi = make_koperasi()
    kasir = make_user(Role.KASIR, koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page).status_code == 200
    koperasi_by_slug = [q for q in ctx.captured_queries if "tenancy_koperasi" in q["sql"]]
    assert any("slug" in q["sql"] for q in koperasi_by_slug)
    # TOTP check, tenant check and the page's permission share one read of the roles.
    assert _role_reads(ctx.captured_queries) == 1


def test_the_role_memo_does_not_outlive_a_request(client):
    koperasi = make_koperasi()
    kasir = make_user(Role.KASIR, koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    # Revoked without save() (no signal empties any memo): the next request still sees it.
    RoleAssignment.objects.filter(user=kasir).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(page).status_code == 404


def test_django_otp_decides_whether_the_officer_is_verified(client):
    koperasi = make_koperasi()
    kasir = make_user(Role.KASIR, koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    TOTPDevice.objects.filter(user=kasir).update(confirmed=False)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:two-factor"))


def test_an_inactive_officer_is_logged_out_and_a_logged_out_session_is_no_session(client):
    from django.contrib.sessions.models import Session

    koperasi = make_koperasi()
    kasir = make_user(Role.KASIR, koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    Session.objects.all().delete()  # logged out elsewhere, or expired
    response = client.get(page)
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    login(client, kasir)
    kasir.is_active = False
    kasir.save(update_fields=["is_active"])
    response = client.get(page)
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
