"""The session store reads rows with ``get_by`` and keeps Django's expiry rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from kopdes.platform.identity.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_and_an_expired_one_is_no_session():
    store = SessionStore()
    store["kasir"] = "ada"
    store.create()
    assert SessionStore(store.session_key).load() == {"kasir": "ada"}
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("tidak-ada-sesi-seperti-ini").load() == {}


def test_the_backend_reads_the_same_user_as_django_and_refuses_inactive_or_unknown_ones(
    koperasi,
):
    from django.contrib.auth.backends import ModelBackend as DjangoBackend

    from kopdes.platform.core.testing import make_user
    from kopdes.platform.identity.backends import ModelBackend

    user = make_user("kasir", koperasi)
    ours, django = ModelBackend().get_user(str(user.pk)), DjangoBackend().get_user(user.pk)
    assert ours == django
    assert {f.attname: getattr(ours, f.attname) for f in user._meta.concrete_fields} == {
        f.attname: getattr(django, f.attname) for f in user._meta.concrete_fields
    }
    assert ModelBackend().get_user("bukan-angka") is None
    assert ModelBackend().get_user(str(user.pk + 1000)) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert ModelBackend().get_user(str(user.pk)) is None


def test_the_otp_middleware_loads_only_devices_by_their_persistent_id(koperasi):
    from django_otp.models import Device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kopdes.platform.core.testing import make_user
    from kopdes.platform.identity.middleware import OTPMiddleware

    user = make_user("kasir", koperasi)
    device = TOTPDevice.objects.create(user=user, name="hp", confirmed=True)
    middleware = OTPMiddleware(lambda request: None)
    found = middleware._device_from_persistent_id(device.persistent_id)
    assert found == Device.from_persistent_id(device.persistent_id)
    assert isinstance(found, TOTPDevice)
    assert found.key == device.key
    for tampered in (
        f"identity.user/{user.pk}",  # a model that is not a device
        "otp_totp.totpdevice/abc",
        "otp_totp.nothing/1",
        "tanpa-garis-miring",
        f"otp_totp.totpdevice/{device.pk + 1000}",
    ):
        assert middleware._device_from_persistent_id(tampered) is None, tampered


def test_an_officer_page_reads_her_user_device_koperasi_and_roles_in_one_round_trip(
    client, koperasi
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kopdes.platform.core.testing import login, make_user, sent_statements

    kasir = make_user("kasir", koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page).status_code == 200
    together = [
        sent_statements([query])
        for query in ctx.captured_queries
        if "identity_user" in " ".join(sent_statements([query]))
    ]
    assert len(together) == 1  # the user is read once ...
    if connection.vendor == "postgresql":  # ... with the device (SQLite: one by one),
        # and (tenancy.middleware) the koperasi of the URL and her roles
        for table in ("otp_totp_totpdevice", "tenancy_koperasi", "identity_roleassignment"):
            assert any(table in sql for sql in together[0]), table
    koperasi_reads = [
        sql
        for q in ctx.captured_queries
        for sql in sent_statements([q])
        if "tenancy_koperasi" in sql
    ]
    assert len(koperasi_reads) == 1
    # django-otp still decides: a device no longer confirmed leaves the officer unverified.
    TOTPDevice.objects.filter(user=kasir).update(confirmed=False)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:two-factor"))


def test_from_her_second_request_the_session_row_comes_in_the_same_round_trip(client, koperasi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kopdes.platform.core.testing import login, make_user, sent_statements

    kasir = make_user("kasir", koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200  # the first: the session, then the rest
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page).status_code == 200
    reads = [sent_statements([query]) for query in ctx.captured_queries]
    with_session = [sqls for sqls in reads if any("django_session" in sql for sql in sqls)]
    assert len(with_session) == 1
    if connection.vendor == "postgresql":  # SQLite runs a batch one statement at a time
        together = " ".join(with_session[0])
        for table in ("identity_user", "otp_totp_totpdevice", "identity_roleassignment"):
            assert table in together, table


def test_a_hint_naming_another_officer_changes_nothing(client, koperasi):
    from kopdes.platform.core.testing import login, make_user
    from kopdes.platform.identity import middleware

    kasir, ketua = make_user("kasir", koperasi), make_user("ketua", koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    key = client.session.session_key
    # A hint that names the other officer (as if the session had been hers).
    other_device = ketua.totpdevice_set.get().persistent_id
    middleware._hints[key] = (ketua.pk, other_device)
    response = client.get(page)
    assert response.status_code == 200
    assert response.wsgi_request.user == kasir
    assert middleware._hints[key] == (kasir.pk, client.session["otp_device_id"])


def test_a_session_that_ended_is_no_session_whatever_the_hint(client, koperasi):
    from django.contrib.sessions.models import Session

    from kopdes.platform.core.testing import login, make_user
    from kopdes.platform.identity import middleware

    kasir = make_user("kasir", koperasi)
    login(client, kasir)
    page = f"/k/{koperasi.slug}/"
    assert client.get(page).status_code == 200
    key = client.session.session_key
    assert key in middleware._hints
    Session.objects.filter(session_key=key).delete()  # logged out elsewhere, or expired
    response = client.get(page)
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    assert key not in middleware._hints
