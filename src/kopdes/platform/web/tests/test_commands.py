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
