"""Trial balance, neraca and ``kopdes verify`` over a koperasi with 1,000,000 entries.

Data (built once, cached as ``var/bench/ledger_v<VERSION>_<N>.sqlite3``): two koperasi in
one SQLite file, ``bench-buku-besar`` with N entries (default 1,000,000; ``--entries`` or
``BENCH_ENTRIES``) and ``bench-buku-kecil`` with min(N, 100,000), each entry 3 lines over
24 months. Building them through ``ledger.services.post`` would take hours, so the rows
are bulk inserted, CONSISTENT with what ``post`` stores (``services._post_new``): gap-free
numbers, ``prev_hash``/``hash`` computed with ``domain.ledger.chain_hash`` over the same
``PostedEntry`` view, lines with copied date/period, ``AccountBalance`` monthly rows equal
to the sums of the lines. The append-only and insert-guard triggers are dropped during the
load and recreated after it (as ``platform.core.testing.append_only_suspended`` does);
``kopdes verify`` passes on the result. The small koperasi's journal is exported with
``kopdes export-ledger --format hledger`` next to the database file.

``ledger_reports`` (median latency, ms; baseline measured in the same run):
  - ``groupby``     (baseline) raw ``sqlite3``: SUM(amount) GROUP BY account, side over the
                    big koperasi's lines, with a covering index (what a report costs when
                    balances are NOT kept incrementally)
  - ``trial``       ``ledger.selectors.trial_balance`` of the big koperasi
  - ``neraca``      ``ledger.reports.statement_of_position`` (big koperasi, last month)
  - ``trial_100k``  ``ledger.selectors.trial_balance`` of the 100k-entry koperasi
  - ``ledger_cli``  ``ledger -f FILE bal`` on the 100k-entry hledger export (wall time)
  - ``hledger_cli`` ``hledger -f FILE bal`` on the same file (wall time)
  Issue target: ``trial`` and ``neraca`` median under 50 ms.

``ledger_verify`` (seconds):
  - ``scan``   (baseline) raw ``sqlite3`` read of every entry and line of the big koperasi
               in ``number`` order (the I/O floor of any verification)
  - ``verify`` ``kopdes verify --koperasi bench-buku-besar`` as a subprocess
  Issue target: under 60 s for 1,000,000 entries.

    python -m bench ledger_reports ledger_verify
    python -m bench ledger_reports --entries 200000    # a smaller data set
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from bench.runner import ROOT, Benchmark, Metric, Options

VERSION = 1
CACHE = ROOT / "var" / "bench"
BIG = "bench-buku-besar"
SMALL = "bench-buku-kecil"
START = dt.date(2024, 11, 1)
DAYS = 730
CALLS = 30


def entries() -> int:
    return int(os.environ.get("BENCH_ENTRIES", "1000000"))


def small_entries() -> int:
    return min(entries(), 100_000)


def cache_path() -> Path:
    return CACHE / f"ledger_v{VERSION}_{entries()}.sqlite3"


def journal_path(path: Path) -> Path:
    return path.with_suffix(".journal")


def env_for(path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "KOPDES_TESTING", "KOPDES_ENV", "KOPDES_DEBUG"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{path}",
        KOPDES_VAR_DIR=str(path.parent / "var"),
        DJANGO_SETTINGS_MODULE="kopdes.config.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        KOPDES_LOG_LEVEL="WARNING",
        KOPDES_DEBUG="0",
        BENCH_ENTRIES=str(entries()),
    )
    return env


def ensure_built() -> Path:
    """Build the cached data set once; later runs reuse the file."""
    path = cache_path()
    if path.exists() and journal_path(path).exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    env = env_for(tmp)
    print(f"  building {path.name}: {entries()} + {small_entries()} entries ...", flush=True)
    started = time.perf_counter()
    steps = (
        ["-m", "kopdes", "migrate", "-v0"],
        ["-m", "bench.ledger_reports", "build"],
        ["-m", "kopdes", "export-ledger", "--format", "hledger", "--koperasi", SMALL,
         "--output", str(journal_path(path))],
    )  # fmt: skip
    for argv in steps:
        done = subprocess.run([sys.executable, *argv], env=env, cwd=ROOT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"building the ledger data set failed ({argv})")
    with sqlite3.connect(tmp) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


# --- building (inside Django: python -m bench.ledger_reports build) ---------------------


def _db(value):
    """A value as Django stores it in SQLite (UUIDs as 32 hex digits)."""
    return value.hex if isinstance(value, uuid.UUID) else value


def _books(slug: str, tag: int):
    from django.db import transaction

    from kopdes.ledger.models import Account
    from kopdes.ledger.services import setup_koperasi_books
    from kopdes.platform.core.testing import make_koperasi, make_user

    with transaction.atomic():
        koperasi = make_koperasi(
            slug,
            nik_koperasi=f"38{tag:013d}",
            badan_hukum_number=f"AHU-{tag:09d}.AH.01.29.TAHUN 2025",
        )
        setup_koperasi_books(koperasi)
        actor = make_user("bendahara", koperasi, username=f"bendahara.{slug}")
    accounts = list(
        Account.objects.filter(
            koperasi=koperasi, subledger_kind="", is_active=True, business_unit=""
        ).order_by("code")
    )
    return koperasi, actor, accounts


def _load(con: sqlite3.Connection, slug: str, count: int, tag: int) -> None:
    """Insert ``count`` chained entries of 3 lines and their monthly balances."""
    from kopdes.domain import ledger as rules
    from kopdes.platform.core.ids import uuid7

    koperasi, actor, accounts = _books(slug, tag)
    debit_side = [a for a in accounts if a.type in ("aset", "beban")]
    credit_side = [a for a in accounts if a.type in ("kewajiban", "ekuitas", "pendapatan")]
    rng = random.Random(f"bench-ledger-{VERSION}-{slug}")
    kop_s, kop_db = str(koperasi.pk), _db(koperasi.pk)
    posted_by = str(actor.pk)
    prev = rules.GENESIS_HASH
    balances: dict[tuple, list[int]] = {}
    entry_rows: list[tuple] = []
    line_rows: list[tuple] = []
    entry_sql = (
        "INSERT INTO ledger_journalentry (id, koperasi_id, number, date, period, memo, kind, "
        "source, source_ref, business_unit, idempotency_key, reverses_id, total_amount, "
        "line_count, posted_by_id, posted_at, prev_hash, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    line_sql = (
        "INSERT INTO ledger_journalline (id, koperasi_id, entry_id, line_no, account_id, side, "
        "amount, date, period, business_unit, subledger_kind, subledger_ref, memo) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )

    def flush() -> None:
        con.executemany(line_sql, line_rows)
        con.executemany(entry_sql, entry_rows)
        line_rows.clear()
        entry_rows.clear()

    for number in range(1, count + 1):
        day = START + dt.timedelta(days=(number - 1) * DAYS // count)
        period = day.year * 100 + day.month
        posted_at = dt.datetime(day.year, day.month, day.day, 8, tzinfo=dt.UTC) + dt.timedelta(
            seconds=number % 36000
        )
        debit = rng.choice(debit_side)
        c1, c2 = rng.sample(credit_side, 2)
        first = rng.randrange(1, 500) * 1_000_00
        second = rng.randrange(1, 100) * 1_000_00
        sides = ((debit, "D", first + second), (c1, "C", first), (c2, "C", second))
        entry_id = uuid7()
        key = f"bench:{number}"
        memo = f"Transaksi uji {number}"
        posted = rules.PostedEntry(
            id=str(entry_id), koperasi_id=kop_s, number=number, date=day, memo=memo,
            source="bench", source_ref="", business_unit="", idempotency_key=key,
            reverses_id="", kind="normal", posted_at=posted_at.isoformat(),
            posted_by=posted_by,
            lines=[
                rules.PostedLine(
                    line_no=n, account_id=str(acc.pk), side=side, amount=amount,
                    subledger_kind="", subledger_ref="", business_unit="", memo="",
                )
                for n, (acc, side, amount) in enumerate(sides, start=1)
            ],
        )  # fmt: skip
        digest = rules.chain_hash(prev, posted)
        iso_day = day.isoformat()
        entry_rows.append(
            (entry_id.hex, kop_db, number, iso_day, period, memo, "normal", "bench", "", "",
             key, None, first + second, 3, actor.pk,
             posted_at.replace(tzinfo=None).isoformat(sep=" "), prev, digest)
        )  # fmt: skip
        for n, (acc, side, amount) in enumerate(sides, start=1):
            line_rows.append(
                (uuid7().hex, kop_db, entry_id.hex, n, acc.pk.hex, side, amount, iso_day,
                 period, "", "", "", "")
            )  # fmt: skip
            d_c = balances.setdefault((acc.pk.hex, period), [0, 0])
            d_c[0 if side == "D" else 1] += amount
        prev = digest
        if len(entry_rows) == 20_000:
            flush()
        if number % 100_000 == 0:
            print(f"  {slug}: {number} entries", flush=True)
    flush()
    con.executemany(
        "INSERT INTO ledger_accountbalance (id, koperasi_id, account_id, business_unit, period, "
        "debit_total, credit_total) VALUES (?,?,?,?,?,?,?)",
        [
            (uuid7().hex, kop_db, acc, "", period, d, c)
            for (acc, period), (d, c) in sorted(balances.items())
        ],
    )


def build() -> None:
    import django

    django.setup()
    from django.db import connection

    path = Path(connection.settings_dict["NAME"])
    connection.close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")  # a cache file: rebuilt if a crash spoils it
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name IN "
        "('ledger_journalentry', 'ledger_journalline', 'ledger_accountbalance')"
    ).fetchall()
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    try:
        for tag, (slug, count) in enumerate(((BIG, entries()), (SMALL, small_entries())), 1):
            con.execute("BEGIN")
            _load(con, slug, count, tag)
            con.execute("COMMIT")
    finally:
        for _name, sql in triggers:
            con.execute(sql)
    # The raw GROUP BY baseline's covering index (a bench artefact, not the app's schema).
    con.execute(
        "CREATE INDEX IF NOT EXISTS bench_line_cover "
        "ON ledger_journalline (koperasi_id, account_id, side, amount)"
    )
    con.execute("ANALYZE")
    con.close()


# --- measuring ----------------------------------------------------------------------------


def _kid(con: sqlite3.Connection, slug: str) -> str:
    return con.execute("SELECT id FROM tenancy_koperasi WHERE slug = ?", [slug]).fetchone()[0]


def _timed(fn, calls: int, *, warm: bool = True) -> float:
    if warm:
        fn()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(variant: str, calls: int) -> dict[str, float]:
    path = cache_path()
    if variant == "groupby":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        kid = _kid(con, BIG)
        sql = (
            "SELECT account_id, side, SUM(amount) FROM ledger_journalline "
            "WHERE koperasi_id = ? GROUP BY account_id, side"
        )
        return {"median_ms": _timed(lambda: con.execute(sql, [kid]).fetchall(), calls)}
    if variant in {"ledger_cli", "hledger_cli"}:
        exe = "/usr/bin/ledger" if variant == "ledger_cli" else "/usr/bin/hledger"
        argv = [exe, "-f", str(journal_path(path)), "bal"]
        run = lambda: subprocess.run(argv, capture_output=True, check=True)  # noqa: E731
        return {"median_ms": _timed(run, calls, warm=False)}
    import django

    django.setup()
    from kopdes.ledger import reports, selectors
    from kopdes.platform.tenancy.models import Koperasi

    koperasi = Koperasi.objects.get(slug=SMALL if variant == "trial_100k" else BIG)
    if variant == "neraca":
        last = START + dt.timedelta(days=DAYS - 1)
        period = last.year * 100 + last.month
        fn = lambda: reports.statement_of_position(koperasi, period)  # noqa: E731
    else:
        fn = lambda: selectors.trial_balance(koperasi)  # noqa: E731
    return {"median_ms": _timed(fn, calls)}


def measure_scan() -> dict[str, float]:
    con = sqlite3.connect(f"file:{cache_path()}?mode=ro", uri=True)
    kid = _kid(con, BIG)
    started = time.perf_counter()
    rows = 0
    for _row in con.execute(
        "SELECT * FROM ledger_journalentry WHERE koperasi_id = ? ORDER BY number", [kid]
    ):
        rows += 1
    for _row in con.execute(
        "SELECT * FROM ledger_journalline WHERE koperasi_id = ? ORDER BY entry_id, line_no",
        [kid],
    ):
        rows += 1
    return {"seconds": time.perf_counter() - started}


def _subprocess(env, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.ledger_reports", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def reports_session(options: Options):
    env = env_for(ensure_built())

    def run(variant: str):
        def fn(o: Options) -> dict[str, float]:
            if variant in {"ledger_cli", "hledger_cli"}:
                if o is not options:  # the runner's warm-up: the CLIs take seconds each
                    return {"median_ms": 0.0}
                return _subprocess(env, "measure", variant, "1")
            slow = variant == "groupby"
            calls = 3 if slow else max(10, int(CALLS * min(o.duration, 10) / 10))
            return _subprocess(env, "measure", variant, str(calls))

        return fn

    names = ("groupby", "trial", "neraca", "trial_100k", "ledger_cli", "hledger_cli")
    yield {name: run(name) for name in names}


@contextmanager
def verify_session(options: Options):
    path = ensure_built()
    env = env_for(path)

    def scan(o: Options) -> dict[str, float]:
        return _subprocess(env, "scan")

    def verify(o: Options) -> dict[str, float]:
        if o is not options:  # the runner's warm-up call: not worth another full pass
            return {"seconds": 0.0}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "kopdes", "verify", "--koperasi", BIG],
            env=env, cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"kopdes verify failed:\n{done.stdout}\n{done.stderr[-3000:]}")
        return {"seconds": took}

    yield {"scan": scan, "verify": verify}


BENCHMARK = Benchmark(
    name="ledger_reports",
    description="trial balance and neraca over 1,000,000 entries; ledger/hledger on 100,000 "
    "(SQLite)",
    metrics=[Metric("median_ms", "median latency", "ms", higher_is_better=False)],
    baseline="groupby",
    session=reports_session,
)
BENCHMARK_VERIFY = Benchmark(
    name="ledger_verify",
    description="kopdes verify over the 1,000,000-entry koperasi (SQLite)",
    metrics=[Metric("seconds", "wall time", "s", higher_is_better=False)],
    baseline="scan",
    session=verify_session,
)

if __name__ == "__main__":
    if sys.argv[1:] == ["build"]:
        build()
    elif sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    elif sys.argv[1:] == ["scan"]:
        print(json.dumps(measure_scan()))
    else:
        print(ensure_built())
