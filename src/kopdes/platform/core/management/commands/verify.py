"""``kopdes verify``: run every registered check and exit non-zero on the first difference."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.verification import CHECKS


class Command(BaseCommand):
    help = "Recompute hash chains and balances from first principles; fail on any difference."

    def add_arguments(self, parser):
        parser.add_argument("--koperasi", metavar="SLUG", help="check only this koperasi")

    def handle(self, *args, **options):
        from kopdes.platform.tenancy.models import Koperasi

        koperasi = None
        if options["koperasi"]:
            koperasi = Koperasi.objects.filter(slug=options["koperasi"]).first()
            if koperasi is None:
                raise CommandError(f"Koperasi '{options['koperasi']}' tidak ditemukan.")
        if not CHECKS:
            raise CommandError("Tidak ada pemeriksaan yang terdaftar.")
        failed = []
        for _name, check in CHECKS:
            result = check(koperasi)
            if result.ok:
                self.stdout.write(f"{result.name}: {result.checked} {result.unit} diperiksa, cocok")
            else:
                self.stdout.write(
                    f"{result.name}: {result.checked} {result.unit} diperiksa, "
                    f"{len(result.problems)} masalah"
                )
                for problem in result.problems:
                    self.stderr.write(f"  - {problem}")
                failed.append(result)
        if failed:
            first = failed[0]
            raise CommandError(f"verifikasi GAGAL: {first.name}: {first.problems[0]}", returncode=1)
        self.stdout.write("verifikasi selesai: semua cocok")
