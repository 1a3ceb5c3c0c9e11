"""Stock valuation of 5,000 items after 1,000,000 stock movements (issue 15: under 1 s).

Data: one koperasi with the gerai sembako, 5,000 items and 200 movements each (receipts
and sales over a year, the moving average kept by ``domain.inventory``), written with
``bulk_create`` (not through ``checkout``: a million checkouts would take hours). The
derived rows agree with the movements: each item's ``StockPosition`` is the position after
its last movement, and the unit's Persediaan account has its monthly ``AccountBalance``
rows (receipts debited, issues credited), so the valuation reconciles. The journal lines
behind those balances are not generated; nothing measured reads them. Cached as
``var/bench/store_valuation_v<VERSION>_<ITEMS>.sqlite3`` (bump ``VERSION`` when the schema
or the generator changes). A separate process opens it through Django and times:

- ``sum``       (baseline) one ``Sum`` of the unit's position values: the least a
                valuation total can cost
- ``valuation`` ``store.valuation.valuation(unit)``: every item with stock (quantity,
                moving average, value, by name) and the Persediaan balance, as the stock
                valuation page, XLSX and PDF get it

    python -m bench store_valuation
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench import savings_data
from bench.runner import ROOT, Benchmark, Metric, Options

VERSION = 1
ITEMS = int(os.environ.get("KOPDES_BENCH_STORE_ITEMS", "5000"))
PER_ITEM = int(os.environ.get("KOPDES_BENCH_STORE_MOVES", "200"))
START = dt.date(2025, 12, 1)
DAYS = 365
SLUG = "bench-toko-nilai"
CALLS = 20


def cache_path() -> Path:
    return savings_data.CACHE / f"store_valuation_v{VERSION}_{ITEMS}x{PER_ITEM}.sqlite3"


def ensure_built() -> Path:
    """Build the cached data set once (a few minutes); later runs reuse the file."""
    path = cache_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    env = savings_data.env_for(tmp)
    print(f"  building {path.name}: {ITEMS} items x {PER_ITEM} movements ...", flush=True)
    for argv in (["-m", "kopdes", "migrate", "-v0"], ["-m", "bench.store_valuation", "build"]):
        done = subprocess.run([sys.executable, *argv], env=env, cwd=ROOT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"building the store valuation data set failed ({argv})")
    import sqlite3

    with sqlite3.connect(tmp) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return path


def build() -> None:  # inside Django: python -m bench.store_valuation build
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from kopdes.domain import inventory
    from kopdes.ledger.models import Account, AccountBalance
    from kopdes.ledger.services import setup_koperasi_books
    from kopdes.platform.core.testing import make_koperasi, make_user
    from kopdes.store import services
    from kopdes.store.models import Category, Item, StockMovement, StockPosition

    rng = random.Random(f"bench-store-valuation-{VERSION}")
    with transaction.atomic():
        koperasi = make_koperasi(SLUG)
        setup_koperasi_books(koperasi)
        manajer = make_user("manajer", koperasi, username=f"manajer.{SLUG}")
        unit = services.enable_business_unit(
            koperasi, actor=manajer, kind="sembako", at=timezone.now()
        )
        category = Category.objects.create(koperasi=koperasi, name="Sembako")
    inventory_account = Account.objects.get(koperasi=koperasi, code=unit.inventory_account)
    per_month: dict[int, list[int]] = {}
    for chunk in range(0, ITEMS, 500):
        with transaction.atomic():
            items = Item.objects.bulk_create(
                [
                    Item(
                        koperasi=koperasi, name=f"Barang {n:05d}", barcode="",
                        category=category, business_unit=unit, base_unit="pcs",
                        member_price=10_000_00, public_price=11_000_00, min_stock=5,
                    )
                    for n in range(chunk + 1, min(chunk + 500, ITEMS) + 1)
                ]
            )  # fmt: skip
            moves, positions = [], []
            for item in items:
                position = inventory.StockPosition(0, 0)
                days = sorted(rng.randrange(DAYS) for _ in range(PER_ITEM))
                for n, offset in enumerate(days):
                    day = START + dt.timedelta(days=offset)
                    if n % 10 == 0 or position.quantity < 5:
                        quantity = rng.randrange(50, 200)
                        moved = inventory.receive(
                            position, quantity, quantity * rng.randrange(8_000_00, 9_000_00)
                        )
                        kind = inventory.MovementKind.RECEIPT.value
                    else:
                        moved = inventory.issue(position, rng.randrange(1, 5))
                        kind = inventory.MovementKind.SALE.value
                    position = moved.after
                    moves.append(
                        StockMovement(
                            koperasi=koperasi, item=item, business_unit=unit, kind=kind,
                            quantity=moved.quantity, value=moved.value,
                            quantity_after=position.quantity, value_after=position.value,
                            date=day,
                        )
                    )  # fmt: skip
                    totals = per_month.setdefault(day.year * 100 + day.month, [0, 0])
                    totals[0 if kind == inventory.MovementKind.RECEIPT.value else 1] += abs(
                        moved.value
                    )
                positions.append(
                    StockPosition(
                        koperasi=koperasi, item=item, business_unit=unit,
                        quantity=position.quantity, value=position.value,
                    )
                )  # fmt: skip
            StockMovement.objects.bulk_create(moves, batch_size=2000)
            StockPosition.objects.bulk_create(positions, batch_size=2000)
        print(f"  {min(chunk + 500, ITEMS)} items", flush=True)
    with transaction.atomic():
        AccountBalance.objects.bulk_create(
            [
                AccountBalance(
                    koperasi=koperasi, account=inventory_account, period=period,
                    debit_total=d, credit_total=c,
                )
                for period, (d, c) in sorted(per_month.items())
            ]
        )  # fmt: skip


@contextmanager
def session(options: Options):
    path = ensure_built()
    env = savings_data.env_for(path)

    def run(variant: str):
        def measure(o: Options) -> dict[str, float]:
            calls = max(5, int(CALLS * min(o.duration, 10) / 10))
            done = subprocess.run(
                [sys.executable, "-m", "bench.store_valuation", "measure", variant, str(calls)],
                env=env, cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            return json.loads(done.stdout.strip().splitlines()[-1])

        return measure

    yield {"sum": run("sum"), "valuation": run("valuation")}


def measure(variant: str, calls: int) -> dict[str, float]:  # inside Django
    import django

    django.setup()
    from django.db.models import Sum

    from kopdes.store.models import BusinessUnit, StockMovement, StockPosition
    from kopdes.store.valuation import valuation

    unit = BusinessUnit.objects.get(koperasi__slug=SLUG, kind="sembako")
    movements = StockMovement.objects.filter(koperasi_id=unit.koperasi_id).count()
    timings, rows, reconciles = [], 0, True
    for i in range(calls + 2):
        started = time.perf_counter()
        if variant == "sum":
            positions = StockPosition.objects.filter(koperasi_id=unit.koperasi_id)
            positions.filter(business_unit=unit).aggregate(t=Sum("value"))
            rows = 1
        else:
            v = valuation(unit)
            rows, reconciles = len(v.rows), v.reconciles
        if i >= 2:  # warm-up calls are not counted
            timings.append((time.perf_counter() - started) * 1000)
    if not reconciles:
        raise RuntimeError("the valuation does not reconcile with the Persediaan balance")
    return {"median_ms": statistics.median(timings), "rows": rows, "movements": movements}


BENCHMARK = Benchmark(
    name="store_valuation",
    description=f"stock valuation, {ITEMS:,} items / {ITEMS * PER_ITEM:,} movements (SQLite)",
    metrics=[
        Metric("median_ms", "median latency", "ms", higher_is_better=False),
        Metric("rows", "items valued", "rows", higher_is_better=False),
    ],
    baseline="sum",
    session=session,
    timed=False,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    elif sys.argv[1:] == ["build"]:
        build()
    else:
        from bench.__main__ import main

        sys.exit(main(["store_valuation", *sys.argv[1:]]))
