"""``kopdes demo``: migrate, load the demo koperasi, print the logins, serve.

    kopdes demo                 # SQLite at var/kopdes.sqlite3 unless DATABASE_URL says otherwise
    kopdes demo --no-serve      # only prepare the database and print the logins
    kopdes demo --dev           # serve with Django's development server

Refused when ``KOPDES_ENV=production``: the demo accounts share a published password.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes.demo import DEMO_PASSWORD, DemoResult, build_demo
from kopdes.platform.web.management.commands.serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_WORKERS,
)


class Command(BaseCommand):
    help = "Migrate, load the demo koperasi (once), print the logins and serve kopdes."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="Do not start the server.")
        parser.add_argument("--host", default=DEFAULT_HOST)
        parser.add_argument("--port", type=int, default=DEFAULT_PORT)
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
        parser.add_argument("--dev", action="store_true", help="Django's development server.")

    def handle(self, *args, seed, no_serve, host, port, workers, dev, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                _(
                    "The demo is refused when KOPDES_ENV=production: "
                    "its accounts share a published password."
                )
            )
        self.stdout.write(_("Preparing the database: %(db)s") % {"db": _describe_database()})
        call_command("migrate", interactive=False, verbosity=0)
        result = build_demo(seed)
        if result.created:
            self.stdout.write(_("Demo data loaded."))
        else:
            self.stdout.write(_("Demo data was already there; nothing was changed."))
        self.print_logins(result, f"http://{host}:{port}")
        if not no_serve:
            call_command("serve", host=host, port=port, workers=workers, dev=dev)

    def print_logins(self, result: DemoResult, base_url: str) -> None:
        out = self.stdout
        out.write("")
        for koperasi in result.koperasi:
            out.write(f"  {koperasi.name}: {base_url}/k/{koperasi.slug}/")
        out.write("")
        out.write(
            _("Logins (the password of every demo account is %(password)s):")
            % {"password": DEMO_PASSWORD}
        )
        width = max(len(x.username) for x in result.logins)
        role_width = max(len(x.role_label) for x in result.logins)
        username, role, where = _("username"), _("role"), _("where")
        out.write(f"  {username.ljust(width)}  {role.ljust(role_width)}  {where}")
        for login in result.logins:
            where = login.koperasi_slug or (
                _("region %(code)s") % {"code": login.region_prefix}
                if login.region_prefix
                else _("all koperasi")
            )
            out.write(
                f"  {login.username.ljust(width)}  {login.role_label.ljust(role_width)}  {where}"
            )
        treasurer = result.treasurer
        out.write("")
        out.write(_("Officers log in in two steps. For the 6-digit code run, in another terminal:"))
        out.write(f"    kopdes totp {treasurer.username}")
        device = TOTPDevice.objects.filter(
            user__username=treasurer.username, confirmed=True
        ).first()
        if device is not None:
            out.write(_("or scan this into an authenticator app (it is the treasurer's secret):"))
            out.write(f"    {device.config_url}")
        out.write("")
        out.write(
            _("Start here: %(url)s as %(username)s (treasurer of %(koperasi)s).")
            % {
                "url": f"{base_url}/akun/masuk/",
                "username": treasurer.username,
                "koperasi": treasurer.koperasi_slug,
            }
        )
        out.write(_("These accounts are for trying kopdes only: never use them with real data."))
        out.write("")


def _describe_database() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('NAME', '')} @ {db.get('HOST') or 'localhost'}"
