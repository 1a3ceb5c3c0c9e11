"""``kopdes createkoperasi``: register a koperasi from the command line (a system action)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.errors import DomainError
from kopdes.platform.tenancy.choices import BusinessUnit
from kopdes.platform.tenancy.services import create_koperasi


class Command(BaseCommand):
    help = "Register a koperasi with its official identity (validated like the web form)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="short name used in addresses")
        parser.add_argument("--badan-hukum", required=True, help="nomor badan hukum")
        parser.add_argument("--nik-koperasi", required=True)
        parser.add_argument("--region-code", required=True, help="Kemendagri code, 32.01.26.2001")
        parser.add_argument("--address", required=True)
        parser.add_argument(
            "--units",
            default="kantor",
            help=f"comma-separated business units: {','.join(BusinessUnit.values)}",
        )
        parser.add_argument("--fiscal-month", type=int, default=1, help="first month, 1-12")
        parser.add_argument(
            "--books-start",
            default="",
            help="first day of the books, YYYY-MM-DD (default: first day of this month)",
        )

    def handle(self, *args, **options):
        try:
            books_start = (
                dt.date.fromisoformat(options["books_start"]) if options["books_start"] else None
            )
        except ValueError:
            raise CommandError("Awal pembukuan harus berbentuk YYYY-MM-DD.") from None
        try:
            koperasi = create_koperasi(
                actor=None,
                name=options["name"],
                slug=options["slug"],
                badan_hukum_number=options["badan_hukum"],
                nik_koperasi=options["nik_koperasi"],
                region_code=options["region_code"],
                address=options["address"],
                business_units=[u for u in options["units"].split(",") if u.strip()],
                fiscal_year_start_month=options["fiscal_month"],
                books_start=books_start,
            )
        except DomainError as exc:
            field = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"Koperasi tidak didaftarkan{field}: {exc.message}") from exc
        self.stdout.write(f"Koperasi terdaftar: {koperasi.name} (/k/{koperasi.slug}/)")
