"""``kopdes serve``: the production web server (gunicorn), or Django's for development.

    kopdes serve                      # gunicorn on http://127.0.0.1:8000, 2 workers
    kopdes serve --host 0.0.0.0 --port 8080 --workers 4
    kopdes serve --dev                # Django's autoreloading runserver

Static files are collected first (whitenoise serves them from ``STATIC_ROOT``); files
that did not change are skipped, so a restart is quick.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2


# AF_UNIX socket paths are limited to 108 bytes (with the terminating NUL) on Linux.
_MAX_SOCKET_PATH = 107


def control_socket_path(host: str, port: int, var_dir: Path | None = None) -> Path | None:
    """This server's own gunicorn control socket, ``<var>/run/gunicorn-<host>-<port>.ctl``.

    gunicorn (25.1+) opens one by default at a path shared by every instance of the user
    (``$XDG_RUNTIME_DIR/gunicorn.ctl``): a second server on the same machine took the
    first one's over. ``None`` when the path would be too long for a Unix socket (the
    control socket is then turned off)."""
    base = Path(var_dir if var_dir is not None else _var_dir()) / "run"
    name = "gunicorn-{}-{}.ctl".format(re.sub(r"[^A-Za-z0-9.-]", "_", host), port)
    path = base / name
    if len(os.fsencode(str(path))) > _MAX_SOCKET_PATH:
        return None
    return path


def _var_dir() -> Path:
    try:
        return Path(settings.VAR_DIR)
    except ImproperlyConfigured:  # a caller without Django settings (a benchmark's parent)
        return Path(os.environ.get("KOPDES_VAR_DIR", "var")).resolve()


def gunicorn_argv(
    host: str,
    port: int,
    workers: int,
    *,
    access_log: bool = True,
    extra: list[str] | None = None,
    var_dir: Path | None = None,
) -> list[str]:
    """The gunicorn command line for kopdes (also used by the benchmark)."""
    socket = control_socket_path(host, port, var_dir)
    if socket is not None:
        socket.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    control = ["--no-control-socket"] if socket is None else ["--control-socket", str(socket)]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kopdes.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        *(["--access-logfile", "-"] if access_log else []),
        "--graceful-timeout",
        "20",
        # A request that takes longer than this is a bug, not a slow laptop.
        "--timeout",
        "60",
        *control,
        *(extra or []),
    ]


def _stamp() -> Path:
    return Path(settings.STATIC_ROOT) / ".kopdes-collected"


def _storage_backend() -> str:
    return str(settings.STORAGES["staticfiles"]["BACKEND"])


def static_is_current() -> bool:
    """True when STATIC_ROOT was collected, with the same storage, after the newest source."""
    from django.contrib.staticfiles.finders import get_finders

    stamp = _stamp()
    if not stamp.exists() or stamp.read_text() != _storage_backend():
        return False
    collected_at = stamp.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if os.path.getmtime(storage.path(path)) > collected_at:
                return False
    return True


def collect_static(verbosity: int = 0) -> None:
    """Copy (and, in production, fingerprint and compress) static files into STATIC_ROOT,
    unless that was already done since the last change."""
    if static_is_current():
        return
    call_command("collectstatic", interactive=False, verbosity=verbosity)
    _stamp().write_text(_storage_backend())


class Command(BaseCommand):
    help = "Serve kopdes with gunicorn (production) or Django's runserver (--dev)."
    requires_system_checks = []  # the server process runs the checks itself

    def add_arguments(self, parser):
        parser.add_argument("--host", default=DEFAULT_HOST)
        parser.add_argument("--port", type=int, default=DEFAULT_PORT)
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
        parser.add_argument(
            "--dev", action="store_true", help="Django's development server with autoreload."
        )
        parser.add_argument(
            "--skip-collectstatic", action="store_true", help="Static files are already collected."
        )

    def handle(self, *args, host, port, workers, dev, skip_collectstatic, **options):
        if not 1 <= port <= 65535:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1:
            raise CommandError(_("At least one worker is needed."))
        url = f"http://{host}:{port}/"
        if dev:
            self.stdout.write(_("Development server on %(url)s (Ctrl+C stops it).") % {"url": url})
            # The autoreloader serves from a child process that loads the settings afresh:
            # debug pages there, and only there (kopdes.cli sets it before the parent's).
            os.environ.setdefault("KOPDES_DEBUG", "1")
            call_command("runserver", f"{host}:{port}", use_reloader=True)
            return
        if not skip_collectstatic:
            collect_static()
        if not _module_available("gunicorn"):
            raise CommandError(_("gunicorn is not installed: run `make install`."))
        self.stdout.write(
            _("kopdes is running on %(url)s with %(workers)s workers (Ctrl+C stops it).")
            % {"url": url, "workers": workers}
        )
        self.stdout.flush()
        argv = gunicorn_argv(host, port, workers)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        # Replace this process: Ctrl+C and service managers signal gunicorn directly.
        os.execve(argv[0], argv, env)  # noqa: S606


def _module_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
