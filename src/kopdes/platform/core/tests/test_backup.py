"""T10: backup -> restore into a fresh database -> same checksums, verify passes; damage refused."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import record
from kopdes.platform.core.backup import (
    MANIFEST,
    BackupError,
    Target,
    create_backup,
    default_target,
    restore_backup,
)
from kopdes.platform.core.testing import drop_database
from kopdes.platform.tenancy.services import create_koperasi

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[5]


def _data():
    kop = create_koperasi(
        actor=None,
        name="KDMP Cadangan",
        slug="kdmp-cadangan",
        badan_hukum_number="AHU-9.AH.01.29.TAHUN 2025",
        nik_koperasi="3201260019999999",
        region_code="32.01.26.2001",
        address="Jl. Arsip 1",
        business_units=["kantor"],
    )
    for i in range(40):
        record("test.thing.done", koperasi=kop, summary={"i": i, "teks": "ünïcode ✓"})
    record("identity.user.logged_in", summary={"n": 1})
    return kop


@pytest.fixture
def fresh_target(tmp_path):
    """An empty database of the engine under test, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield Target("sqlite", str(tmp_path / "restored.sqlite3"))
        return
    import psycopg

    source = default_target().location
    name = f"kopdes_restore_{uuid.uuid4().hex[:10]}"
    admin_url = source.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target("postgresql", source.rsplit("/", 1)[0] + "/" + name)
    finally:
        drop_database(admin_url, name)


def _url(target: Target) -> str:
    return target.location if target.engine == "postgresql" else f"sqlite:///{target.location}"


