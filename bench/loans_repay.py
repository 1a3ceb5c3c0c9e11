"""Loan repayments over HTTP at 10 concurrent clients (issue target: p95 < 100 ms).

Setup like ``bench/dashboard.py``: a temporary SQLite database with the demo data,
production settings, gunicorn with 2 sync workers on loopback, and an API token for the
demo kasir. A separate process (``python -m bench.loans_repay load``) then sends, with 10
concurrent clients, back-to-back ``POST /api/k/sukamaju/loans/<id>/repayments`` of
Rp1.000 each, every one with its own ``Idempotency-Key``, spread over the demo's active
loans. Every request is a real repayment: lock, dues (denda, jasa, pokok), allocation,
journal entry with hash chain and balances, installment rows, audit event. Variants:

- ``healthz`` (baseline) ``GET /healthz``: the stack down to one ``SELECT 1``
- ``repay``   the repayment POST (201 expected; anything else counts as an error)

    python -m bench loans_repay
    BENCH_PG=postgresql://kopdes:kopdes@127.0.0.1:5432/postgres python -m bench loans_repay
        (the same on PostgreSQL: a fresh database is created next to the given one and
        dropped at the end)
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date

from bench import dashboard
from bench.runner import ROOT, Benchmark, Metric, Options

SLUG = "sukamaju"
KASIR = "kasir.sukamaju"
WORKERS = dashboard.WORKERS


@contextmanager
def session(options: Options):
    import shutil
    import tempfile
    from pathlib import Path

    var_dir = Path(tempfile.mkdtemp(prefix="kopdes-bench-repay-"))
    server = None
    pg_name = ""
    try:
        dev_env = dashboard._base_env(var_dir)
        extra: dict[str, str] = {}
        if os.environ.get("BENCH_PG"):
            pg_name = f"kopdes_bench_{uuid.uuid4().hex[:8]}"
            _pg_admin(os.environ["BENCH_PG"], f"CREATE DATABASE {pg_name}")
            extra["DATABASE_URL"] = os.environ["BENCH_PG"].rsplit("/", 1)[0] + "/" + pg_name
            print(f"  PostgreSQL database {pg_name}", flush=True)
        dev_env.update(extra)
        print(f"  preparing {var_dir}: migrate, demo data, token ...", flush=True)
        dashboard._run([sys.executable, "-m", "kopdes", "demo", "--no-serve"], dev_env)
        prepared = json.loads(
            dashboard._run([sys.executable, "-m", "bench.loans_repay", "prepare"], dev_env)
        )
        prod_env = {**dashboard._production_env(var_dir), **extra}
        dashboard._run(
            [sys.executable, "-m", "kopdes", "collectstatic", "--noinput", "-v0"], prod_env
        )
        port = dashboard._free_port()
        base = f"http://127.0.0.1:{port}"
        from kopdes.platform.web.management.commands.serve import gunicorn_argv

        log = var_dir / "gunicorn.log"
        with log.open("w") as handle:
            server = subprocess.Popen(
                gunicorn_argv("127.0.0.1", port, WORKERS, access_log=False),
                env=prod_env,
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        dashboard._wait_until_up(base + "/healthz", server, log)
        print(
            f"  gunicorn ({WORKERS} workers) on {base}; {len(prepared['loans'])} active loans",
            flush=True,
        )

        def healthz(o: Options) -> dict[str, float]:
            return dashboard._load(base + "/healthz", o, expect="ok")

        def repay(o: Options) -> dict[str, float]:
            argv = [
                sys.executable, "-m", "bench.loans_repay", "load", base,
                "--token", prepared["token"], "--loans", ",".join(prepared["loans"]),
                "--duration", str(o.duration), "--clients", str(o.clients),
            ]  # fmt: skip
            figures = json.loads(dashboard._run(argv, {**dev_env}))
            if figures["errors"]:
                raise RuntimeError(f"{figures['errors']} failed: {figures['error_samples']}")
            return figures

        yield {"healthz": healthz, "repay": repay}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(var_dir, ignore_errors=True)
        if pg_name:
            _pg_admin(os.environ["BENCH_PG"], f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def prepare() -> None:
    """Print an API token for the demo kasir and the ids of the active demo loans."""
    import secrets

    import django

    django.setup()
    from kopdes.loans.models import Loan
    from kopdes.platform.identity.api import hash_token
    from kopdes.platform.identity.models import ApiToken, User

    user = User.objects.get(username=KASIR)
    raw = secrets.token_urlsafe(24)
    ApiToken.objects.create(user=user, name="bench", token_hash=hash_token(raw))
    loans = [
        str(pk)
        for pk in Loan.objects.filter(koperasi__slug=SLUG, status="active").values_list(
            "pk", flat=True
        )
    ]
    if not loans:
        raise SystemExit("the demo has no active loans")
    print(json.dumps({"token": raw, "loans": loans}))


def load(base: str, token: str, loans: list[str], duration: float, clients: int) -> dict:
    """``clients`` threads POST repayments back to back for ``duration`` seconds."""
    host, port = base.removeprefix("http://").split(":")
    today = date.today().isoformat()
    body = json.dumps({"amount": 1_000_00, "date": today}).encode()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client(index: int) -> None:
        mine_lat: list[float] = []
        mine_err: list[str] = []
        n = index
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.perf_counter() < deadline:
            loan = loans[n % len(loans)]
            n += clients
            headers = {
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": f"bench-{uuid.uuid4()}",
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            try:
                conn.request("POST", f"/api/k/{SLUG}/loans/{loan}/repayments", body, headers)
                response = conn.getresponse()
                content = response.read()
            except OSError as exc:
                mine_err.append(f"{type(exc).__name__}: {exc}")
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            elapsed = time.perf_counter() - started
            if response.status != 201:
                mine_err.append(f"HTTP {response.status}: {content[:120]!r}")
                continue
            mine_lat.append(elapsed)
        with lock:
            latencies.extend(mine_lat)
            errors.extend(mine_err)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) >= 2 else ms * 99
    return {
        "requests": len(ms),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "rps": len(ms) / elapsed if elapsed else 0.0,
        "p50_ms": cuts[49] if cuts else 0.0,
        "p95_ms": cuts[94] if cuts else 0.0,
        "p99_ms": cuts[98] if cuts else 0.0,
    }


BENCHMARK = Benchmark(
    name="loans_repay",
    description=(
        "loan repayment POSTs over the API (gunicorn, 2 workers, production settings, "
        + ("PostgreSQL" if os.environ.get("BENCH_PG") else "SQLite")
        + ")"
    ),
    metrics=[
        Metric("rps", "throughput", "req/s", higher_is_better=True),
        Metric("p95_ms", "p95 latency", "ms", higher_is_better=False),
    ],
    baseline="healthz",
    session=session,
    concurrent=True,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare()
    elif sys.argv[1:2] == ["load"]:
        import argparse

        parser = argparse.ArgumentParser(prog="python -m bench.loans_repay load")
        parser.add_argument("base")
        parser.add_argument("--token")
        parser.add_argument("--loans")
        parser.add_argument("--duration", type=float, default=10.0)
        parser.add_argument("--clients", type=int, default=10)
        a = parser.parse_args(sys.argv[2:])
        print(json.dumps(load(a.base, a.token, a.loans.split(","), a.duration, a.clients)))
    else:
        from bench.__main__ import main

        sys.exit(main(["loans_repay", *sys.argv[1:]]))
