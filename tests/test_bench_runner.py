"""The benchmark runner's arithmetic and records (no timing is asserted, ever)."""

from __future__ import annotations

import io
import json
from contextlib import contextmanager

from bench.runner import Benchmark, Metric, Options, record, report, run_benchmark


def _fake_benchmark(figures: dict[str, list[float]]) -> Benchmark:
    calls = {name: iter(values) for name, values in figures.items()}

    @contextmanager
    def session(options):
        def variant(name):
            return lambda o: {"rps": next(calls[name]) if o.duration > 0.5 else 0.0}

        yield {name: variant(name) for name in figures}

    return Benchmark(
        name="fake",
        description="made-up figures",
        metrics=[Metric("rps", "throughput", "req/s", higher_is_better=True)],
        baseline="base",
        session=session,
    )


def test_runner_reports_median_min_max_and_ratio_to_the_same_run_baseline(tmp_path):
    bench = _fake_benchmark({"base": [100, 300, 200], "page": [10, 30, 20]})
    options = Options(runs=3, duration=1.0, clients=1, warmup=0)
    out = io.StringIO()
    result = run_benchmark(bench, options, out=out)
    summary = result.summaries["page"]["rps"]
    assert (summary.median, summary.minimum, summary.maximum) == (20, 10, 30)
    assert result.ratio("page", "rps") == 0.1
    report(bench, result, out=out)
    assert "0.100x" in out.getvalue()
    path = tmp_path / "figures.jsonl"
    record(bench, result, path)
    record(bench, result, path)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) == 2
    assert lines[0]["benchmark"] == "fake"
    assert lines[0]["ratios"]["page"]["rps"] == 0.1
    assert lines[0]["variants"]["base"]["rps"]["values"] == [100, 300, 200]


def test_every_registered_benchmark_has_a_baseline_among_its_metrics():
    import importlib

    from bench.__main__ import REGISTRY

    for module in REGISTRY.values():
        bench = importlib.import_module(module).BENCHMARK
        assert bench.baseline
        assert bench.metrics


def test_the_header_names_duration_and_clients_only_where_the_benchmark_uses_them():
    from dataclasses import replace

    bench = _fake_benchmark({"base": [1, 2, 3]})
    options = Options(runs=3, duration=8.0, clients=10, warmup=0)
    result = run_benchmark(bench, options, out=io.StringIO())
    headers = {}
    for label, variant in {
        "timed": bench,
        "load": replace(bench, concurrent=True),
        "one job": replace(bench, timed=False),
    }.items():
        out = io.StringIO()
        report(variant, result, out=out)
        headers[label] = out.getvalue().splitlines()[2]
    assert headers["timed"] == "  3 runs x 8 s; baseline: base"
    assert headers["load"] == "  3 runs x 8 s, 10 concurrent clients; baseline: base"
    assert headers["one job"] == "  3 runs; baseline: base"
