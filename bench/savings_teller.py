"""Teller deposits over HTTP at 10 concurrent clients (issue target: p95 < 100 ms).

Setup like ``bench/dashboard.py``: the demo data, production settings, gunicorn with 2
sync workers on loopback, and a session for the demo kasir that has passed TOTP. A
separate process (``python -m bench.savings_teller load``) then sends, with 10 concurrent
clients, back-to-back deposits of Rp10.000 to the demo's sukarela accounts, each with its
own idempotency key:

- ``healthz`` (baseline) ``GET /healthz``: the stack down to one ``SELECT 1``
- ``page``    the teller page's final POST (``step=post``; session, CSRF token, form
  validation against the member's accounts, ``savings.services.deposit``: ledger lock,
  balance, journal entry with hash chain and balances, passbook row, audit event), 302
  to the receipt expected
- ``api``     the same deposit through ``POST /api/k/<slug>/savings/accounts/<id>/deposits``
  with an API token (201 expected)

Two benchmarks: ``savings_teller`` on SQLite, ``savings_teller_pg`` on PostgreSQL
(``KOPDES_BENCH_PG_URL``, default ``postgresql://kopdes:kopdes@127.0.0.1:5432/
kopdes_bench_savings``; the database is dropped and rebuilt with the demo data).

    python -m bench savings_teller savings_teller_pg
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from bench import dashboard
from bench.runner import ROOT, Benchmark, Metric, Options

SLUG = "sukamaju"
WORKERS = dashboard.WORKERS
PG_URL = os.environ.get(
    "KOPDES_BENCH_PG_URL", "postgresql://kopdes:kopdes@127.0.0.1:5432/kopdes_bench_savings"
)


def _recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def _session(
    options: Options,
    database_url: str = "",
    spread: int = 0,
    *,
    module: str = "bench.savings_teller",
    modes: tuple[str, ...] = ("page", "api"),
    clients: int | None = None,
):
    """Demo data, production settings, gunicorn; yields ``healthz`` and one variant per
    mode of ``module`` (its ``prepare`` prints the spec, its ``load MODE ...`` the figures).
    ``clients`` fixes the concurrency (else ``--clients``). Also used by ``store_pos``."""
    var_dir = Path(tempfile.mkdtemp(prefix="kopdes-bench-teller-"))
    server = None
    try:
        dev_env = dashboard._base_env(var_dir)
        if database_url:
            _recreate_pg(database_url)
            dev_env["DATABASE_URL"] = database_url
        print(f"  preparing {var_dir}: migrate, demo data, session ...", flush=True)
        dashboard._run([sys.executable, "-m", "kopdes", "demo", "--no-serve"], dev_env)
        argv = [sys.executable, "-m", module, "prepare"]
        if spread:
            print(f"  {spread} koperasi: adding {spread - 2} to the demo's two ...", flush=True)
            argv += ["--spread", str(spread)]
        prepared = json.loads(dashboard._run(argv, dev_env))
        prod_env = {**dashboard._production_env(var_dir)}
        if database_url:
            prod_env["DATABASE_URL"] = database_url
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
                env=prod_env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
            )  # fmt: skip
        dashboard._wait_until_up(base + "/healthz", server, log)
        print(f"  gunicorn ({WORKERS} workers) on {base}; "
              f"{len(prepared.get('tellers', [SLUG]))} koperasi", flush=True)  # fmt: skip
        spec = json.dumps(prepared)

        def healthz(o: Options) -> dict[str, float]:
            o = Options(o.runs, o.duration, clients or o.clients, o.warmup)
            return dashboard._load(base + "/healthz", o, expect="ok")

        def load(mode: str):
            def measure(o: Options) -> dict[str, float]:
                argv = [
                    sys.executable, "-m", module, "load", mode, base, spec,
                    str(o.duration), str(clients or o.clients),
                ]  # fmt: skip
                figures = json.loads(dashboard._run(argv, {**dev_env}))
                if figures["errors"]:
                    raise RuntimeError(f"{figures['errors']} failed: {figures['error_samples']}")
                return figures

            return measure

        yield {"healthz": healthz, **{mode: load(mode) for mode in modes}}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(var_dir, ignore_errors=True)


@contextmanager
def session(options: Options):
    yield from _session(options)


@contextmanager
def session_pg(options: Options):
    yield from _session(options, PG_URL)


SPREAD = 10  # koperasi of the spread variant: the central server's load


@contextmanager
def session_pg_spread(options: Options):
    yield from _session(options, PG_URL, spread=SPREAD)


def prepare(spread: int = 0) -> None:
    """Print, per koperasi, its kasir's session cookie, an API token and (member, account)
    pairs: the demo's ``sukamaju`` alone, or (``spread``) that many koperasi, the demo's
    two and more made alike (koperasi, officers, the members and savings demo data)."""
    import django

    django.setup()
    from django.conf import settings

    slugs = [SLUG] if not spread else _add_koperasi(spread)
    print(
        json.dumps(
            {
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "tellers": [_teller(slug) for slug in slugs],
            }
        )
    )


def _teller(slug: str) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kopdes.platform.identity.api import hash_token
    from kopdes.platform.identity.models import ApiToken, User
    from kopdes.savings.models import SavingsAccount

    user = User.objects.get(username=f"kasir.{slug}")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["otp_device_id"] = device.persistent_id
    store.create()
    raw = secrets.token_urlsafe(24)
    ApiToken.objects.create(user=user, name="bench", token_hash=hash_token(raw))
    accounts = [
        [str(m), str(a)]
        for a, m in SavingsAccount.objects.filter(
            koperasi__slug=slug, kind="sukarela", status="open"
        ).values_list("pk", "member_id")[:200]
    ]
    return {
        "slug": slug,
        "session": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
        "token": raw,
        "accounts": accounts,
    }


MEMBERS_PER_KOPERASI = 10  # of each added koperasi: pokok paid, a sukarela account


def _add_koperasi(count: int) -> list[str]:
    """The demo's koperasi and ``count`` minus their number more, each with its officers
    and ``MEMBERS_PER_KOPERASI`` members (the members demo extension) who paid their
    pokok and opened a sukarela account today (no savings history, loans or sales)."""
    import random
    from dataclasses import replace

    from django.db import transaction
    from django.utils import timezone

    from kopdes.demo.build import ROLE_ORDER, _ensure_koperasi, _ensure_officer, officer_names
    from kopdes.demo.data import KOPERASI, SUKAMAJU
    from kopdes.members import demo as members_demo
    from kopdes.members.models import Member
    from kopdes.platform.identity.models import User
    from kopdes.savings import services as savings
    from kopdes.savings.choices import SavingsKind

    slugs = [spec.slug for spec in KOPERASI]
    today = timezone.localdate()
    for n in range(2, count - len(slugs) + 2):
        spec = replace(
            SUKAMAJU,
            slug=f"{SUKAMAJU.slug}{n}",
            name=f"{SUKAMAJU.name} {n}",
            nik_koperasi=str(int(SUKAMAJU.nik_koperasi) + n),
            badan_hukum_number=SUKAMAJU.badan_hukum_number.replace("0004217", f"{4217 + n:07d}"),
        )
        with transaction.atomic():
            koperasi, _created = _ensure_koperasi(spec)
            names = officer_names(2026, spec)
            for role in ROLE_ORDER:
                _ensure_officer(koperasi, role, names[role])
            members_demo.COUNTS[spec.slug] = MEMBERS_PER_KOPERASI
            members_demo.add_members(koperasi, random.Random(f"bench:{spec.slug}"))
            kasir = User.objects.get(username=f"kasir.{spec.slug}")
            for member in Member.objects.filter(koperasi=koperasi):
                savings.pay_principal(
                    member, actor=kasir, date=today, idempotency_key=f"bench-pokok-{member.pk}"
                )
                member.refresh_from_db()
                savings.open_account(member, actor=kasir, kind=SavingsKind.VOLUNTARY, date=today)
        slugs.append(spec.slug)
    return slugs


def load(mode: str, base: str, spec: dict, duration: float, clients: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client(index: int) -> None:
        # Client i works for koperasi i mod K (one koperasi: all at the same counter).
        teller = spec["tellers"][index % len(spec["tellers"])]
        slug, accounts = teller["slug"], teller["accounts"]
        csrf = secrets.token_hex(16)  # 32 characters: Django compares it with the cookie
        cookie = f"{teller['session']}; {spec['csrf_cookie']}={csrf}"
        mine_lat: list[float] = []
        mine_err: list[str] = []
        n = index // len(spec["tellers"])
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.perf_counter() < deadline:
            member, account = accounts[n % len(accounts)]
            n += max(1, clients // len(spec["tellers"]))
            if mode == "page":
                path = f"/k/{slug}/simpanan/anggota/{member}/setor/"
                body = urlencode(
                    {"csrfmiddlewaretoken": csrf, "account": account, "amount": "10.000",
                     "memo": "", "idempotency_key": uuid.uuid4().hex, "step": "post"}
                ).encode()  # fmt: skip
                headers = {
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                want = 302
            else:
                path = f"/api/k/{slug}/savings/accounts/{account}/deposits"
                body = json.dumps({"amount": 10_000_00}).encode()
                headers = {
                    "Authorization": f"Bearer {teller['token']}",
                    "Idempotency-Key": f"bench-{uuid.uuid4()}",
                    "Content-Type": "application/json",
                }
                want = 201
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                content = response.read()
            except OSError as exc:
                mine_err.append(f"{type(exc).__name__}: {exc}")
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            elapsed = time.perf_counter() - started
            location = response.getheader("Location", "")
            if response.status != want or (mode == "page" and "/bukti/" not in location):
                mine_err.append(f"HTTP {response.status} {location}: {content[:200]!r}")
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


METRICS = [
    Metric("rps", "throughput", "req/s", higher_is_better=True),
    Metric("p95_ms", "p95 latency", "ms", higher_is_better=False),
]
BENCHMARK = Benchmark(
    name="savings_teller",
    description="teller deposit POSTs, page and API (gunicorn, 2 workers, SQLite, production)",
    metrics=METRICS,
    baseline="healthz",
    session=session,
    concurrent=True,
)
BENCHMARK_PG = Benchmark(
    name="savings_teller_pg",
    description="teller deposit POSTs, page and API (gunicorn, 2 workers, PostgreSQL)",
    metrics=METRICS,
    baseline="healthz",
    session=session_pg,
    concurrent=True,
)
BENCHMARK_PG_SPREAD = Benchmark(
    name="savings_teller_pg_spread",
    description=f"the same with the clients spread over {SPREAD} koperasi (PostgreSQL)",
    metrics=METRICS,
    baseline="healthz",
    session=session_pg_spread,
    concurrent=True,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(int(sys.argv[3]) if sys.argv[2:3] == ["--spread"] else 0)
    elif sys.argv[1:2] == ["load"]:
        mode, base, spec, duration, clients = sys.argv[2:7]
        print(json.dumps(load(mode, base, json.loads(spec), float(duration), int(clients))))
    else:
        from bench.__main__ import main

        sys.exit(main(["savings_teller", *sys.argv[1:]]))
