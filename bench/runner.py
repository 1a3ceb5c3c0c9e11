"""The common runner: measure every variant of a benchmark N times, summarise, record.

A benchmark names one variant its *baseline*; every other variant is reported as a ratio
against the baseline measured in the same run, on the same machine, moments apart, so
the ratio means something even where the absolute numbers don't (a slow laptop, a busy CI
box). Each benchmark appends one JSON line to ``bench/results/figures.jsonl``.
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "figures.jsonl"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool


@dataclass
class Options:
    runs: int = 3
    duration: float = 10.0
    clients: int = 10
    warmup: float = 1.0


# A measurement: metric key -> value. A variant maps Options to one measurement.
Measurement = dict[str, float]
Variant = Callable[[Options], Measurement]


@dataclass
class Benchmark:
    """What a benchmark module provides to the runner (see ``bench/dashboard.py``).

    ``session`` is a context manager factory that sets up what the variants need (a
    server, data) and yields a dict of variants; ``baseline`` names one of them.
    """

    name: str
    description: str
    metrics: list[Metric]
    baseline: str
    session: Callable[[Options], AbstractContextManager[dict[str, Variant]]]
    # What the report's header says of a run: its length (``--duration``) when the
    # variants use it, its load (``--clients``) when they send concurrent requests.
    timed: bool = True
    concurrent: bool = False


@dataclass
class Summary:
    values: list[float]
    median: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0

    def __post_init__(self) -> None:
        self.median = statistics.median(self.values)
        self.minimum = min(self.values)
        self.maximum = max(self.values)


@dataclass
class Result:
    benchmark: str
    baseline: str
    options: Options
    # variant -> metric -> summary
    summaries: dict[str, dict[str, Summary]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def ratio(self, variant: str, metric: str) -> float | None:
        """Median of ``variant`` over the median of the baseline (None when undefined)."""
        base = self.summaries[self.baseline][metric].median
        if base == 0:
            return None
        return self.summaries[variant][metric].median / base


def run_benchmark(bench: Benchmark, options: Options, *, out=sys.stdout) -> Result:
    """Measure every variant ``options.runs`` times, interleaved so drift hits all alike."""
    values: dict[str, dict[str, list[float]]] = {}
    with bench.session(options) as variants:
        if bench.baseline not in variants:
            raise ValueError(f"{bench.name}: baseline {bench.baseline!r} is not a variant")
        for name, variant in variants.items():
            if options.warmup > 0:
                variant(Options(runs=1, duration=options.warmup, clients=options.clients))
            values[name] = {m.key: [] for m in bench.metrics}
        for run in range(1, options.runs + 1):
            for name, variant in variants.items():
                started = time.perf_counter()
                measurement = variant(options)
                for metric in bench.metrics:
                    values[name][metric.key].append(float(measurement[metric.key]))
                took = time.perf_counter() - started
                figures = ", ".join(
                    f"{m.label} {measurement[m.key]:.1f} {m.unit}" for m in bench.metrics
                )
                print(f"  run {run}/{options.runs} {name:<10} {figures} ({took:.1f} s)", file=out)
    result = Result(benchmark=bench.name, baseline=bench.baseline, options=options)
    for name, per_metric in values.items():
        result.summaries[name] = {key: Summary(vals) for key, vals in per_metric.items()}
    return result


def report(bench: Benchmark, result: Result, *, out=sys.stdout) -> None:
    """Print median, min, max and the ratio against the baseline for every metric."""
    print(f"\n{bench.name}: {bench.description}", file=out)
    options = result.options
    shape = f"{options.runs} runs"
    if bench.timed:
        shape += f" x {options.duration:g} s"
    if bench.concurrent:
        shape += f", {options.clients} concurrent clients"
    print(f"  {shape}; baseline: {result.baseline}", file=out)
    columns = ("median", "min", "max")
    header = "".join(f"{c:>10} " for c in columns)
    print(f"  {'variant':<10} {'metric':<22} {header}{'vs baseline':>12}", file=out)
    for name, per_metric in result.summaries.items():
        for metric in bench.metrics:
            s = per_metric[metric.key]
            ratio = result.ratio(name, metric.key)
            ratio_text = "-" if ratio is None or name == result.baseline else f"{ratio:.3f}x"
            print(
                f"  {name:<10} {metric.label + ' (' + metric.unit + ')':<22} "
                f"{s.median:>10.1f} {s.minimum:>10.1f} {s.maximum:>10.1f} {ratio_text:>12}",
                file=out,
            )


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def record(bench: Benchmark, result: Result, path: Path = RESULTS) -> dict:
    """Append one JSON line for this benchmark run and return it."""
    line = {
        "benchmark": bench.name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": _cpu_count(),
        },
        "options": vars(result.options),
        "baseline": result.baseline,
        "variants": {
            name: {
                key: {"median": s.median, "min": s.minimum, "max": s.maximum, "values": s.values}
                for key, s in per_metric.items()
            }
            for name, per_metric in result.summaries.items()
        },
        "ratios": {
            name: {m.key: result.ratio(name, m.key) for m in bench.metrics}
            for name in result.summaries
            if name != result.baseline
        },
        **result.extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
    return line


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def iter_lines(path: Path = RESULTS) -> Iterator[dict]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
