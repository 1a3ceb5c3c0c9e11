"""``kopdes totp USER``: print the current TOTP code of a user (demo and tests only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.models import User
from kopdes.platform.identity.selectors import confirmed_totp_device
from kopdes.platform.identity.services import current_totp_code


class Command(BaseCommand):
    help = (
        "Print a 6-digit code the user's confirmed authenticator would show now "
        "(for the demo and browser tests; refused when KOPDES_ENV=production)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "Perintah totp tidak boleh dipakai di produksi (KOPDES_ENV=production)."
            )
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna tidak ditemukan: {username!r}.")
        device = confirmed_totp_device(user)
        if device is None:
            raise CommandError(f"Pengguna {username} belum memasang aplikasi autentikator.")
        try:
            code = current_totp_code(device)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(code)
