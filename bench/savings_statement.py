"""Member statement latency in a koperasi with 10,000 members and 1,000,000 movements.

Data: ``bench.savings_data`` (cached SQLite file under ``var/bench/``). A separate process
opens it through Django and times ``savings.selectors.member_statement`` for members
picked at random (seeded), each call a fresh query. Variants (medians of N calls each):

- ``lookup``    (baseline) one member's account by primary key: the cheapest indexed read
- ``month``     the statement of one member for one month (opening balance + rows)
- ``year``      the statement of one member for a whole year (about 50 rows)

Issue target: ``year`` median under 30 ms.

    python -m bench savings_statement
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

from bench import savings_data
from bench.runner import ROOT, Benchmark, Metric, Options

CALLS = 200


@contextmanager
def session(options: Options):
    path = savings_data.ensure_built()
    env = savings_data.env_for(path)

    def run(variant: str):
        def measure(o: Options) -> dict[str, float]:
            calls = max(20, int(CALLS * min(o.duration, 10) / 10))
            done = subprocess.run(
                [sys.executable, "-m", "bench.savings_statement", "measure", variant, str(calls)],
                env=env, cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            return json.loads(done.stdout.strip().splitlines()[-1])

        return measure

    yield {"lookup": run("lookup"), "month": run("month"), "year": run("year")}


def measure(variant: str, calls: int) -> dict[str, float]:  # inside Django
    import datetime as dt
    import random

    import django

    django.setup()
    from kopdes.members.models import Member
    from kopdes.platform.tenancy.models import Koperasi
    from kopdes.savings import selectors
    from kopdes.savings.models import SavingsAccount

    koperasi = Koperasi.objects.get(slug=savings_data.SLUG)
    ids = list(Member.objects.filter(koperasi=koperasi).values_list("pk", flat=True))
    rng = random.Random(f"statement-{variant}")
    timings = []
    rows = 0
    for i in range(calls + 5):
        member = Member.objects.get(pk=rng.choice(ids))
        started = time.perf_counter()
        if variant == "lookup":
            SavingsAccount.objects.filter(koperasi=koperasi, member=member).first()
        elif variant == "month":
            s = selectors.member_statement(member, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
            rows += len(s.rows)
        else:
            s = selectors.member_statement(member, dt.date(2025, 11, 1), dt.date(2026, 10, 31))
            rows += len(s.rows)
        if i >= 5:  # warm-up calls are not counted
            timings.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(timings), "rows": rows / calls}


BENCHMARK = Benchmark(
    name="savings_statement",
    description="member statement, 10,000 members / 1,000,000 movements (SQLite)",
    metrics=[
        Metric("median_ms", "median latency", "ms", higher_is_better=False),
        Metric("rows", "rows per statement", "rows", higher_is_better=False),
    ],
    baseline="lookup",
    session=session,
)

if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    else:
        from bench.__main__ import main

        sys.exit(main(["savings_statement", *sys.argv[1:]]))
