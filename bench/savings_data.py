"""The large savings data set shared by ``savings_statement`` and ``savings_jasa``.

One koperasi with 10,000 active members, each with a sukarela account and 100 movements
over 24 months (1,000,000 ``SavingsTransaction`` rows), built with bulk inserts. The
derived tables stay consistent with the rows: ``SavingsAccount.balance``/``last_seq``,
``balance_after`` on every row, and the ledger's balance tables (``SubledgerBalance`` per
account and month on 2-1100, ``AccountBalance`` on 2-1100 and Kas), so sub-ledgers equal
the control account. The journal lines behind those balances are NOT generated (a
million hash-chained entries would take far longer to build than to measure); nothing
measured here reads them.

The SQLite file is cached as ``var/bench/savings_v<VERSION>.sqlite3``; bump ``VERSION``
whenever the schema or the generator changes. ``python -m bench.savings_data build``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path

from bench.runner import ROOT

VERSION = 1
MEMBERS = int(os.environ.get("KOPDES_BENCH_SAVINGS_MEMBERS", "10000"))
PER_MEMBER = 100
START = dt.date(2024, 11, 1)
DAYS = 730
SLUG = "bench-simpanan"
CACHE = ROOT / "var" / "bench"


def cache_path() -> Path:
    return CACHE / f"savings_v{VERSION}_{MEMBERS}.sqlite3"


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
        KOPDES_DEBUG="0",  # DEBUG keeps (and quotes) every query: bulk inserts crawl
    )
    return env


def ensure_built() -> Path:
    """Build the cached data set once (a few minutes); later runs reuse the file."""
    path = cache_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    env = env_for(tmp)
    print(f"  building {path.name}: {MEMBERS} members x {PER_MEMBER} movements ...", flush=True)
    for argv in (["-m", "kopdes", "migrate", "-v0"], ["-m", "bench.savings_data", "build"]):
        done = subprocess.run([sys.executable, *argv], env=env, cwd=ROOT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"building the savings data set failed ({argv})")
    # Checkpoint the WAL into the main file so one file is the whole data set.
    import sqlite3

    with sqlite3.connect(tmp) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    return path


def build() -> None:  # runs inside Django (python -m bench.savings_data build)
    import django

    django.setup()
    from django.db import transaction

    from kopdes.ledger.models import Account, AccountBalance, SubledgerBalance
    from kopdes.ledger.services import setup_koperasi_books
    from kopdes.members.models import Member
    from kopdes.platform.core.testing import make_koperasi, make_user
    from kopdes.savings import services
    from kopdes.savings.models import SavingsAccount, SavingsTransaction

    rng = random.Random(f"bench-savings-{VERSION}")
    with transaction.atomic():
        koperasi = make_koperasi(SLUG)
        setup_koperasi_books(koperasi)
        make_user("bendahara", koperasi, username="bendahara.bench")
        make_user("kasir", koperasi, username="kasir.bench")
        products = services.ensure_products(koperasi)
    control = Account.objects.get(koperasi=koperasi, code="2-1100")
    cash = Account.objects.get(koperasi=koperasi, code="1-1100")
    product = products["sukarela"]
    month_totals: dict[int, list[int]] = {}
    for chunk in range(0, MEMBERS, 1000):
        with transaction.atomic():
            members = [
                Member(
                    koperasi=koperasi,
                    number=f"{n:05d}",
                    full_name=f"Anggota Uji {n}",
                    status="aktif",
                    registered_on=START,
                    joined_on=START,
                )
                for n in range(chunk + 1, min(chunk + 1000, MEMBERS) + 1)
            ]
            Member.objects.bulk_create(members, batch_size=1000)
            accounts = []
            txns = []
            sub_rows = []
            for m in members:
                acc = SavingsAccount(
                    koperasi=koperasi, member=m, product=product, kind="sukarela",
                    number=f"{m.number}-S", ledger_code="2-1100", opened_on=START,
                )  # fmt: skip
                days = sorted(rng.randrange(DAYS) for _ in range(PER_MEMBER))
                balance = 0
                per_month: dict[int, list[int]] = {}
                for seq, offset in enumerate(days, start=1):
                    day = START + dt.timedelta(days=offset)
                    if balance > 100_000_00 and rng.random() < 0.35:
                        amount = -(rng.randrange(1, balance // 2 // 1_000_00 + 1) * 1_000_00)
                    else:
                        amount = rng.randrange(1, 100) * 5_000_00
                    balance += amount
                    txns.append(
                        SavingsTransaction(
                            koperasi=koperasi, account=acc, member=m, seq=seq,
                            kind="deposit" if amount > 0 else "withdrawal", date=day,
                            amount=amount, balance_after=balance,
                            idempotency_key=f"bench:{m.number}:{seq}",
                        )
                    )  # fmt: skip
                    period = day.year * 100 + day.month
                    d_c = per_month.setdefault(period, [0, 0])
                    d_c[0 if amount < 0 else 1] += abs(amount)
                acc.balance = balance
                acc.last_seq = PER_MEMBER
                accounts.append(acc)
                for period, (d, c) in per_month.items():
                    sub_rows.append(
                        SubledgerBalance(
                            koperasi=koperasi, account=control, subledger_kind="savings",
                            subledger_ref=str(acc.pk), period=period, debit_total=d,
                            credit_total=c,
                        )
                    )  # fmt: skip
                    tot = month_totals.setdefault(period, [0, 0])
                    tot[0] += d
                    tot[1] += c
            SavingsAccount.objects.bulk_create(accounts, batch_size=1000)
            SavingsTransaction.objects.bulk_create(txns, batch_size=2000)
            SubledgerBalance.objects.bulk_create(sub_rows, batch_size=2000)
        print(f"  {min(chunk + 1000, MEMBERS)} members", flush=True)
    with transaction.atomic():
        rows = []
        for period, (d, c) in sorted(month_totals.items()):
            rows.append(
                AccountBalance(koperasi=koperasi, account=control, period=period,
                               debit_total=d, credit_total=c)
            )  # fmt: skip
            rows.append(
                AccountBalance(koperasi=koperasi, account=cash, period=period,
                               debit_total=c, credit_total=d)
            )  # fmt: skip
        AccountBalance.objects.bulk_create(rows)


if __name__ == "__main__":
    if sys.argv[1:] == ["build"]:
        build()
    else:
        print(ensure_built())
