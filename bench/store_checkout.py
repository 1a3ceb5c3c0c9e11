"""Checkout of a 10-line sale through ``store.services.checkout`` beside posting the same
journal entry alone with ``ledger.services.post`` (issue 15 benchmark).

Variants, each measured in its own process on a database migrated once per session:

- ``entry``    (baseline) ``ledger.services.post`` of the entry a 10-line cash sale posts
               (Kas debit, revenue credit, HPP debit, 10 Persediaan credits: 13 lines),
               one per transaction, a new key each
- ``checkout`` ``store.services.checkout`` of that sale (10 stocked items, quantity 1 each,
               cash with change): prices, stock issue at moving average, the entry, sale,
               lines, payment, 10 movements, 10 positions and the audit event

Metric: sales/s (entries/s for the baseline). Target: ``checkout`` >= 0.5x ``entry`` on
SQLite (``store_checkout``) and PostgreSQL (``store_checkout_pg``, ``BENCH_PG``; scratch
database ``kopdes_bench_store_checkout`` created, migrated, dropped).

    python -m bench store_checkout store_checkout_pg
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager

from bench.ledger_posting import run_measure, scratch_database
from bench.runner import Benchmark, Metric, Options

PG_NAME = "kopdes_bench_store_checkout"
LINES = 10


def _variant(env: dict[str, str], name: str):
    def measure(o: Options) -> dict[str, float]:
        return run_measure(env, "measure", name, str(o.duration), module="bench.store_checkout")

    return measure


@contextmanager
def sqlite_session(options: Options, engine: str = "sqlite"):
    with scratch_database(engine, PG_NAME, "kopdes-bench-store-") as env:
        yield {"entry": _variant(env, "entry"), "checkout": _variant(env, "checkout")}


@contextmanager
def pg_session(options: Options):
    with sqlite_session(options, "pg") as variants:
        yield variants


# --- inside the measuring process -------------------------------------------------------


def _store():
    """A fresh koperasi with the gerai sembako, 10 items stocked deep, a kasir, and the
    lines of one sale of each item."""
    from django.utils import timezone

    from kopdes.ledger.services import setup_koperasi_books
    from kopdes.platform.core.testing import make_koperasi, make_user
    from kopdes.store import services

    tag = time.time_ns() % 10**9
    koperasi = make_koperasi(
        f"bench-toko-{tag}", nik_koperasi=f"38{tag:013d}", badan_hukum_number=f"AHU-B{tag}"
    )
    setup_koperasi_books(koperasi)
    manajer = make_user("manajer", koperasi, username=f"manajer.{koperasi.slug}")
    kasir = make_user("kasir", koperasi, username=f"kasir.{koperasi.slug}")
    services.enable_business_unit(koperasi, actor=manajer, kind="sembako", at=timezone.now())
    items = []
    for i in range(LINES):
        item = services.create_item(
            koperasi,
            actor=manajer,
            data={
                "name": f"Barang {i}",
                "barcode": "",
                "category": "Sembako",
                "business_unit": "sembako",
                "base_unit": "pcs",
                "member_price": 10_000_00 + i * 100,
                "public_price": 11_000_00 + i * 100,
                "min_stock": 0,
            },
        )
        services.receive_stock(
            koperasi, actor=manajer, item=item, quantity=10**8, cost=10**8 * 8_000_00,
            idempotency_key=f"stock-{i}",
        )  # fmt: skip
        items.append(item)
    lines = [{"item": item, "quantity": 1} for item in items]
    return koperasi, kasir, lines


def measure(variant: str, duration: float) -> dict[str, float]:
    import django

    django.setup()
    from kopdes.domain.sale import Payment
    from kopdes.ledger import selectors
    from kopdes.ledger import services as ledger
    from kopdes.store import services

    koperasi, kasir, lines = _store()
    pay = [Payment("cash", 200_000_00)]
    first = services.checkout(koperasi, actor=kasir, lines=lines, payments=pay,
                              idempotency_key="warm")  # fmt: skip
    drafts = selectors.entry_drafts(first.entry)
    n = 0
    started = time.perf_counter()
    while time.perf_counter() - started < duration or n == 0:
        n += 1
        if variant == "checkout":
            services.checkout(koperasi, actor=kasir, lines=lines, payments=pay,
                              idempotency_key=f"sale-{n}")  # fmt: skip
        else:
            ledger.post(
                koperasi, actor=kasir, date=first.date, memo=first.entry.memo, lines=drafts,
                idempotency_key=f"entry-{n}", source="store.sale", business_unit="sembako",
            )  # fmt: skip
    took = time.perf_counter() - started
    return {"per_s": n / took, "n": n}


METRICS = [Metric("per_s", "sales/s (entries/s)", "1/s", higher_is_better=True)]

BENCHMARK = Benchmark(
    name="store_checkout",
    description=f"store checkout of a {LINES}-line sale vs posting its entry alone (SQLite)",
    metrics=METRICS,
    baseline="entry",
    session=sqlite_session,
)
BENCHMARK_PG = Benchmark(
    name="store_checkout_pg",
    description=f"store checkout of a {LINES}-line sale vs posting its entry alone (PostgreSQL)",
    metrics=METRICS,
    baseline="entry",
    session=pg_session,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2], float(sys.argv[3]))))
    else:
        from bench.__main__ import main

        sys.exit(main(["store_checkout", "store_checkout_pg", *sys.argv[1:]]))
