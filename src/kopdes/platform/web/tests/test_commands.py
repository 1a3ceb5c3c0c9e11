"""``kopdes demo`` and ``kopdes serve``: what they do before the server takes over."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kopdes.platform.tenancy.models import Koperasi
from kopdes.platform.web.management.commands import serve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def without_app_demo_extensions(monkeypatch):
    """The command is tested here; the apps' demo data is tested in kopdes/demo/tests."""
    from django.utils.module_loading import autodiscover_modules

    from kopdes import demo

    autodiscover_modules("demo")
    monkeypatch.setattr(demo, "EXTENSIONS", [])


def test_demo_loads_once_and_prints_the_logins():
    out = io.StringIO()
    call_command("demo", no_serve=True, stdout=out)
    text = out.getvalue()
    assert set(Koperasi.objects.values_list("slug", flat=True)) == {"sukamaju", "cirahab"}
    assert "bendahara.sukamaju" in text
    assert "Koperasi-Demo-2026" in text
    assert "kopdes totp bendahara.sukamaju" in text
    assert "otpauth://totp/" in text
    again = io.StringIO()
    call_command("demo", no_serve=True, stdout=again)
    assert Koperasi.objects.count() == 2
    assert "bendahara.sukamaju" in again.getvalue()


def test_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="KOPDES_ENV=production"):
        call_command("demo", no_serve=True, stdout=io.StringIO())
    assert Koperasi.objects.count() == 0


def test_serve_runs_gunicorn_with_the_wsgi_application(monkeypatch):
    calls = {}

    def fake_execve(path, argv, env):
        calls.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(os, "execve", fake_execve)
    monkeypatch.setattr(
        serve, "collect_static", lambda verbosity=0: calls.setdefault("collected", True)
    )
    call_command("serve", host="127.0.0.1", port=8123, workers=3, stdout=io.StringIO())
    argv = calls["argv"]
    assert argv[1:4] == ["-m", "gunicorn", "kopdes.config.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert calls["collected"] is True
    assert calls["env"]["DJANGO_SETTINGS_MODULE"] == "kopdes.config.settings"


@pytest.mark.parametrize(("option", "value"), [("port", 0), ("port", 70000), ("workers", 0)])
def test_serve_refuses_bad_numbers(option, value):
    with pytest.raises(CommandError):
        call_command("serve", **{option: value}, stdout=io.StringIO())


def test_static_files_are_collected_only_when_something_changed(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    assert not serve.static_is_current()
    serve.collect_static()
    assert (tmp_path / "static" / "web" / "kopdes.css").exists()
    assert serve.static_is_current()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert not serve.static_is_current()  # another storage needs another collect


# --- each server its own gunicorn control socket --------------------------------------


def _control_socket(argv: list[str]) -> str | None:
    if "--no-control-socket" in argv:
        return None
    return argv[argv.index("--control-socket") + 1]


def test_two_servers_on_one_machine_get_their_own_control_sockets(tmp_path):
    first = _control_socket(serve.gunicorn_argv("127.0.0.1", 8000, 2, var_dir=tmp_path))
    second = _control_socket(serve.gunicorn_argv("127.0.0.1", 8001, 2, var_dir=tmp_path))
    other_host = _control_socket(serve.gunicorn_argv("192.168.1.10", 8000, 2, var_dir=tmp_path))
    assert first and second and other_host
    assert len({first, second, other_host}) == 3
    assert first == str(tmp_path / "run" / "gunicorn-127.0.0.1-8000.ctl")
    # Never gunicorn's shared default ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl).
    assert not first.endswith("/gunicorn.ctl")
    assert (tmp_path / "run").is_dir()
    assert (tmp_path / "run").stat().st_mode & 0o077 == 0


def test_the_control_socket_lives_in_the_instances_var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    argv = serve.gunicorn_argv("127.0.0.1", 8123, 1)
    assert _control_socket(argv) == str(tmp_path / "run" / "gunicorn-127.0.0.1-8123.ctl")


def test_an_ipv6_host_makes_a_plain_file_name(tmp_path):
    path = serve.control_socket_path("[::1]", 8000, tmp_path)
    assert path is not None and path.name == "gunicorn-___1_-8000.ctl"


def test_a_var_dir_too_deep_for_a_unix_socket_turns_the_socket_off(tmp_path):
    deep = tmp_path / ("d" * 120)
    argv = serve.gunicorn_argv("127.0.0.1", 8000, 2, var_dir=deep)
    assert "--no-control-socket" in argv
    assert "--control-socket" not in argv


def test_gunicorn_accepts_the_options(tmp_path):
    """The pinned gunicorn knows both options (they came in 25.1)."""
    from gunicorn.config import Config

    config = Config()
    argv = serve.gunicorn_argv("127.0.0.1", 8000, 2, var_dir=tmp_path)
    parsed = config.parser().parse_args(argv[4:])
    assert parsed.control_socket == str(tmp_path / "run" / "gunicorn-127.0.0.1-8000.ctl")
    deep = serve.gunicorn_argv("127.0.0.1", 8000, 2, var_dir=tmp_path / ("d" * 120))
    assert config.parser().parse_args(deep[4:]).control_socket_disable is True


def test_serve_dev_turns_debug_on_for_the_development_server_only(monkeypatch):
    calls = []
    monkeypatch.setenv("KOPDES_DEBUG", "0")  # recorded, so the test leaves no trace
    monkeypatch.delenv("KOPDES_DEBUG")
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: calls.append((args, kwargs)))
    call_command("serve", dev=True, port=8124, stdout=io.StringIO())
    assert calls and calls[0][0][0] == "runserver"
    assert os.environ["KOPDES_DEBUG"] == "1"


def test_without_django_settings_the_socket_goes_under_kopdes_var_dir(monkeypatch, tmp_path):
    """A benchmark's parent process builds the command line without Django settings."""
    from django.core.exceptions import ImproperlyConfigured

    class Unconfigured:
        @property
        def VAR_DIR(self):
            raise ImproperlyConfigured("no settings")

    monkeypatch.setattr(serve, "settings", Unconfigured())
    monkeypatch.setenv("KOPDES_VAR_DIR", str(tmp_path))
    argv = serve.gunicorn_argv("127.0.0.1", 8125, 1)
    assert _control_socket(argv) == str(tmp_path / "run" / "gunicorn-127.0.0.1-8125.ctl")
