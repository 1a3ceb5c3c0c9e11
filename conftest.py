"""Fixtures shared by every test (app tests under src/ and cross-app tests under tests/)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from kopdes.platform.core import testing

IN_CI = os.environ.get("CI") == "true"

# Hypothesis on a shared CI machine: a slow example (another job on the same cores) or a
# large generated value is not a failure of the code under test, so under CI=true the
# `ci` profile drops the time-based health checks and the per-example deadline. The
# properties and their example counts are unchanged. HYPOTHESIS_PROFILE picks a profile
# by hand (`HYPOTHESIS_PROFILE=ci make test`).
hypothesis_settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "default")
)

# The demo is the laptop's SQLite database (`make demo`): building the whole of it again on
# PostgreSQL adds minutes to the suite and proves nothing the PostgreSQL run of each app's
# own tests does not already prove.
laptop_demo_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the full demo is built on SQLite (the laptop node) only",
)


@pytest.fixture
def demo_apps(monkeypatch):
    """``demo_apps("members", "savings")``: the demo builds with only those apps' extensions.

    A test of one app's demo data need not build every other app's (the store's year of
    sales is most of a full build); the full demo is built whole, once, by
    ``demo/tests/test_build.py``."""
    from django.utils.module_loading import autodiscover_modules

    from kopdes import demo

    autodiscover_modules("demo")  # imported now, so build_demo appends nothing later

    def keep(*apps: str) -> None:
        prefixes = tuple(f"kopdes.{app}." for app in apps)
        kept = [x for x in demo.EXTENSIONS if x.__module__.startswith(prefixes)]
        monkeypatch.setattr(demo, "EXTENSIONS", kept)

    return keep


def require(condition: bool, reason: str) -> None:
    """Skip loudly where a real part (PostgreSQL, Chromium) is missing; fail under CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a page served in English leaves English
    active in the worker's thread (a locale middleware activates, nothing resets), and a
    later test that checks an Indonesian message would see the English one."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


_anchor_files = iter(range(1, 10**9))


@pytest.fixture(autouse=True)
def _own_anchor_file(tmp_path_factory, monkeypatch):
    """Each test its own anchor file (core.anchors), inherited by the commands it starts:
    anchors written by one test's month close or backup never meet another test's verify."""
    folder = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("KOPDES_ANCHOR_FILE", str(folder / f"anchors-{next(_anchor_files)}.jsonl"))


@pytest.fixture
def koperasi(db):
    return testing.make_koperasi("sukamaju", region_code="32.01.26.2001")


@pytest.fixture
def other_koperasi(db):
    return testing.make_koperasi("sidomulyo", region_code="33.02.01.2001")


@pytest.fixture
def make_user(db):
    return testing.make_user


@pytest.fixture
def officer_client(client, koperasi):
    """A client logged in (and past TOTP) as the ketua of ``koperasi``."""
    user = testing.make_user("ketua", koperasi)
    return testing.login(client, user)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    """Let the flush that ends a transactional test empty the append-only tables."""
    ops_class = type(connection.ops)
    original = ops_class.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with testing.append_only_suspended(self.connection):
            original(self, sql_list)

    patch = pytest.MonkeyPatch()
    patch.setattr(ops_class, "execute_sql_flush", execute_sql_flush)
    yield
    patch.undo()
