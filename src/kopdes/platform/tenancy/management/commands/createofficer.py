"""``kopdes createofficer``: create an officer account with a role in one koperasi."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.choices import KOPERASI_ROLES
from kopdes.platform.identity.services import create_officer
from kopdes.platform.tenancy.models import Koperasi


class Command(BaseCommand):
    help = "Create an officer (pengurus) of a koperasi with one role. Prompts for the password."

    def add_arguments(self, parser):
        parser.add_argument("--koperasi", required=True, help="slug of the koperasi")
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True, dest="full_name")
        parser.add_argument(
            "--role",
            required=True,
            help="one of: " + ", ".join(sorted(r.value for r in KOPERASI_ROLES)),
        )
        parser.add_argument(
            "--password", help="the password (omit to be asked for it without echo)"
        )

    def handle(self, *args, koperasi, username, full_name, role, password, **options):
        kop = Koperasi.objects.filter(slug=koperasi).first()
        if kop is None:
            raise CommandError(f"Koperasi tidak ditemukan: {koperasi!r}.")
        valid_roles = {r.value for r in KOPERASI_ROLES}
        if role not in valid_roles:
            raise CommandError(
                f"Peran tidak dikenal: {role!r}. "
                f"Pilih salah satu: {', '.join(sorted(valid_roles))}."
            )
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError("Berikan --password, atau jalankan di terminal agar ditanya.")
            password = getpass.getpass("Kata sandi: ")
            if password != getpass.getpass("Kata sandi (ulangi): "):
                raise CommandError("Kedua kata sandi tidak sama.")
        try:
            user = create_officer(
                kop,
                actor=None,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"Pengurus {user.username} ({role}) dibuat di {kop.slug}.")
        )
