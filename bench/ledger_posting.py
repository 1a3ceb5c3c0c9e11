"""Posting throughput of ``kopdes.ledger.services.post`` beside raw inserts of the same rows.

Three benchmarks (issue 3), each with its baseline measured in the same run:

``ledger_posting`` (SQLite file, the project's real settings: WAL, synchronous=FULL)
  - ``raw``      (baseline) plain ``sqlite3`` on a scratch file with the same pragmas:
                 per transaction 1 entry row + 3 line rows + 3 balance upserts, one
                 statement per round trip, then COMMIT
  - ``service``  ``ledger.services.post``, one entry of 3 lines per transaction (the till
                 and teller path), with its audit event

``ledger_posting_pg`` the same on PostgreSQL (``BENCH_PG``, default
  ``postgresql://kopdes:kopdes@127.0.0.1:5432/postgres``; a scratch database
  ``kopdes_bench_ledger_posting`` is created, migrated and dropped); ``raw`` uses psycopg.

``ledger_batch`` (SQLite) many entries in one transaction (import, sync apply)
  - ``raw_bulk`` (baseline) ``executemany`` of entry and line rows, one transaction
  - ``batch``    ``BATCH`` entries of 3 lines in one ``ledger.services.post_many`` call
  - ``opening``  ``ledger.opening.import_opening`` of a workbook with 500 lines (one per
                 sub-account, created first with ``services.create_account``)

Metrics: entries/s and lines/s. Issue targets: ``service`` >= 300 entries/s on SQLite and
within 4x of ``raw`` on both engines; ``batch`` >= 5,000 entries/s on SQLite.

Every measurement runs in its own process with its own Django settings environment
(``KOPDES_DEBUG=0``, temporary ``KOPDES_VAR_DIR``) on a database migrated once per session.

    python -m bench ledger_posting ledger_batch
    BENCH_PG=postgresql://kopdes:kopdes@127.0.0.1:5432/postgres python -m bench ledger_posting_pg
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.runner import ROOT, Benchmark, Metric, Options

DEFAULT_PG = "postgresql://kopdes:kopdes@127.0.0.1:5432/postgres"
PG_NAME = "kopdes_bench_ledger_posting"
BATCH = int(os.environ.get("BENCH_LEDGER_BATCH", "1000"))
OPENING_LINES = 500
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "KOPDES_TESTING", "KOPDES_ENV", "KOPDES_DEBUG"}
    }
    env.update(
        DATABASE_URL=database_url,
        KOPDES_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="kopdes.config.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        KOPDES_LOG_LEVEL="WARNING",
        KOPDES_DEBUG="0",  # DEBUG keeps every query: it would distort the figures
    )
    return env


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def run_measure(
    env: dict[str, str], *args: str, module: str = "bench.ledger_posting"
) -> dict[str, float]:
    """Run ``python -m module *args`` in ``env`` and read the JSON figures it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def scratch_database(engine: str, pg_name: str = PG_NAME, prefix: str = "kopdes-bench-ledger-"):
    """A migrated scratch database (SQLite file, or ``pg_name`` on ``BENCH_PG``); yields the
    environment for measuring processes."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    admin = os.environ.get("BENCH_PG", DEFAULT_PG)
    try:
        if engine == "pg":
            _pg_admin(admin, f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
            _pg_admin(admin, f"CREATE DATABASE {pg_name}")
            url = admin.rsplit("/", 1)[0] + "/" + pg_name
        else:
            url = f"sqlite:///{tmp / 'kopdes.sqlite3'}"
        env = _env(url, tmp / "var")
        env["BENCH_RAW_DIR"] = str(tmp)
        done = subprocess.run(
            [sys.executable, "-m", "kopdes", "migrate", "-v0"], env=env, cwd=ROOT, check=False
        )
        if done.returncode != 0:
            raise RuntimeError("migrate failed")
        yield env
    finally:
        if engine == "pg":
            _pg_admin(admin, f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


def _variant(env: dict[str, str], name: str):
    def measure(o: Options) -> dict[str, float]:
        return run_measure(env, "measure", name, str(o.duration))

    return measure


@contextmanager
def posting_session(options: Options, engine: str = "sqlite"):
    with scratch_database(engine) as env:
        yield {"raw": _variant(env, "raw"), "service": _variant(env, "service")}


@contextmanager
def posting_pg_session(options: Options):
    with posting_session(options, "pg") as variants:
        yield variants


@contextmanager
def batch_session(options: Options):
    with scratch_database("sqlite") as env:
        yield {
            "raw_bulk": _variant(env, "raw_bulk"),
            "batch": _variant(env, "batch"),
            "opening": _variant(env, "opening"),
        }


# --- inside the measuring process -------------------------------------------------------


def _result(entries: int, lines: int, seconds: float) -> dict[str, float]:
    return {"entries_s": entries / seconds, "lines_s": lines / seconds, "entries": entries}


RAW_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS raw_entry (id char(32) PRIMARY KEY, koperasi_id char(32), "
    "number bigint, date date, period int, memo varchar(500), idempotency_key varchar(200), "
    "total_amount bigint, line_count smallint, posted_at datetime, prev_hash varchar(64), "
    "hash varchar(64))",
    "CREATE UNIQUE INDEX IF NOT EXISTS raw_entry_number ON raw_entry (koperasi_id, number)",
    "CREATE UNIQUE INDEX IF NOT EXISTS raw_entry_key ON raw_entry (koperasi_id, idempotency_key)",
    "CREATE TABLE IF NOT EXISTS raw_line (id char(32) PRIMARY KEY, koperasi_id char(32), "
    "entry_id char(32), line_no smallint, account_id char(32), side char(1), amount bigint, "
    "date date, period int)",
    "CREATE UNIQUE INDEX IF NOT EXISTS raw_line_no ON raw_line (koperasi_id, entry_id, line_no)",
    "CREATE INDEX IF NOT EXISTS raw_line_account ON raw_line (koperasi_id, account_id, date)",
    "CREATE TABLE IF NOT EXISTS raw_balance (id char(32) PRIMARY KEY, koperasi_id char(32), "
    "account_id char(32), period int, debit_total bigint, credit_total bigint)",
    "CREATE UNIQUE INDEX IF NOT EXISTS raw_balance_key "
    "ON raw_balance (koperasi_id, account_id, period)",
)


def _raw_rows(kop: str, number: int, accounts: list[str]):
    """The rows ``post`` writes for one 3-line entry (ids as hex text, like SQLite's)."""
    import datetime as dt
    import uuid

    entry_id = uuid.uuid4().hex
    amount = 1_000_00 + number
    day = dt.date(2026, 3, 1 + number % 28).isoformat()
    entry = (
        entry_id, kop, number, day, 202603, f"raw {number}", f"raw:{kop}:{number}",
        amount * 2, 3, "2026-03-01 10:00:00", "0" * 64, "f" * 64,
    )  # fmt: skip
    sides = (("D", amount * 2), ("C", amount), ("C", amount))
    lines = [
        (uuid.uuid4().hex, kop, entry_id, n, accounts[n - 1], side, amt, day, 202603)
        for n, (side, amt) in enumerate(sides, start=1)
    ]
    balances = [
        (uuid.uuid4().hex, kop, accounts[n - 1], 202603, amt if side == "D" else 0,
         amt if side == "C" else 0)
        for n, (side, amt) in enumerate(sides, start=1)
    ]  # fmt: skip
    return entry, lines, balances


def _raw_connection():
    """sqlite3 on a scratch file (same pragmas as the app), or psycopg on the scratch DB."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(
            Path(os.environ["BENCH_RAW_DIR"]) / "raw.sqlite3", isolation_level=None
        )
        for pragma in SQLITE_PRAGMAS:
            con.execute(pragma)
        for ddl in RAW_SCHEMA:
            con.execute(ddl)
        return con, "?", "sqlite"
    import psycopg

    con = psycopg.connect(url)
    for ddl in RAW_SCHEMA:
        con.execute(ddl.replace("datetime", "timestamptz"))
    con.commit()
    return con, "%s", "pg"


def _placeholders(mark: str, n: int) -> str:
    return ",".join([mark] * n)


def measure_raw(duration: float, *, bulk: bool = False) -> dict[str, float]:
    import uuid

    con, mark, vendor = _raw_connection()
    kop = uuid.uuid4().hex
    accounts = [uuid.uuid4().hex for _ in range(3)]
    entry_sql = f"INSERT INTO raw_entry VALUES ({_placeholders(mark, 12)})"
    line_sql = f"INSERT INTO raw_line VALUES ({_placeholders(mark, 9)})"
    balance_sql = (
        f"INSERT INTO raw_balance VALUES ({_placeholders(mark, 6)}) "
        "ON CONFLICT (koperasi_id, account_id, period) DO UPDATE SET "
        "debit_total = raw_balance.debit_total + excluded.debit_total, "
        "credit_total = raw_balance.credit_total + excluded.credit_total"
    )
    begin = (lambda: con.execute("BEGIN IMMEDIATE")) if vendor == "sqlite" else (lambda: None)
    number = 0
    if bulk:
        # One transaction per BATCH entries, executemany: the floor for an import.
        # Rows are made outside the clock: this is the database's floor, not Python's.
        took = 0.0
        while took < duration:
            batch = [_raw_rows(kop, number + i, accounts) for i in range(1, BATCH + 1)]
            lines = [line for _e, rows, _b in batch for line in rows]
            entries = [e for e, _l, _b in batch]
            number += BATCH
            started = time.perf_counter()
            begin()
            cur = con.cursor()
            cur.executemany(line_sql, lines)
            cur.executemany(entry_sql, entries)
            con.commit() if vendor == "pg" else con.execute("COMMIT")
            took += time.perf_counter() - started
        con.close()
        return _result(number, number * 3, took)
    started = time.perf_counter()
    while time.perf_counter() - started < duration:
        number += 1
        entry, lines, balances = _raw_rows(kop, number, accounts)
        begin()
        cur = con.cursor()
        cur.execute(entry_sql, entry)
        for line in lines:
            cur.execute(line_sql, line)
        for balance in balances:
            cur.execute(balance_sql, balance)
        con.commit() if vendor == "pg" else con.execute("COMMIT")
    took = time.perf_counter() - started
    con.close()
    return _result(number, number * 3, took)


def _books():
    from django.db import transaction

    from kopdes.ledger.models import Account
    from kopdes.ledger.services import setup_koperasi_books
    from kopdes.platform.core.testing import make_koperasi, make_user

    with transaction.atomic():
        tag = time.time_ns() % 10**9  # one koperasi per measuring process
        koperasi = make_koperasi(
            f"bench-post-{tag}",
            nik_koperasi=f"39{tag:013d}",
            badan_hukum_number=f"AHU-{tag:09d}.AH.01.29.TAHUN 2025",
        )
        setup_koperasi_books(koperasi)
        actor = make_user("bendahara", koperasi, username=f"bendahara.{koperasi.slug}")
    usable = list(
        Account.objects.filter(
            koperasi=koperasi, subledger_kind="", is_active=True, business_unit=""
        ).order_by("code")
    )
    return koperasi, actor, usable


def _till_lines(accounts, n: int):
    from kopdes.domain.ledger import LineDraft

    cash, revenue, tax = accounts
    amount = 1_000_00 + n
    return [
        LineDraft.debit(cash.code, amount * 2),
        LineDraft.credit(revenue.code, amount),
        LineDraft.credit(tax.code, amount),
    ]


def measure_service(duration: float, *, batch: bool = False) -> dict[str, float]:
    import datetime as dt

    from django.db import transaction

    from kopdes.ledger.services import EntryRequest, post, post_many

    koperasi, actor, usable = _books()
    by_type = {}
    for acc in usable:
        by_type.setdefault(acc.type, []).append(acc)
    accounts = (by_type["aset"][0], by_type["pendapatan"][0], by_type["kewajiban"][0])
    day = dt.date(2026, 3, 2)
    number = 0

    def one() -> None:
        nonlocal number
        number += 1
        post(
            koperasi, actor=actor, date=day, memo=f"Penjualan tunai {number}",
            lines=_till_lines(accounts, number), idempotency_key=f"bench:till:{number}",
            source="bench",
        )  # fmt: skip

    for _ in range(5):  # warm caches (first queries, imports) outside the clock
        with transaction.atomic():
            one()
    number_before = number
    if batch:
        # Like raw_bulk, the rows (here the requests) are made outside the clock: this
        # measures posting them, not building them.
        took = 0.0
        while took < duration:
            requests = [
                EntryRequest(
                    date=day, memo=f"Impor {number + i}", lines=_till_lines(accounts, number + i),
                    idempotency_key=f"bench:batch:{number + i}", source="bench",
                )
                for i in range(1, BATCH + 1)
            ]  # fmt: skip
            number += BATCH
            started = time.perf_counter()
            post_many(koperasi, actor=actor, entries=requests)
            took += time.perf_counter() - started
        done = number - number_before
        return _result(done, done * 3, took)
    started = time.perf_counter()
    while time.perf_counter() - started < duration:
        one()
    took = time.perf_counter() - started
    done = number - number_before
    return _result(done, done * 3, took)


def measure_opening(duration: float) -> dict[str, float]:
    import datetime as dt
    import io

    from kopdes.ledger import opening, services

    koperasi, actor, usable = _books()
    debit_parent = next(a for a in usable if a.type == "aset" and "." not in a.code)
    credit_parent = next(a for a in usable if a.type == "ekuitas" and "." not in a.code)
    half = OPENING_LINES // 2
    for i in range(1, half + 1):
        for parent in (debit_parent, credit_parent):
            services.create_account(
                koperasi, actor=actor, parent_code=parent.code,
                code=f"{parent.code}.{i:03d}", name=f"Sub akun {parent.code} {i}",
            )  # fmt: skip
    imported = 0
    took = 0.0
    n = 0
    while took < duration or n == 0:
        n += 1
        # A fresh koperasi per import would dominate; instead each round is a new file
        # (the amounts differ, so the file key does too) posted into the same books.
        wb = opening.template_workbook(koperasi)
        ws = wb[opening.SHEET]
        for row in ws.iter_rows(min_row=2):
            code = row[0].value
            if code and code.startswith(debit_parent.code + "."):
                row[2].value = 1_000 + n
            elif code and code.startswith(credit_parent.code + "."):
                row[3].value = 1_000 + n
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
        started = time.perf_counter()
        entry = opening.import_opening(koperasi, actor=actor, data=data, date=dt.date(2026, 1, 1))
        took += time.perf_counter() - started
        imported += entry.line_count
    return _result(n, imported, took)


def measure(variant: str, duration: float) -> dict[str, float]:
    if variant in {"raw", "raw_bulk"}:
        return measure_raw(duration, bulk=variant == "raw_bulk")
    import django

    django.setup()
    if variant == "opening":
        return measure_opening(duration)
    return measure_service(duration, batch=variant == "batch")


METRICS = [
    Metric("entries_s", "entries/s", "1/s", higher_is_better=True),
    Metric("lines_s", "lines/s", "1/s", higher_is_better=True),
]

BENCHMARK = Benchmark(
    name="ledger_posting",
    description="ledger.services.post, one 3-line entry per transaction (SQLite, WAL, FULL)",
    metrics=METRICS,
    baseline="raw",
    session=posting_session,
)
BENCHMARK_PG = Benchmark(
    name="ledger_posting_pg",
    description="ledger.services.post, one 3-line entry per transaction (PostgreSQL)",
    metrics=METRICS,
    baseline="raw",
    session=posting_pg_session,
)
BENCHMARK_BATCH = Benchmark(
    name="ledger_batch",
    description=f"{BATCH} entries per transaction; opening import of {OPENING_LINES} lines "
    "(SQLite)",
    metrics=METRICS,
    baseline="raw_bulk",
    session=batch_session,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2], float(sys.argv[3]))))
    else:
        from bench.__main__ import main

        sys.exit(main(["ledger_posting", "ledger_batch", *sys.argv[1:]]))