def _run_kopdes(target: Target, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=_url(target), KOPDES_TESTING="1")
    return subprocess.run(
        [sys.executable, "-m", "kopdes", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _empty(target: Target) -> bool:
    if target.engine == "sqlite":
        return not Path(target.location).exists()
    import psycopg

    with psycopg.connect(target.location) as conn:
        (n,) = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname='public'").fetchone()
    return n == 0


def test_backup_restore_round_trip_keeps_checksums_and_verifies(tmp_path, fresh_target):
    _data()
    archive = create_backup(tmp_path / "arsip")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert manifest["engine"] == fresh_target.engine
    assert manifest["migrations"]
    per_koperasi = manifest["checksums"]["audit_auditevent"]
    assert sum(v["rows"] for v in per_koperasi.values()) == AuditEvent.objects.count()
    assert per_koperasi["platform"]["rows"] == AuditEvent.objects.filter(chain="platform").count()

    report = restore_backup(archive, target=fresh_target)
    assert report.checksums_match and report.integrity == "ok"
    assert report.pending_migrations == []

    verified = _run_kopdes(fresh_target, "verify")
    assert verified.returncode == 0, verified.stderr
    assert (
        f"rantai audit: {AuditEvent.objects.count()} peristiwa diperiksa, cocok" in verified.stdout
    )


def test_backup_command_writes_archive_into_output(tmp_path):
    _data()
    out = StringIO()
    call_command("backup", "--output", str(tmp_path), stdout=out)
    archives = list(tmp_path.glob("kopdes-*.tar"))
    assert len(archives) == 1 and str(archives[0]) in out.getvalue()
    assert archives[0].stat().st_mode & 0o777 == 0o600


def _rewrite(archive: Path, dest: Path, change) -> Path:
    """Copy ``archive`` member by member into ``dest``, letting ``change`` alter the members."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    members = change(members)
    with tarfile.open(dest, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return dest


def _flip_byte(members):
    name = next(n for n in members if n != MANIFEST)
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0x01
    return {**members, name: bytes(data)}


def _drop_dump(members):
    return {MANIFEST: members[MANIFEST]}


def _edit_manifest(members):
    manifest = json.loads(members[MANIFEST])
    manifest["created_at"] = "2020-01-01T00:00:00+00:00"
    return {**members, MANIFEST: json.dumps(manifest).encode()}


def _foreign(members):
    return {"data.sql": b"CREATE TABLE x (a int);", MANIFEST: b'{"format": "lain"}'}


def _no_manifest(members):
    return {n: d for n, d in members.items() if n != MANIFEST}


def _other_engine(members):
    manifest = json.loads(members[MANIFEST])
    return {**members, MANIFEST: json.dumps(manifest | {"engine": "mysql"}).encode()}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_flip_byte, "sha256 tidak cocok"),
        (_drop_dump, "hilang dari arsip"),
        (_edit_manifest, "manifest.json telah berubah"),
        (_foreign, "bukan arsip cadangan kopdes"),
        (_no_manifest, "manifest.json tidak ada"),
        (_other_engine, "manifest.json telah berubah"),
    ],
)
def test_damaged_or_foreign_archive_is_refused_and_nothing_written(
    tmp_path, fresh_target, change, words
):
    _data()
    good = create_backup(tmp_path / "arsip")
    bad = _rewrite(good, tmp_path / "rusak.tar", change)
    with pytest.raises(BackupError, match=words):
        restore_backup(bad, target=fresh_target)
    assert _empty(fresh_target)
    with pytest.raises(CommandError, match="pemulihan DITOLAK"):
        call_command("restore", str(bad), "--target", _url(fresh_target), stdout=StringIO())
    assert _empty(fresh_target)


def test_truncated_archive_is_refused(tmp_path, fresh_target):
    _data()
    good = create_backup(tmp_path / "arsip")
    cut = tmp_path / "potong.tar"
    cut.write_bytes(good.read_bytes()[:2048])
    with pytest.raises(BackupError):
        restore_backup(cut, target=fresh_target)
    assert _empty(fresh_target)


def test_archive_of_another_engine_is_refused(tmp_path, fresh_target):
    _data()
    good = create_backup(tmp_path / "arsip")
    other = Target("postgresql" if fresh_target.engine == "sqlite" else "sqlite", "/nowhere/x")
    with pytest.raises(BackupError, match="tidak dapat dipulihkan"):
        restore_backup(
            good,
            target=Target(other.engine, str(tmp_path / "x.sqlite3"))
            if other.engine == "sqlite"
            else other,
        )


def test_restore_refuses_non_empty_target_without_force(tmp_path, fresh_target):
    _data()
    archive = create_backup(tmp_path / "arsip")
    restore_backup(archive, target=fresh_target)
    with pytest.raises(BackupError, match="--force"):
        restore_backup(archive, target=fresh_target)
    report = restore_backup(archive, target=fresh_target, force=True)
    assert report.checksums_match


WRITER = """
import time
from kopdes.platform.audit.services import record
from kopdes.platform.tenancy.models import Koperasi
kop = Koperasi.objects.get(slug="kdmp-cadangan")
for i in range(400):
    record("test.writer.wrote", koperasi=kop, summary={"i": i})
"""


@pytest.fixture
def second_target(tmp_path):
    """Another empty database, for a copy that a writer process can hammer."""
    if connection.vendor == "sqlite":
        yield Target("sqlite", str(tmp_path / "live.sqlite3"))
        return
    import psycopg

    source = default_target().location
    name = f"kopdes_live_{uuid.uuid4().hex[:10]}"
    admin_url = source.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target("postgresql", source.rsplit("/", 1)[0] + "/" + name)
    finally:
        drop_database(admin_url, name)


def _audit_rows(target: Target) -> int:
    if target.engine == "sqlite":
        import sqlite3

        with sqlite3.connect(target.location) as conn:
            return conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    import psycopg

    with psycopg.connect(target.location) as conn:
        return conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]


def test_backup_taken_while_a_writer_runs_is_consistent(tmp_path, fresh_target, second_target):
    _data()
    seed = create_backup(tmp_path / "seed")
    restore_backup(seed, target=second_target)  # a real database a writer process can reach
    before = _audit_rows(second_target)
    env = dict(os.environ, DATABASE_URL=_url(second_target), KOPDES_TESTING="1")
    writer = subprocess.Popen(
        [sys.executable, "-m", "kopdes", "shell", "-c", WRITER], env=env, cwd=ROOT
    )
    try:
        archives = []
        while writer.poll() is None and len(archives) < 3:
            archives.append(create_backup(tmp_path / "live", target=second_target))
    finally:
        assert writer.wait(timeout=120) == 0
    after = _audit_rows(second_target)
    assert after == before + 400
    archive = archives[len(archives) // 2]
    report = restore_backup(archive, target=fresh_target)  # checksums recomputed and equal
    assert report.checksums_match
    restored = _audit_rows(fresh_target)
    assert before <= restored <= after  # a snapshot somewhere inside the writer's run
    verified = _run_kopdes(fresh_target, "verify")
    assert verified.returncode == 0, verified.stderr
