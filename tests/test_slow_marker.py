"""The `slow` marker: declared, carried by the slowest tests, and never deselected by
`make test` or CI (a developer may skip them with `-m "not slow"`)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The five slowest tests of a SQLite run (`--durations`, setup included), by node id.
SLOWEST = [
    "src/kopdes/ledger/tests/test_crash.py::test_kill_9_during_postings_on_a_sqlite_file_leaves_balanced_books",
    "tests/test_isolation.py::test_no_route_serves_another_koperasi",
    "src/kopdes/ledger/tests/test_crash.py::test_concurrent_sqlite_writers_with_one_shared_key_post_it_once",
    "src/kopdes/demo/tests/test_demo_member.py::test_demo_member_login_is_a_member_with_savings_and_a_loan",
    "src/kopdes/loans/tests/test_demo.py::test_demo_has_loans_in_every_state_and_class",
]


def test_slow_marker_is_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(marker.startswith("slow:") for marker in config["markers"])
    assert "--strict-markers" in config["addopts"]


def test_make_test_and_ci_do_not_deselect_slow_tests():
    for script in ("scripts/test.sh", ".ci/run", "Makefile"):
        text = (ROOT / script).read_text()
        assert "not slow" not in text, f"{script} must run the slow tests"


def test_the_slowest_tests_carry_the_slow_marker():
    """Collected with `-m slow` (not run), every one of them is selected."""
    env = {**os.environ, "KOPDES_TESTING": "1"}
    env.pop("DATABASE_URL", None)  # some of them are collected only on SQLite
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow", *SLOWEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    selected = {line.strip() for line in result.stdout.splitlines() if "::" in line}
    assert selected == set(SLOWEST), result.stdout
