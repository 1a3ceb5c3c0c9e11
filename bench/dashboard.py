"""Authenticated dashboard requests per second and p95 latency, served by gunicorn.

Setup, all in a temporary directory: a SQLite database with the demo data, production
settings (``KOPDES_ENV=production``, DEBUG off, manifest static files, argon2), gunicorn
with 2 sync workers on loopback, and a session for the demo treasurer that has passed
TOTP. A separate process (``bench.loadgen``) then loads, with 10 concurrent clients:

- ``healthz``   (baseline) ``GET /healthz``: the stack down to one ``SELECT 1``
- ``static``    ``GET /static/web/kopdes.css``: whitenoise, no database
- ``dashboard`` ``GET /k/sukamaju/`` as the treasurer: session, user, TOTP device, roles,
  permission check, tiles, template

so the ``dashboard`` ratio is the price of the full authenticated path over the bare stack.

    python -m bench dashboard
    python -m bench.dashboard prepare   # (internal) prints the session cookie
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.runner import ROOT, Benchmark, Metric, Options

TREASURER = "bendahara.sukamaju"
DASHBOARD_PATH = "/k/sukamaju/"
DASHBOARD_MARK = 'data-testid="dashboard-title"'
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_env(var_dir: Path) -> dict[str, str]:
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
    return env


def _production_env(var_dir: Path) -> dict[str, str]:
    return {
        **_base_env(var_dir),
        "KOPDES_ENV": "production",
        # Plain HTTP on loopback: no TLS terminator in front of gunicorn here.
        "KOPDES_SSL_REDIRECT": "0",
        "KOPDES_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def _run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s:\n{log.read_text()}")


def _check_dashboard(base: str, cookie: str) -> None:
    """The measured path must be the real dashboard, not a redirect to the login page."""
    request = urllib.request.Request(base + DASHBOARD_PATH, headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body = response.read().decode()
        if (
            response.status != 200
            or DASHBOARD_MARK not in body
            or response.url != base + DASHBOARD_PATH
        ):
            raise RuntimeError(
                f"dashboard did not render for the benchmark session ({response.url})"
            )


def _load(url: str, options: Options, *, cookie: str = "", expect: str = "") -> dict[str, float]:
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        url,
        "--duration",
        str(options.duration),
        "--clients",
        str(options.clients),
    ]
    if cookie:
        argv += ["--header", f"Cookie: {cookie}"]
    if expect:
        argv += ["--expect", expect]
    figures = json.loads(_run(argv, {**os.environ, "PYTHONPATH": str(ROOT)}))
    if figures["errors"]:
        raise RuntimeError(
            f"{url}: {figures['errors']} failed requests: {figures['error_samples']}"
        )
    return figures


@contextmanager
def session(options: Options):
    var_dir = Path(tempfile.mkdtemp(prefix="kopdes-bench-"))
    server = None
    try:
        dev_env = _base_env(var_dir)
        print(f"  preparing {var_dir}: migrate, demo data, static files ...", flush=True)
        _run([sys.executable, "-m", "kopdes", "demo", "--no-serve"], dev_env)
        cookie = json.loads(_run([sys.executable, "-m", "bench.dashboard", "prepare"], dev_env))[
            "cookie"
        ]
        prod_env = _production_env(var_dir)
        _run([sys.executable, "-m", "kopdes", "collectstatic", "--noinput", "-v0"], prod_env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        from kopdes.platform.web.management.commands.serve import gunicorn_argv

        log = var_dir / "gunicorn.log"
        with log.open("w") as log_handle:
            server = subprocess.Popen(
                gunicorn_argv("127.0.0.1", port, WORKERS, access_log=False),
                env=prod_env,
                cwd=ROOT,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(base + "/healthz", server, log)
        _check_dashboard(base, cookie)
        print(f"  gunicorn ({WORKERS} workers, production settings) on {base}", flush=True)

        def healthz(o: Options) -> dict[str, float]:
            return _load(base + "/healthz", o, expect="ok")

        def static(o: Options) -> dict[str, float]:
            return _load(base + "/static/web/kopdes.css", o, expect=".topbar")

        def dashboard(o: Options) -> dict[str, float]:
            return _load(base + DASHBOARD_PATH, o, cookie=cookie, expect=DASHBOARD_MARK)

        yield {"healthz": healthz, "static": static, "dashboard": dashboard}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(var_dir, ignore_errors=True)


def prepare() -> None:
    """Print a session cookie for the demo treasurer, logged in and past TOTP."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kopdes.platform.identity.models import User

    user = User.objects.get(username=TREASURER)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["otp_device_id"] = device.persistent_id
    store.create()
    print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}))


BENCHMARK = Benchmark(
    name="dashboard",
    description="authenticated dashboard (gunicorn, 2 workers, SQLite, production settings)",
    metrics=[
        Metric("rps", "throughput", "req/s", higher_is_better=True),
        Metric("p95_ms", "p95 latency", "ms", higher_is_better=False),
    ],
    baseline="healthz",
    session=session,
    concurrent=True,
)

if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        prepare()
    else:
        from bench.__main__ import main

        sys.exit(main(["dashboard", *sys.argv[1:]]))
