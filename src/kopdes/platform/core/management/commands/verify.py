"""``kopdes verify``: run every registered check and exit non-zero on the first difference.

Then compares the database with the anchored chain heads (``core.anchors``): every
``--anchors FILE`` given, or the local ``var/anchors.jsonl`` when it exists.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core import anchors
from kopdes.platform.core.verification import CHECKS


class Command(BaseCommand):
    help = "Recompute hash chains and balances from first principles; fail on any difference."

    def add_arguments(self, parser):
        parser.add_argument("--koperasi", metavar="SLUG", help="check only this koperasi")
        parser.add_argument(
            "--anchors",
            metavar="FILE",
            action="append",
            default=[],
            help="anchor file to compare the chain heads with (repeatable; "
            "default: var/anchors.jsonl when it exists)",
        )
        parser.add_argument(
            "--no-anchors", action="store_true", help="do not compare with any anchor file"
        )

    def handle(self, *args, **options):
        from kopdes.platform.tenancy.models import Koperasi

        koperasi = None
        if options["koperasi"]:
            koperasi = Koperasi.objects.filter(slug=options["koperasi"]).first()
            if koperasi is None:
                raise CommandError(f"Koperasi '{options['koperasi']}' tidak ditemukan.")
        if not CHECKS:
            raise CommandError("Tidak ada pemeriksaan yang terdaftar.")
        results = [check(koperasi) for _name, check in CHECKS]
        anchored = self.anchor_result(options, koperasi)
        if anchored is not None:
            results.append(anchored)
        failed = []
        for result in results:
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

    def anchor_result(self, options, koperasi):
        if options["no_anchors"]:
            if options["anchors"]:
                raise CommandError("--anchors dan --no-anchors tidak dapat dipakai bersama.")
            self.stdout.write("anchor kepala rantai: dilewati (--no-anchors)")
            return None
        if options["anchors"]:
            paths = [Path(p) for p in options["anchors"]]
            return anchors.check_anchor_files(paths, koperasi)
        local = anchors.anchor_path()
        result = anchors.check_anchor_files([local], koperasi, required=False)
        if result is None:
            self.stdout.write(
                f"anchor kepala rantai: berkas {local} belum ada, baris terbaru belum dapat "
                "dibuktikan (jalankan `kopdes anchor`)"
            )
        return result
