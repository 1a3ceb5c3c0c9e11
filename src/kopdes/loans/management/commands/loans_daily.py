"""``kopdes loans-daily [--date YYYY-MM-DD] [--koperasi SLUG] [--ppap]``: the daily loan job.

For every koperasi (or one): days past due and kolektibilitas of each active loan, and on
the last day of a month (or with ``--ppap``) the PPAP provision posting (only the change).
Run it from cron/systemd once a day after closing the counter. Re-running it the same day
changes nothing. Bad input: "Kesalahan: <pesan>" on stderr, exit 1.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kopdes.domain.money import format_rupiah
from kopdes.loans import services
from kopdes.platform.core.errors import DomainError
from kopdes.platform.tenancy.models import Koperasi


class Kesalahan(CommandError):
    """Shown on stderr as "Kesalahan: <pesan>"."""


class Command(BaseCommand):
    help = "Hitung hari tunggakan, kolektibilitas dan PPAP akhir bulan semua pinjaman aktif."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="tanggal hitung YYYY-MM-DD (bawaan: hari ini)")
        parser.add_argument("--koperasi", help="slug satu koperasi (bawaan: semua)")
        parser.add_argument(
            "--ppap", action="store_true", help="posting PPAP walau bukan akhir bulan"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise Kesalahan("Tanggal harus berbentuk YYYY-MM-DD, misalnya 2026-03-31.") from None
        koperasi_list = Koperasi.objects.order_by("slug")
        if options["koperasi"]:
            koperasi_list = koperasi_list.filter(slug=options["koperasi"])
            if not koperasi_list.exists():
                raise Kesalahan(f"Koperasi '{options['koperasi']}' tidak ditemukan.")
        for koperasi in koperasi_list:
            started = time.perf_counter()
            # Today where the koperasi is (WIB, WITA or WIT), unless a date was given.
            as_of = day or koperasi.today()
            try:
                result = services.run_daily(
                    koperasi, actor=None, as_of=as_of, post_ppap=True if options["ppap"] else None
                )
            except DomainError as exc:
                raise Kesalahan(f"{koperasi.slug}: {exc.message}") from None
            entry = f", jurnal PPAP {result.ppap_entry.number}" if result.ppap_entry else ""
            self.stdout.write(
                f"{koperasi.slug} {as_of}: {result.loans} pinjaman aktif, "
                f"{result.changed} berubah, "
                f"PPAP dibutuhkan {format_rupiah(result.ppap_required)}{entry} "
                f"({time.perf_counter() - started:.2f} s)"
            )
