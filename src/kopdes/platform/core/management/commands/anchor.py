"""``kopdes anchor``: append every koperasi's chain heads to the anchor file (daily, cron).

    kopdes anchor                    # all koperasi and the platform's audit chain
    kopdes anchor --koperasi SLUG    # one koperasi
    kopdes anchor --file PATH        # another anchor file (default: var/anchors.jsonl)

Run it once a day (after the counter closes); month closes and backups anchor by themselves.
Keep a copy of the file off the machine: ``kopdes verify --anchors COPY`` checks against it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core import anchors


class Command(BaseCommand):
    help = "Write each koperasi's journal and audit chain heads to the signed anchor file."

    def add_arguments(self, parser):
        parser.add_argument("--koperasi", metavar="SLUG", help="anchor only this koperasi")
        parser.add_argument(
            "--file", metavar="PATH", help="anchor file (default var/anchors.jsonl)"
        )
        parser.add_argument("--reason", default="harian", help="why (default: harian)")

    def handle(self, *args, **options):
        from kopdes.platform.tenancy.models import Koperasi

        koperasi = None
        if options["koperasi"]:
            koperasi = Koperasi.objects.filter(slug=options["koperasi"]).first()
            if koperasi is None:
                raise CommandError(f"Koperasi '{options['koperasi']}' tidak ditemukan.")
        path = Path(options["file"]) if options["file"] else anchors.anchor_path()
        reason = " ".join(str(options["reason"]).split())[:80] or "harian"
        try:
            records = anchors.anchor_now(koperasi, reason=reason, path=path)
        except anchors.AnchorError as exc:
            raise CommandError(str(exc)) from exc
        if not records:
            self.stdout.write("Belum ada rantai yang dapat di-anchor (basis data kosong).")
            return
        for record in records:
            self.stdout.write(f"{record['slug']}: {anchors.describe_heads(record['heads'])}")
        self.stdout.write(f"anchor ditulis ke {path}: {len(records)} baris")
