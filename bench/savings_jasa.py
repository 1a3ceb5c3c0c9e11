"""Monthly jasa for 10,000 sukarela accounts (issue target: under 10 s).

Data: ``bench.savings_data`` (cached; 10,000 accounts, 1,000,000 movements). Each run
copies the cached SQLite file (the run writes) and, in a separate process, times:

- ``arithmetic`` (baseline) the pure jasa and tax arithmetic (``domain.savings``) for
  every account from rows already in memory: what the run costs without the database
- ``run``        ``savings.services.post_monthly_jasa`` for October 2026: reads the
  month's movements, computes jasa and the per-member tax, posts the journal entries (400
  accounts per entry) with sub-ledger lines, passbook rows, JasaPosting rows, audit

so the ratio is the price of reading and writing the books.

    python -m bench savings_jasa
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

from bench import savings_data
from bench.runner import ROOT, Benchmark, Metric, Options

YEAR, MONTH = 2026, 10


@contextmanager
def session(options: Options):
    path = savings_data.ensure_built()
    work = Path(tempfile.mkdtemp(prefix="kopdes-bench-jasa-"))

    def run(variant: str):
        def measure(o: Options) -> dict[str, float]:
            copy = work / "run.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(path, copy)
            # Flush the 1 GB copy before timing: otherwise the kernel writes it back while
            # the run is measured and the run's own fsyncs wait behind it (setup, not work).
            with open(copy, "rb+") as f:
                os.fsync(f.fileno())
            done = subprocess.run(
                [sys.executable, "-m", "bench.savings_jasa", "measure", variant],
                env=savings_data.env_for(copy), cwd=ROOT, capture_output=True, text=True,
                check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            return json.loads(done.stdout.strip().splitlines()[-1])

        return measure

    try:
        yield {"arithmetic": run("arithmetic"), "run": run("run")}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(variant: str) -> dict[str, float]:  # inside Django
    import datetime as dt
    from collections import defaultdict

    import django

    django.setup()
    from kopdes.domain import savings as rules
    from kopdes.platform.identity.models import User
    from kopdes.platform.tenancy.models import Koperasi
    from kopdes.savings import services
    from kopdes.savings.models import SavingsAccount, SavingsTransaction

    koperasi = Koperasi.objects.get(slug=savings_data.SLUG)
    if variant == "run":
        actor = User.objects.get(username="bendahara.bench")
        started = time.perf_counter()
        result = services.post_monthly_jasa(koperasi, actor=actor, year=YEAR, month=MONTH)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "accounts": result.accounts}
    first = dt.date(YEAR, MONTH, 1)
    balances = dict(SavingsAccount.objects.filter(koperasi=koperasi).values_list("pk", "balance"))
    rows = list(
        SavingsTransaction.objects.filter(koperasi=koperasi, date__gte=first)
        .order_by("account_id", "date", "seq")
        .values_list("account_id", "date", "amount")
    )
    rate = rules.Rate.parse("3")
    started = time.perf_counter()
    since: dict = defaultdict(int)
    points: dict = defaultdict(list)
    for acc, day, amount in rows:
        since[acc] += amount
        points[acc].append((day, amount))
    total = 0
    for acc, balance in balances.items():
        running = balance - since.get(acc, 0)
        opening = running
        changes = []
        for day, amount in points.get(acc, []):
            running += amount
            changes.append((day, running))
        jasa = rules.monthly_jasa(rate, "lowest", opening, changes, YEAR, MONTH)
        total += jasa - rules.jasa_tax(jasa)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "accounts": len(balances)}


BENCHMARK = Benchmark(
    name="savings_jasa",
    description="monthly jasa run over 10,000 sukarela accounts (SQLite)",
    metrics=[
        Metric("seconds", "duration", "s", higher_is_better=False),
        Metric("accounts", "accounts", "accounts", higher_is_better=True),
    ],
    baseline="arithmetic",
    session=session,
    timed=False,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2])))
    else:
        from bench.__main__ import main

        sys.exit(main(["savings_jasa", *sys.argv[1:]]))
