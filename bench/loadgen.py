"""A small HTTP load generator, run as its own process: ``python -m bench.loadgen``.

Pure Python (``http.client``, threads in a few processes), so ``make bench`` needs no extra
package. Every client sends GET requests back to back for ``--duration`` seconds; the
result (requests, errors, requests per second, latency percentiles) is printed as JSON.
A response with another status than ``--status`` (or without ``--expect`` in its body)
counts as an error: a benchmark that silently measures a redirect to the login page
would be worse than none.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def _client(url, headers, deadline, status, expect, latencies, errors, lock):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    expect_bytes = expect.encode() if expect else b""
    local_lat: list[float] = []
    local_err: list[str] = []
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            conn.close()
        except OSError as exc:
            local_err.append(f"{type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - started
        if response.status != status or (expect_bytes and expect_bytes not in body):
            local_err.append(f"HTTP {response.status}")
            continue
        local_lat.append(elapsed)
    with lock:
        latencies.extend(local_lat)
        errors.extend(local_err)


def _process(args: tuple) -> tuple[list[float], list[str], float]:
    url, headers, duration, threads, status, expect = args
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + duration
    workers = [
        threading.Thread(
            target=_client,
            args=(url, headers, deadline, status, expect, latencies, errors, lock),
            daemon=True,
        )
        for _ in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, errors, time.perf_counter() - started


def run(
    url: str,
    *,
    duration: float,
    clients: int,
    headers: dict[str, str] | None = None,
    status: int = 200,
    expect: str = "",
    processes: int | None = None,
) -> dict:
    """Load ``url`` with ``clients`` concurrent clients; return the figures as a dict."""
    processes = processes or max(1, min(clients, (os.cpu_count() or 2) // 2, 4))
    share = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    jobs = [(url, headers or {}, duration, n, status, expect) for n in share if n > 0]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        parts = pool.map(_process, jobs)
    latencies = sorted(x for lat, _e, _t in parts for x in lat)
    errors = [e for _l, err, _t in parts for e in err]
    elapsed = max(t for _l, _e, t in parts)
    ms = [x * 1000 for x in latencies]
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) >= 2 else ms * 99
    return {
        "url": url,
        "clients": clients,
        "processes": len(jobs),
        "duration_s": elapsed,
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": cuts[49] if cuts else 0.0,
        "p95_ms": cuts[94] if cuts else 0.0,
        "p99_ms": cuts[98] if cuts else 0.0,
        "max_ms": ms[-1] if ms else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("url")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--expect", default="", help="text every response body must contain")
    args = parser.parse_args(argv)
    headers = dict(h.split(": ", 1) for h in args.header)
    print(
        json.dumps(
            run(
                args.url,
                duration=args.duration,
                clients=args.clients,
                headers=headers,
                status=args.status,
                expect=args.expect,
            )
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
