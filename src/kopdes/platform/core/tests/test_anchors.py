"""Chain heads anchored outside the database (issue 13 part 3), and the trigger check.

With the append-only triggers dropped, deleting the newest audit events leaves a chain that
verifies on its own; only the anchor file shows the tail is gone. ``kopdes verify`` also
reports a dropped, disabled or altered trigger, a tampered anchor line and a line dropped
from the anchor file. Runs on SQLite and, with DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tarfile
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.audit.services import record
from kopdes.platform.core import anchors
from kopdes.platform.core.backup import MANIFEST, create_backup
from kopdes.platform.core.testing import append_only_suspended, make_koperasi
from kopdes.platform.core.trigger_verification import expected_triggers, trigger_problems
from kopdes.platform.core.triggers import _postgres_sql, _sqlite_sql

KEY = b"kunci-anchor-uji"


def _verify(*args: str) -> tuple[bool, str, str]:
    """Run ``kopdes verify``; (passed, stdout, stderr + the failure message)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def _events(koperasi, n: int) -> None:
    for i in range(n):
        record("test.thing.done", koperasi=koperasi, summary={"i": i})


@contextmanager
def _triggers_off():
    """The append-only triggers off, as an attacker with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; ALTER TABLE needs them checked first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with append_only_suspended(connection):
            yield
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _audit_head(koperasi) -> AuditEvent:
    return AuditEvent.objects.filter(chain=str(koperasi.pk)).order_by("-seq").first()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- the file itself ----------------------------------------------------------------------


HEADS = {
    "0190f0c2-0000-7000-8000-000000000001": {
        "jurnal": {"seq": 42, "hash": "a" * 64},
        "audit": {"seq": 120, "hash": "b" * 64},
    },
    "platform": {"audit": {"seq": 7, "hash": "c" * 64}},
}
SLUGS = {"0190f0c2-0000-7000-8000-000000000001": "sukamaju"}


def _write(path: Path, times: int = 1) -> None:
    for _ in range(times):
        anchors.append_anchors(HEADS, SLUGS, reason="uji", path=path)


@pytest.fixture
def anchor_key(monkeypatch):
    monkeypatch.setenv("KOPDES_ANCHOR_KEY", KEY.decode())
    return KEY


def test_anchor_file_is_0600_signed_and_chained(tmp_path, anchor_key):
    path = tmp_path / "var" / "anchors.jsonl"
    _write(path, times=2)
    assert path.stat().st_mode & 0o777 == 0o600
    lines = _lines(path)
    assert [x["slug"] for x in lines] == ["sukamaju", "platform", "sukamaju", "platform"]
    assert lines[0]["prev"] == anchors.GENESIS
    raw = path.read_bytes().split(b"\n")
    for previous, line in zip(raw, lines[1:], strict=False):
        assert line["prev"] == anchors._line_hash(previous)
    assert lines[0]["heads"]["jurnal"] == {"seq": 42, "hash": "a" * 64}
    found, problems = anchors.read_anchor_file(path, KEY)
    assert problems == []
    assert {(a.slug, a.chain, a.seq) for a in found} == {
        ("sukamaju", "jurnal", 42),
        ("sukamaju", "audit", 120),
        ("platform", "audit", 7),
    }


def test_a_widened_file_mode_is_put_back_to_0600(tmp_path, anchor_key):
    path = tmp_path / "anchors.jsonl"
    _write(path)
    os.chmod(path, 0o644)
    _write(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_tampered_line_is_reported_with_file_and_line(tmp_path, anchor_key):
    path = tmp_path / "anchors.jsonl"
    _write(path, times=2)
    lines = path.read_text().splitlines()
    changed = json.loads(lines[2])
    changed["heads"]["jurnal"]["seq"] = 41  # lower the anchored head to hide a deletion
    lines[2] = anchors._canonical(changed)
    path.write_text("\n".join(lines) + "\n")
    found, problems = anchors.read_anchor_file(path, KEY)
    assert problems[0].startswith(f"{path}:3: tanda tangan anchor tidak sah")
    assert all(a.where != f"{path}:3" for a in found)  # the forged line is not trusted
    # The next line chained to the original bytes of line 3: that breaks too.
    assert any(p.startswith(f"{path}:4: rantai berkas anchor putus") for p in problems)


def test_line_dropped_from_the_middle_breaks_the_chain(tmp_path, anchor_key):
    path = tmp_path / "anchors.jsonl"
    _write(path, times=2)
    lines = path.read_text().splitlines()
    del lines[1]
    path.write_text("\n".join(lines) + "\n")
    _found, problems = anchors.read_anchor_file(path, KEY)
    assert problems == [f"{path}:2: rantai berkas anchor putus (ada baris sebelumnya yang "
                        "dihapus, disisipkan atau ditukar)"]  # fmt: skip


def test_line_signed_with_another_key_and_garbage_are_refused(tmp_path, anchor_key):
    path = tmp_path / "anchors.jsonl"
    _write(path)
    _found, problems = anchors.read_anchor_file(path, b"kunci-lain")
    assert len(problems) == 2 and all("tanda tangan anchor tidak sah" in p for p in problems)
    with path.open("ab") as fh:
        fh.write(b'{"v": 1, "bukan": "anchor"}\n\x00\xff\n')
    _found, problems = anchors.read_anchor_file(path, KEY)
    assert problems == [
        f"{path}:3: baris anchor rusak (bukan baris anchor yang sah)",
        f"{path}:4: baris anchor rusak (bukan baris anchor yang sah)",
    ]


def test_a_torn_last_line_stays_reported_and_the_next_lines_chain_past_it(tmp_path, anchor_key):
    path = tmp_path / "anchors.jsonl"
    _write(path)
    with path.open("ab") as fh:
        fh.write(b'{"v":1,"at":"2026')  # a crash in the middle of a write
    _write(path)
    _found, problems = anchors.read_anchor_file(path, KEY)
    assert problems == [f"{path}:3: baris anchor rusak (bukan baris anchor yang sah)"]


def test_key_is_made_once_0600_beside_the_data_key(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("KOPDES_ANCHOR_KEY", raising=False)
    settings.VAR_DIR = tmp_path
    first = anchors.anchor_key()
    assert (tmp_path / "anchor_key").stat().st_mode & 0o777 == 0o600
    assert anchors.anchor_key() == first and len(first) >= 48
    monkeypatch.setenv("KOPDES_ANCHOR_KEY", "dari-lingkungan")
    assert anchors.anchor_key() == b"dari-lingkungan"


def test_unwritable_anchor_location_is_a_clear_error(tmp_path, anchor_key):
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("sebuah berkas")  # the anchor folder's place is taken by a file
    with pytest.raises(anchors.AnchorError, match="tidak dapat dibuka"):
        anchors.append_anchors(HEADS, SLUGS, reason="uji", path=blocker / "anchors.jsonl")
    assert blocker.read_text() == "sebuah berkas"


# --- the database against its anchors ----------------------------------------------------


@pytest.mark.django_db
def test_deleted_newest_audit_events_pass_the_chain_check_but_not_the_anchor(tmp_path):
    kop = make_koperasi("sukamaju")
    _events(kop, 5)
    head = _audit_head(kop)
    path = tmp_path / "anchors.jsonl"
    call_command("anchor", "--file", str(path), stdout=StringIO())
    assert _verify("--anchors", str(path))[0]

    with _triggers_off():
        AuditEvent.objects.filter(chain=str(kop.pk), seq__gt=head.seq - 2).delete()
    passed, out, _err = _verify("--no-anchors")
    assert passed and "rantai audit" in out  # the shortened chain verifies on its own
    passed, _out, err = _verify("--anchors", str(path))
    assert not passed
    day = anchors.local_day(dt.datetime.fromisoformat(_lines(path)[0]["at"]))
    expected = (
        f"sukamaju: rantai audit berakhir di #{head.seq - 2}, anchor {day} mencatat #{head.seq} "
        f"(hash {head.hash[:12]}…): baris terbaru hilang"
    )
    assert expected in err
    # The default is the local file (KOPDES_ANCHOR_FILE here): the same finding.
    call_command("anchor", stdout=StringIO())  # anchors the shortened chain too...
    passed, _out, err = _verify("--anchors", str(path), "--anchors", str(anchors.anchor_path()))
    assert not passed and "baris terbaru hilang" in err  # ...the older anchor still holds


@pytest.mark.django_db
def test_rewritten_newest_audit_event_is_a_hash_mismatch_at_its_sequence(tmp_path):
    kop = make_koperasi("sukamaju")
    _events(kop, 3)
    head = _audit_head(kop)
    anchors.anchor_now(reason="uji")
    with _triggers_off():
        AuditEvent.objects.filter(pk=head.pk).delete()
    record("test.thing.done", koperasi=kop, summary={"lain": True})  # same seq, new hash
    assert _audit_head(kop).seq == head.seq
    passed, _out, err = _verify()
    assert not passed
    assert f"sukamaju: rantai audit #{head.seq} sekarang hash " in err
    assert f"mencatat hash {head.hash[:12]}…" in err and "riwayat ditulis ulang" in err


@pytest.mark.django_db
def test_verify_reports_a_tampered_anchor_and_a_koperasi_gone_from_the_database(tmp_path):
    kop = make_koperasi("sukamaju")
    _events(kop, 2)
    path = tmp_path / "anchors.jsonl"
    anchors.anchor_now(reason="uji", path=path)
    lines = path.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["heads"]["audit"]["seq"] = 1
    path.write_text(anchors._canonical(forged) + "\n" + "\n".join(lines[1:]) + "\n")
    passed, _out, err = _verify("--anchors", str(path))
    assert not passed and f"{path}:1: tanda tangan anchor tidak sah" in err

    other = tmp_path / "lain.jsonl"
    gone = "0190f0c2-0000-7000-8000-00000000beef"
    anchors.append_anchors(
        {gone: {"audit": {"seq": 3, "hash": "d" * 64}}}, {gone: "hilang"}, reason="uji", path=other
    )
    passed, _out, err = _verify("--anchors", str(other))
    assert not passed
    assert f"hilang: koperasi {gone} tercatat di anchor" in err
    assert "tidak ada di basis data ini" in err


@pytest.mark.django_db
def test_verify_and_anchor_refuse_bad_input(tmp_path):
    passed, _out, err = _verify("--anchors", str(tmp_path / "tidak-ada.jsonl"))
    assert not passed and f"berkas anchor {tmp_path / 'tidak-ada.jsonl'} tidak ada" in err
    with pytest.raises(CommandError, match="tidak dapat dipakai bersama"):
        call_command("verify", "--anchors", "x", "--no-anchors", stdout=StringIO())
    with pytest.raises(CommandError, match="Koperasi 'tidak-ada' tidak ditemukan"):
        call_command("anchor", "--koperasi", "tidak-ada", stdout=StringIO())
    assert not anchors.anchor_path().exists()  # nothing written


@pytest.mark.django_db
def test_kopdes_anchor_writes_every_koperasi_and_the_platform_chain(tmp_path):
    one, two = make_koperasi("sukamaju"), make_koperasi("sidomulyo")
    _events(one, 2)
    _events(two, 3)
    record("identity.user.logged_in", summary={})
    out = StringIO()
    call_command("anchor", stdout=out)
    path = anchors.anchor_path()
    assert path.stat().st_mode & 0o777 == 0o600
    lines = {x["slug"]: x for x in _lines(path)}
    assert set(lines) == {"sukamaju", "sidomulyo", "platform"}
    assert lines["sukamaju"]["reason"] == "harian"
    assert lines["sukamaju"]["heads"]["audit"] == {
        "seq": _audit_head(one).seq,
        "hash": _audit_head(one).hash,
    }
    assert f"sukamaju: rantai audit #{_audit_head(one).seq}" in out.getvalue()
    assert f"anchor ditulis ke {path}: 3 baris" in out.getvalue()
    call_command("anchor", "--koperasi", "sidomulyo", stdout=StringIO())
    assert [x["slug"] for x in _lines(path)][-1] == "sidomulyo" and len(_lines(path)) == 4
    assert _verify()[0]  # the local file, by default
    passed, out_text, _err = _verify("--koperasi", "sukamaju")
    assert passed and "anchor kepala rantai: 1 titik anchor diperiksa, cocok" in out_text


# --- the append-only triggers ------------------------------------------------------------


def _recreate(spec_names: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in {name.rsplit("_no_", 1)[0] for name in spec_names}:
            if connection.vendor == "postgresql":
                cursor.execute(_postgres_sql(table)[0])
            else:
                for statement in _sqlite_sql(table)[0].strip().split("END;"):
                    if statement.strip():
                        cursor.execute(statement + "END;")


@pytest.mark.django_db
def test_every_append_only_trigger_is_checked_and_all_present():
    names = {spec.name for spec in expected_triggers()}
    assert {"audit_auditevent_no_update", "ledger_journalentry_no_update"} <= names
    assert {"ledger_journalline_no_update"} <= names
    checked, problems = trigger_problems()
    assert checked == len(names) and problems == []
    passed, out, _err = _verify()
    assert passed and f"pemicu append-only: {checked} pemicu diperiksa, cocok" in out


@pytest.mark.django_db
def test_verify_reports_dropped_append_only_triggers():
    dropped = ["audit_auditevent_no_update", "ledger_journalline_no_update"]
    try:
        with connection.cursor() as cursor:
            for name in dropped:
                table = name.rsplit("_no_", 1)[0]
                on = f" ON {table}" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TRIGGER {name}{on}")
        passed, _out, err = _verify()
        assert not passed
        for name in dropped:
            table = name.rsplit("_no_", 1)[0]
            assert f"pemicu {name} pada tabel {table} tidak ada" in err
        assert "verifikasi GAGAL: pemicu append-only" in err
    finally:
        _recreate(dropped)
    assert trigger_problems()[1] == []


@pytest.mark.django_db
def test_verify_reports_an_altered_or_disabled_trigger():
    table = "audit_auditevent"
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS "
                    "$$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql"
                )
                cursor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER {table}_no_delete")
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT 1; END"
                )
        _checked, problems = trigger_problems()
        if connection.vendor == "postgresql":
            assert (
                f"fungsi {table}_append_only() yang dijalankan pemicu {table}_no_update"
                in (problems[0])
            )
            assert any("ledger_journalentry_no_update pada tabel" in p and "dimatikan" in p
                       for p in problems)  # fmt: skip
        else:
            assert problems == [
                f"pemicu {table}_no_delete pada tabel {table} berbeda dari yang dipasang "
                f"migrasi (sekarang: CREATE TRIGGER {table}_no_delete BEFORE DELETE ON "
                f"{table} BEGIN SELECT 1; END)"
            ]
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        _recreate([f"{table}_no_update"])
    assert trigger_problems()[1] == []


# --- backups ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_backup_manifest_carries_the_heads_and_the_backup_is_anchored(tmp_path):
    kop = make_koperasi("sukamaju")
    _events(kop, 4)
    head = _audit_head(kop)
    archive = create_backup(tmp_path / "arsip")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    heads = manifest["chain_heads"][str(kop.pk)]
    assert heads["slug"] == "sukamaju"
    assert heads["audit"] == {"seq": head.seq, "hash": head.hash}
    lines = [x for x in _lines(anchors.anchor_path()) if x["slug"] == "sukamaju"]
    assert lines[-1]["reason"] == f"cadangan {archive.name}"
    assert lines[-1]["heads"]["audit"] == {"seq": head.seq, "hash": head.hash}
    assert anchors.anchor_path().stat().st_mode & 0o777 == 0o600
    assert _verify()[0]


@pytest.mark.django_db
def test_without_a_local_anchor_file_verify_says_so_and_makes_no_key(
    tmp_path, settings, monkeypatch
):
    monkeypatch.delenv("KOPDES_ANCHOR_KEY", raising=False)
    settings.VAR_DIR = tmp_path
    passed, out, _err = _verify()
    assert passed
    assert f"anchor kepala rantai: berkas {anchors.anchor_path()} belum ada" in out
    assert not (tmp_path / "anchor_key").exists()  # verify alone writes nothing


@pytest.mark.django_db
def test_an_unreadable_anchor_key_is_reported_not_a_crash(tmp_path, settings, monkeypatch):
    _events(make_koperasi("sukamaju"), 1)
    path = tmp_path / "anchors.jsonl"
    monkeypatch.setenv("KOPDES_ANCHOR_KEY", KEY.decode())
    assert len(anchors.anchor_now(reason="uji", path=path)) == 1
    monkeypatch.delenv("KOPDES_ANCHOR_KEY")
    settings.VAR_DIR = tmp_path
    (tmp_path / "anchor_key").mkdir()  # the key's place is taken: it cannot be read
    passed, _out, err = _verify("--anchors", str(path))
    assert not passed and "kunci anchor tidak dapat dibaca" in err


def test_concurrent_writers_keep_one_unbroken_chain(tmp_path, anchor_key):
    import threading

    path = tmp_path / "anchors.jsonl"
    start = threading.Barrier(6)

    def writer():
        start.wait()
        _write(path, times=10)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found, problems = anchors.read_anchor_file(path, KEY)
    assert problems == []
    assert len(path.read_text().splitlines()) == 6 * 10 * 2 and len(found) == 6 * 10 * 3


@pytest.mark.django_db
def test_anchor_on_an_empty_database_writes_nothing():
    out = StringIO()
    call_command("anchor", stdout=out)
    assert "Belum ada rantai yang dapat di-anchor" in out.getvalue()
    assert not anchors.anchor_path().exists()
