"""``python -m bench [NAME ...]``: run the benchmarks (all, or the ones named).

    python -m bench                     # every benchmark, 3 runs x 10 s each
    python -m bench dashboard --runs 5  # one benchmark
    python -m bench --quick             # 1 run x 2 s: does it still work?

A benchmark is a module in ``bench/`` with a ``BENCHMARK`` (a ``bench.runner.Benchmark``);
add its module name to ``REGISTRY`` below.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bench.runner import Options, record, report, run_benchmark

# name -> module holding BENCHMARK. Later issues add theirs (posting, statements, ...).
REGISTRY: dict[str, str] = {
    "dashboard": "bench.dashboard",
    "loan_schedule": "bench.loan_schedule",
    "loans_daily": "bench.loans_daily",
    "loans_repay": "bench.loans_repay",
    "savings_teller": "bench.savings_teller",
    "savings_teller_pg": "bench.savings_teller_pg",
    "savings_teller_pg_spread": "bench.savings_teller_pg_spread",
    "savings_statement": "bench.savings_statement",
    "savings_jasa": "bench.savings_jasa",
    "ledger_posting": "bench.ledger_posting",
    "ledger_posting_pg": "bench.ledger_posting_pg",
    "ledger_batch": "bench.ledger_batch",
    "ledger_reports": "bench.ledger_reports",
    "ledger_verify": "bench.ledger_verify",
    "store_checkout": "bench.store_checkout",
    "store_checkout_pg": "bench.store_checkout_pg",
    "store_valuation": "bench.store_valuation",
    "store_pos": "bench.store_pos",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all of {sorted(REGISTRY)})"
    )
    parser.add_argument("--runs", type=int, default=3, help="measurements per variant (default 3)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--quick", action="store_true", help="1 run x 2 s, for a smoke test")
    parser.add_argument(
        "--entries", type=int, help="data set size for the ledger benchmarks (BENCH_ENTRIES)"
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to figures.jsonl")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(sorted(REGISTRY))}"
        )
    options = Options(runs=args.runs, duration=args.duration, clients=args.clients)
    if args.quick:
        options = Options(runs=1, duration=2.0, clients=args.clients, warmup=0.5)
    if options.runs < 1 or options.duration <= 0 or options.clients < 1:
        parser.error("--runs, --duration and --clients must be positive")
    if args.entries:
        os.environ["BENCH_ENTRIES"] = str(args.entries)
    for name in args.names or list(REGISTRY):
        bench = importlib.import_module(REGISTRY[name]).BENCHMARK
        print(f"== {name}: {bench.description}", flush=True)
        result = run_benchmark(bench, options)
        report(bench, result)
        if not args.no_record:
            record(bench, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
