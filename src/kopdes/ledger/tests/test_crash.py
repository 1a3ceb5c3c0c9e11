"""T4: kill -9 a process that posts entries in a loop; after every kill the books verify,
no acknowledged entry is missing, no entry is partial, and the retry adds no duplicate.

SQLite runs on a real file with the production PRAGMAs (WAL, synchronous=FULL); the
PostgreSQL run uses its own scratch database next to the test database.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kopdes.platform.core.testing import drop_database

ROOT = Path(__file__).resolve().parents[4]
SEED = int(os.environ.get("KOPDES_T4_SEED", "20261128"))

pytestmark = pytest.mark.slow


def _env(tmp_path, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "KOPDES_VAR_DIR": str(tmp_path / "var")}
    env["KOPDES_TESTING"] = "1"
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def _run(mode, ack, env, timeout=120):
    cmd = [sys.executable, "-m", "kopdes.ledger.tests.crash_poster", mode, str(ack)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def _admin_conninfo() -> str:
    params = settings.DATABASES["default"]
    return (
        f"host={params['HOST']} port={params['PORT'] or 5432} user={params['USER']} "
        f"password={params['PASSWORD']} dbname=postgres"
    )


def _admin(sql):
    import psycopg

    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        for statement in sql:
            conn.execute(statement)


def _scratch_postgres(name):
    params = settings.DATABASES["default"]
    _admin([f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'])
    return (
        f"postgresql://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:"
        f"{params['PORT'] or 5432}/{name}"
    )


def kill_loop(tmp_path, database_url, kills):
    rng = random.Random(SEED)
    env = _env(tmp_path, database_url)
    ack = tmp_path / "acked.log"
    setup = _run("setup", ack, env, timeout=300)
    assert setup.returncode == 0, setup.stderr[-3000:]
    reports = []
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kopdes.ledger.tests.crash_poster", "post", str(ack)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        reports.append(json.loads(proc.stdout.readline()))
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()[-3000:]
        time.sleep(rng.uniform(0.005, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    final = _run("verify", ack, env)
    assert final.returncode == 0, final.stderr[-3000:]
    reports.append(json.loads(final.stdout.splitlines()[0]))
    for report in reports:
        assert report["problems"] == [], report
        assert report["acked_missing"] == [], report
        assert report["in_doubt"] <= 1, report
        assert report["integrity"] == "ok", report
    assert reports[-1]["entries"] >= reports[0]["entries"]
    figures = {
        "test": "T4",
        "backend": "pg" if database_url.startswith("postgres") else "sqlite",
        "seed": SEED,
        "params": {"kills": kills},
        "metrics": {
            "entries": reports[-1]["entries"],
            "violations": 0,
            "acked_missing": 0,
            "in_doubt_resolved": sum(r["in_doubt"] for r in reports),
        },
        "pass": True,
    }
    print(json.dumps(figures))
    return reports


def test_kill_9_during_postings_on_a_sqlite_file_leaves_balanced_books(tmp_path):
    reports = kill_loop(tmp_path, f"sqlite:///{tmp_path / 'laptop.sqlite3'}", kills=20)
    assert reports[-1]["entries"] > 0


@pytest.mark.django_db
def test_kill_9_during_postings_on_postgresql_leaves_balanced_books(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs when DATABASE_URL points at PostgreSQL")
    name = f"{settings.DATABASES['default']['NAME']}_t4"
    url = _scratch_postgres(name)
    try:
        reports = kill_loop(tmp_path, url, kills=10)
    finally:
        drop_database(_admin_conninfo(), name)
    assert reports[-1]["entries"] > 0


def test_concurrent_sqlite_writers_with_one_shared_key_post_it_once(tmp_path):
    """T1 across processes on a SQLite file: BEGIN IMMEDIATE serialises the writers."""
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'laptop.sqlite3'}")
    ack = tmp_path / "unused.log"
    setup = _run("setup", ack, env, timeout=300)
    assert setup.returncode == 0, setup.stderr[-3000:]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kopdes.ledger.tests.crash_poster", "burst", str(ack),
             f"w{w}", "15"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(4)
    ]  # fmt: skip
    numbers = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        got = json.loads(out.splitlines()[-1])
        numbers.append(got)
    shared = {got[0] for got in numbers}
    assert len(shared) == 1  # one entry for the shared key, whoever won
    own = sorted(n for got in numbers for n in got[1:])
    assert sorted([*shared, *own]) == list(range(1, 4 * 15 + 2))  # gap-free, no duplicates
    final = _run("verify", ack, env)
    report = json.loads(final.stdout.splitlines()[0])
    assert report["problems"] == [] and report["entries"] == 61
