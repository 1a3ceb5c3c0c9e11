"""The point of sale over HTTP: 5 tills of one koperasi ringing up sales at once.

The savings teller's runner (``bench.savings_teller._session``: the demo data, production
settings, gunicorn with 2 sync workers on loopback, a separate load process) with this
module's ``prepare`` and ``load``. ``prepare`` gives the demo's Sukamaju 5 kasir (the demo's
``kasir.sukamaju`` and four more made through ``identity.services.create_officer``, each
with a confirmed authenticator and a session past TOTP), opens each one's cash shift at
her own till (the POS pages sell only within an open shift) and stocks 10 everyday items
deep through ``receive_stock``. ``load`` then runs 5 clients, one per kasir, each ringing
up sales back to back through the POS pages exactly as the browser does (there is no
checkout API): three scans (``POST /k/sukamaju/toko/kasir/`` with the EAN, 302 back to the
page) and the confirmation (``POST .../kasir/bayar/`` with ``action=confirm`` and the cash,
302 to the receipt: ``services.checkout`` under the koperasi's ledger lock).

- ``healthz`` (baseline) ``GET /healthz`` at the same 5 clients
- ``pos``     the POS requests: every scan and confirmation counted as a request
  (throughput, p95); ``sales/s`` is the completed sales (the healthz row shows its
  requests/s there, so the ratio is sales per second against bare requests per second);
  ``confirm p95`` the confirmations alone

    python -m bench store_pos
"""

from __future__ import annotations

import http.client
import json
import secrets
import statistics
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlencode

from bench.runner import Benchmark, Metric, Options
from bench.savings_teller import _session

SLUG = "sukamaju"
TILLS = 5
ITEMS = 10
LINES = 3


@contextmanager
def session(options: Options):
    yield from _session(options, module="bench.store_pos", modes=("pos",), clients=TILLS)


