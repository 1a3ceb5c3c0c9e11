"""The daily loan job for 20,000 active loans (issue target: < 20 s).

Setup, in a temporary directory: a SQLite database (production PRAGMAs) with one koperasi,
2,000 active members and 20,000 disbursed 12-month loans (240,000 installment rows;
created with ``bulk_create`` for speed: the job only reads loans and installments). About
a third of the loans are behind by 1-9 months. Each measurement runs in its own process
(``python -m bench.loans_daily measure``) on a later day than the one before, so days past
due really change and the job really writes. Variants:

- ``scan``   (baseline) the job's two reads alone: the oldest unpaid due date per loan
  (one aggregate) and every active loan's figures; no classification, no writes
- ``daily``  ``loans.services.run_daily``: days past due, kolektibilitas, PPAP per loan and
  the updates of the loans that changed (not month end: no posting)
- ``month_end`` the same on the last day of a month, with the PPAP posting

    python -m bench loans_daily
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

LOANS = 20_000
MEMBERS = 2_000
TERM = 12


def _env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "KOPDES_TESTING", "KOPDES_ENV", "KOPDES_DEBUG"}
    }
    env.update(
        KOPDES_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="kopdes.config.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        KOPDES_LOG_LEVEL="WARNING",
    )
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    return env


def _run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def session(options: Options):
    var_dir = Path(tempfile.mkdtemp(prefix="kopdes-bench-loans-"))
    try:
        env = _env(var_dir)
        print(f"  preparing {var_dir}: migrate, {LOANS:,} loans ...", flush=True)
        _run([sys.executable, "-m", "kopdes", "migrate", "-v0"], env)
        print("  " + _run([sys.executable, "-m", "bench.loans_daily", "prepare"], env).strip())
        counter = {"day": 0}

        def measure(kind: str):
            def variant(o: Options) -> dict[str, float]:
                counter["day"] += 1
                out = _run(
                    [
                        sys.executable,
                        "-m",
                        "bench.loans_daily",
                        "measure",
                        kind,
                        str(counter["day"]),
                    ],
                    env,
                )
                return json.loads(out.strip().splitlines()[-1])

            return variant

        yield {
            "scan": measure("scan"),
            "daily": measure("daily"),
            "month_end": measure("month_end"),
        }
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def prepare() -> None:
    import datetime as dt
    import random

    import django

    django.setup()
    from django.db import transaction

    from kopdes.domain import loans as engine
    from kopdes.ledger.services import setup_koperasi_books
    from kopdes.loans import services
    from kopdes.loans.models import Installment, Loan
    from kopdes.members.models import Member
    from kopdes.platform.core.testing import make_koperasi, make_user

    rng = random.Random(20_000)
    started = time.perf_counter()
    koperasi = make_koperasi("bench-loans", region_code="32.01.26.2001")
    setup_koperasi_books(koperasi)
    ketua = make_user("ketua", koperasi, username="bench-ketua")
    product = services.create_product(
        koperasi,
        actor=ketua,
        data={"code": "B", "name": "Bench", "method": "flat", "rate_percent": "1.5",
              "rate_per": "month", "term_min": 1, "term_max": 24, "penalty_bp": 10,
              "penalty_per": "day"},
    )  # fmt: skip
    joined = dt.date(2025, 1, 1)
    with transaction.atomic():
        members = Member.objects.bulk_create(
            [
                Member(
                    koperasi=koperasi,
                    number=f"{i + 1:06d}",
                    full_name=f"Anggota {i + 1}",
                    status="aktif",
                    registered_on=joined,
                    joined_on=joined,
                )
                for i in range(MEMBERS)
            ],
            batch_size=1000,
        )
    today = dt.date(2026, 3, 15)
    loans = []
    rows = []
    for i in range(LOANS):
        start = today - dt.timedelta(days=rng.randrange(40, 330))
        principal = rng.randrange(10, 200) * 100_000_00
        loan = Loan(
            koperasi=koperasi,
            number=f"PJ-{i + 1:06d}",
            member=members[i % MEMBERS],
            product=product,
            status="active",
            principal=principal,
            term=TERM,
            method="flat",
            rate_percent=product.rate_percent,
            rate_per="month",
            rounding="rupiah",
            applied_on=start,
            created_by=ketua,
            disbursed_on=start,
        )
        schedule = engine.build_schedule(
            services.loan_terms(loan, principal=principal, term=TERM, start_date=start)
        )
        behind = rng.randrange(1, 10) if rng.random() < 0.33 else 0
        due = [r for r in schedule.installments if r.due_date <= today]
        paid_upto = max(0, len(due) - behind)
        paid_principal = 0
        for r in schedule.installments:
            paid = r.period <= paid_upto
            paid_principal += r.principal if paid else 0
            rows.append(
                Installment(
                    koperasi=koperasi,
                    loan=loan,
                    period=r.period,
                    due_date=r.due_date,
                    principal=r.principal,
                    interest=r.interest,
                    balance=r.balance,
                    principal_paid=r.principal if paid else 0,
                    interest_paid=r.interest if paid else 0,
                    paid_on=r.due_date if paid else None,
                )
            )
        loan.principal_paid = paid_principal
        loan.interest_paid = 0
        loans.append(loan)
    with transaction.atomic():
        Loan.objects.bulk_create(loans, batch_size=2000)
        Installment.objects.bulk_create(rows, batch_size=5000)
    print(
        f"{len(loans):,} loans, {len(rows):,} installments in {time.perf_counter() - started:.1f} s"
    )


def measure(kind: str, offset: int) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.db.models import Min

    from kopdes.loans import services
    from kopdes.loans.models import Installment, Loan
    from kopdes.platform.tenancy.models import Koperasi

    koperasi = Koperasi.objects.get(slug="bench-loans")
    day = dt.date(2026, 3, 15) + dt.timedelta(days=offset)
    if kind == "month_end":
        # The last day of a later month every run, so the PPAP posts again each time.
        first = dt.date(2026 + (2 + offset) // 12, (2 + offset) % 12 + 1, 1)
        day = first - dt.timedelta(days=1)
    started = time.perf_counter()
    changed = 0
    if kind == "scan":
        oldest = dict(
            Installment.objects.filter(
                koperasi=koperasi, loan__status="active", paid_on__isnull=True, due_date__lte=day
            )
            .values("loan_id")
            .annotate(m=Min("due_date"))
            .values_list("loan_id", "m")
            .order_by()
        )
        n = sum(
            1
            for _ in Loan.objects.filter(koperasi=koperasi, status="active")
            .values_list("pk", "principal", "principal_paid", "dpd")
            .iterator(chunk_size=5000)
        )
        assert n == LOANS and oldest
    else:
        result = services.run_daily(koperasi, actor=None, as_of=day)
        assert result.loans == LOANS
        changed = result.changed
        if kind == "month_end":  # the run is recorded (an entry only when PPAP changed)
            from kopdes.loans.models import PpapRun

            assert PpapRun.objects.filter(koperasi=koperasi, date=day).exists()
    seconds = time.perf_counter() - started
    print(f"    {kind} {day}: {changed:,} loans updated", file=sys.stderr)
    print(json.dumps({"seconds": seconds}))


BENCHMARK = Benchmark(
    name="loans_daily",
    description=f"daily arrears/kolektibilitas job for {LOANS:,} active loans (SQLite)",
    metrics=[
        Metric("seconds", "duration", "s", higher_is_better=False),
    ],
    baseline="scan",
    session=session,
    timed=False,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare()
    elif sys.argv[1:2] == ["measure"]:
        measure(sys.argv[2], int(sys.argv[3]))
    else:
        from bench.__main__ import main

        sys.exit(main(["loans_daily", *sys.argv[1:]]))
