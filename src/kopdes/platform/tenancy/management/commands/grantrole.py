"""``kopdes grantrole USER --role ROLE [--koperasi SLUG] [--region PREFIX]``: a system grant.

For the roles nobody can hand out through a page yet: the first admin, a dinas for a
region, a pendamping, kementerian. Koperasi roles need ``--koperasi``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.choices import CROSS_ROLES, KOPERASI_ROLES
from kopdes.platform.identity.models import User
from kopdes.platform.identity.services import grant_cross_role, grant_role
from kopdes.platform.tenancy.models import Koperasi


class Command(BaseCommand):
    help = "Give an existing user a role (across koperasi, or in one koperasi with --koperasi)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            help="one of: " + ", ".join(sorted(r.value for r in KOPERASI_ROLES | CROSS_ROLES)),
        )
        parser.add_argument("--koperasi", help="slug, for a role inside one koperasi")
        parser.add_argument(
            "--region", default="", help="Kemendagri region prefix for dinas/pendamping (32.01)"
        )

    def handle(self, *args, username, role, koperasi, region, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna tidak ditemukan: {username!r}.")
        valid = {r.value for r in KOPERASI_ROLES | CROSS_ROLES}
        if role not in valid:
            raise CommandError(
                f"Peran tidak dikenal: {role!r}. Pilih salah satu: {', '.join(sorted(valid))}."
            )
        try:
            if role in {r.value for r in CROSS_ROLES}:
                if koperasi:
                    raise CommandError(f"Peran {role} berlaku lintas koperasi; hapus --koperasi.")
                grant_cross_role(user, actor=None, role=role, region_prefix=region)
            else:
                kop = Koperasi.objects.filter(slug=koperasi or "").first()
                if kop is None:
                    raise CommandError(
                        f"Peran {role} memerlukan --koperasi yang ada (diberikan: {koperasi!r})."
                    )
                grant_role(user, kop, actor=None, role=role)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Peran {role} diberikan kepada {username}."))
