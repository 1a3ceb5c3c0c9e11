"""``kopdes createtoken USER --name N``: a new API bearer token, printed once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.models import User
from kopdes.platform.identity.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (only its SHA-256 is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna tidak ditemukan: {username!r}.")
        try:
            _token, raw = create_api_token(user, actor=None, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)
        self.stderr.write("Simpan token ini sekarang; token tidak akan ditampilkan lagi.")
