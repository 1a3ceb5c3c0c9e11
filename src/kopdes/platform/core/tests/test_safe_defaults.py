"""Safe defaults on a koperasi laptop: debug only with --dev, 413 for oversized bodies,
no-store on personal pages, owner-only database and backup files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from django.urls import reverse

from kopdes.cli import wants_debug
from kopdes.ledger.models import JournalEntry
from kopdes.platform.core import testing
from kopdes.platform.core.backup import Target, create_backup, restore_backup
from kopdes.platform.core.sqlite3.base import make_private
from kopdes.platform.identity.services import create_api_token
from kopdes.savings.models import SavingsTransaction
from kopdes.savings.testing import teller, voluntary_account

FIVE_MB = 5 * 1024 * 1024


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- DEBUG only with --dev -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "debug"),
    [
        (["kopdes", "serve"], False),
        (["kopdes", "demo"], False),
        (["kopdes", "demo", "--no-serve"], False),
        (["kopdes", "serve", "--port", "8080"], False),
        (["kopdes", "serve", "--dev"], True),
        (["kopdes", "demo", "--dev"], True),
        (["kopdes", "manage", "serve", "--dev"], True),
        (["manage.py", "serve", "--port", "9000", "--dev"], True),
        (["kopdes", "verify", "--dev"], False),
        (["kopdes"], False),
    ],
)
def test_debug_is_asked_for_only_by_a_server_started_with_dev(argv, debug):
    assert wants_debug(argv) is debug


def test_settings_default_to_debug_off(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"KOPDES_DEBUG", "KOPDES_ENV", "CI"}}
    env.update(KOPDES_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kopdes.config.settings")
    code = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("False ")
    assert "'127.0.0.1'" in out and "'localhost'" in out


# --- 413 for oversized bodies ------------------------------------------------------------


@pytest.mark.django_db
def test_a_5_mb_api_body_is_413_json_and_writes_nothing(client, koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    _, raw = create_api_token(kasir, actor=kasir, name="uji")
    before = (JournalEntry.objects.count(), SavingsTransaction.objects.count())
    body = '{"amount": 100, "memo": "' + "x" * FIVE_MB + '"}'
    response = client.post(
        f"/api/k/{koperasi.slug}/savings/accounts/{account.pk}/deposits",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="besar",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["code"] == "too_large"
    assert "terlalu besar" in data["message"]
    assert "Traceback" not in response.content.decode()
    assert (JournalEntry.objects.count(), SavingsTransaction.objects.count()) == before


@pytest.mark.django_db
def test_a_5_mb_page_form_is_an_indonesian_413_page(client, koperasi):
    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=10_000_00, actor=kasir)
    testing.login(client, kasir)
    url = reverse("savings:deposit", kwargs={"slug": koperasi.slug, "member_id": account.member_id})
    before = SavingsTransaction.objects.count()
    response = client.post(
        url,
        "amount=100&memo=" + "x" * FIVE_MB,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert 'data-testid="error-413"' in body
    assert "terlalu besar" in body
    assert SavingsTransaction.objects.count() == before


@pytest.mark.django_db
def test_a_5_mb_multipart_field_is_413_too(client):
    response = client.post(
        reverse("identity:login"), {"username": "x" * FIVE_MB, "password": "y"}
    )  # the test client sends multipart/form-data
    assert response.status_code == 413
    assert 'data-testid="error-413"' in response.content.decode()


@pytest.mark.django_db
def test_a_small_body_is_served_as_before(client):
    response = client.post(reverse("identity:login"), {"username": "x", "password": "y"})
    assert response.status_code == 200


# --- Cache-Control: no-store --------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_pages_of_a_logged_in_officer_are_not_stored(client, koperasi):
    testing.login(client, testing.make_user("ketua", koperasi))
    dashboard = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))
    assert dashboard.status_code == 200
    assert _no_store(dashboard)
    assert "private" in dashboard["Cache-Control"]
    # Outside /k/ as well: the koperasi picker and a 404 answer to her.
    assert _no_store(client.get(reverse("web:home"), follow=True))
    assert _no_store(client.get("/tidak-ada/"))


@pytest.mark.django_db
def test_api_answers_and_koperasi_paths_are_not_stored_even_anonymous(client, koperasi):
    assert _no_store(client.get(f"/api/k/{koperasi.slug}/savings/accounts"))
    assert _no_store(client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug})))
    assert _no_store(client.get("/portal/"))


@pytest.mark.django_db
def test_an_anonymous_public_page_is_left_alone(client):
    # Nothing personal on it (a 404 outside /k/ to nobody): no header forced.
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert not _no_store(response)


# --- owner-only database and backups ------------------------------------------------------


def test_a_new_sqlite_database_and_its_wal_are_0600(tmp_path):
    path = tmp_path / "kopdes.sqlite3"
    make_private(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        for suffix in ("", "-wal", "-shm"):
            assert _mode(Path(f"{path}{suffix}")) == 0o600, suffix


def test_an_existing_world_readable_database_is_narrowed(tmp_path):
    path = tmp_path / "lama.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    os.chmod(path, 0o644)
    wal = Path(f"{path}-wal")
    wal.write_bytes(b"")
    os.chmod(wal, 0o664)
    make_private(path)
    assert _mode(path) == 0o600
    assert _mode(wal) == 0o600


def test_the_django_backend_creates_its_database_file_0600(tmp_path):
    from django.db import connections

    from kopdes.platform.core.sqlite3.base import DatabaseWrapper

    path = tmp_path / "baru.sqlite3"
    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "kopdes.platform.core.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"timeout": 5},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="mode_check")
    old = os.umask(0o022)
    try:
        # What Django's connect() does first (pytest-django guards connect() itself).
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (x)")
        raw.execute("INSERT INTO t VALUES (1)")
        raw.commit()
        for suffix in ("", "-wal", "-shm"):
            assert _mode(Path(f"{path}{suffix}")) == 0o600, suffix
        raw.close()
    finally:
        os.umask(old)


def test_backup_archives_and_restored_databases_are_0600(tmp_path):
    source = tmp_path / "sumber.sqlite3"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE django_migrations (app, name)")
        conn.execute("INSERT INTO django_migrations VALUES ('core', '0001_initial')")
    old = os.umask(0o022)  # a usual desktop umask: files 0644 unless said otherwise
    try:
        archive = create_backup(tmp_path / "arsip", target=Target("sqlite", str(source)))
        assert _mode(archive) == 0o600
        assert _mode(archive.parent) == 0o700
        restored = tmp_path / "pulih.sqlite3"
        restore_backup(archive, target=Target("sqlite", str(restored)))
        assert _mode(restored) == 0o600
    finally:
        os.umask(old)
