"""The `ci` Hypothesis profile (root conftest.py): under CI=true a slow or large generated
example is not a failure, a wrong one still is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck

ROOT = Path(__file__).resolve().parents[1]


def _slowly_drawn(delay: float = 0.15):
    return st.integers(0, 10).map(lambda n: time.sleep(delay) or n)


def test_ci_profile_drops_time_checks_and_deadline():
    ci = settings.get_profile("ci")
    assert ci.deadline is None
    assert HealthCheck.too_slow in ci.suppress_health_check
    assert HealthCheck.data_too_large in ci.suppress_health_check


def test_slow_generation_fails_the_default_profile_and_passes_the_ci_profile():
    def prop(n: int) -> None:
        assert 0 <= n <= 10

    strict = settings(settings.get_profile("default"), max_examples=12, database=None)
    with pytest.raises(FailedHealthCheck):
        strict(given(_slowly_drawn())(prop))()

    ci = settings(settings.get_profile("ci"), max_examples=12, database=None)
    ci(given(_slowly_drawn())(prop))()  # no health check failure


def test_ci_profile_still_fails_a_wrong_property():
    def prop(n: int) -> None:
        assert n < 5

    ci = settings(settings.get_profile("ci"), max_examples=50, database=None)
    with pytest.raises(AssertionError):
        ci(given(st.integers(0, 10))(prop))()


@pytest.mark.parametrize(("ci_env", "expected"), [("true", None), ("", "default")])
def test_ci_true_loads_the_ci_profile(ci_env, expected):
    code = (
        "import django; django.setup(); import conftest; from hypothesis import settings; "
        "print(settings.default.deadline)"
    )
    env = {**os.environ, "CI": ci_env, "KOPDES_TESTING": "1"}
    env.pop("HYPOTHESIS_PROFILE", None)
    env.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.config.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    if expected is None:
        assert out == "None"
    else:
        assert out != "None"  # the default profile keeps Hypothesis's per-example deadline