def prepare() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kopdes.demo.build import DEMO_PASSWORD, _confirm_totp
    from kopdes.platform.identity import services as identity
    from kopdes.platform.identity.models import User
    from kopdes.platform.tenancy.models import Koperasi
    from kopdes.store import services
    from kopdes.store.demo import SEMBAKO
    from kopdes.store.models import Item

    koperasi = Koperasi.objects.get(slug=SLUG)
    manajer = User.objects.get(username=f"manajer.{SLUG}")
    kasir = [User.objects.get(username=f"kasir.{SLUG}")]
    for n in range(2, TILLS + 1):
        user = User.objects.filter(username=f"kasir{n}.{SLUG}").first()
        if user is None:
            user = identity.create_officer(
                koperasi, actor=None, username=f"kasir{n}.{SLUG}", full_name=f"Kasir Uji {n}",
                role="kasir", password=DEMO_PASSWORD,
            )  # fmt: skip
        _confirm_totp(user)
        kasir.append(user)
    sessions = []
    for n, user in enumerate(kasir, start=1):
        if services.open_shift_of(koperasi, user) is None:
            services.open_shift(
                koperasi, actor=user, till=f"Kasir bench {n}", opening_float=100_000_00
            )
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        store = SessionStore()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["otp_device_id"] = device.persistent_id
        store.create()
        sessions.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    # The demo's own sembako goods (not the UMKM's consigned ones), sold per piece.
    names = [row[0] for row in SEMBAKO if row[2] == "pcs"]
    items = list(Item.objects.filter(koperasi=koperasi, name__in=names).order_by("name")[:ITEMS])
    for item in items:
        quantity = 1_000_000
        services.receive_stock(
            koperasi, actor=manajer, item=item, quantity=quantity,
            cost=quantity * (item.member_price * 9 // 10), idempotency_key=f"bench-pos-{item.pk}",
        )  # fmt: skip
    print(
        json.dumps(
            {
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "sessions": sessions,
                "codes": [item.barcode for item in items],
            }
        )
    )


def load(mode: str, base: str, spec: dict, duration: float, clients: int) -> dict:
    del mode  # one mode: the POS pages
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    confirms: list[float] = []
    errors: list[str] = []
    sales = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    codes = spec["codes"]

    def client(index: int) -> None:
        csrf = secrets.token_hex(16)
        cookie = f"{spec['sessions'][index % len(spec['sessions'])]}; {spec['csrf_cookie']}={csrf}"
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        mine_lat: list[float] = []
        mine_conf: list[float] = []
        mine_err: list[str] = []
        done = 0
        n = index
        conn = http.client.HTTPConnection(host, int(port), timeout=60)

        def post(path: str, form: dict, want: str) -> float | None:
            nonlocal conn
            body = urlencode({"csrfmiddlewaretoken": csrf, **form}).encode()
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                content = response.read()
            except OSError as exc:
                mine_err.append(f"{type(exc).__name__}: {exc}")
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                return None
            elapsed = time.perf_counter() - started
            location = response.getheader("Location", "")
            if response.status != 302 or want not in location:
                mine_err.append(f"{path} HTTP {response.status} {location}: {content[:200]!r}")
                return None
            mine_lat.append(elapsed)
            return elapsed

        while time.perf_counter() < deadline:
            ok = True
            for _line in range(LINES):
                n += 1
                code = codes[n % len(codes)]
                ok = post(f"/k/{SLUG}/toko/kasir/", {"action": "add", "code": code}, "/kasir/")
                if ok is None:
                    break
            if ok is None:
                continue
            took = post(
                f"/k/{SLUG}/toko/kasir/bayar/",
                {"action": "confirm", "cash": "1.000.000"},
                "/kasir/struk/",
            )
            if took is not None:
                mine_conf.append(took)
                done += 1
        with lock:
            latencies.extend(mine_lat)
            confirms.extend(mine_conf)
            errors.extend(mine_err)
            sales[0] += done

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    def p95(values: list[float]) -> float:
        ms = sorted(x * 1000 for x in values)
        if len(ms) < 2:
            return ms[0] if ms else 0.0
        return statistics.quantiles(ms, n=100, method="inclusive")[94]

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p95_ms": p95(latencies),
        "sales_per_s": sales[0] / elapsed if elapsed else 0.0,
        "confirm_p95_ms": p95(confirms),
    }


def _with_sale_keys(measure):
    """The baseline has no sales: its requests/s and p95 stand under the sale keys."""

    def wrapped(o: Options) -> dict[str, float]:
        figures = measure(o)
        figures.setdefault("sales_per_s", figures["rps"])
        figures.setdefault("confirm_p95_ms", figures["p95_ms"])
        return figures

    return wrapped


@contextmanager
def _session_with_keys(options: Options):
    with session(options) as variants:
        yield {name: _with_sale_keys(fn) for name, fn in variants.items()}


METRICS = [
    Metric("rps", "POS requests/s", "req/s", higher_is_better=True),
    Metric("p95_ms", "p95 latency", "ms", higher_is_better=False),
    Metric("sales_per_s", "sales/s", "1/s", higher_is_better=True),
    Metric("confirm_p95_ms", "confirm p95", "ms", higher_is_better=False),
]
BENCHMARK = Benchmark(
    name="store_pos",
    description=f"POS pages over HTTP, {TILLS} tills of one koperasi, {LINES}-item sales "
    "(gunicorn, 2 workers, SQLite, production)",
    metrics=METRICS,
    baseline="healthz",
    session=_session_with_keys,
    # Not ``concurrent``: the report's header would print ``--clients``; the load is always
    # ``TILLS`` clients (in the description).
    concurrent=False,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare()
    elif sys.argv[1:2] == ["load"]:
        mode, base, spec, duration, clients = sys.argv[2:7]
        print(json.dumps(load(mode, base, json.loads(spec), float(duration), int(clients))))
    else:
        from bench.__main__ import main

        sys.exit(main(["store_pos", *sys.argv[1:]]))
