"""``kopdes export-ledger --format hledger|beancount [--koperasi SLUG] [--output FILE]``.

Writes the whole journal of one koperasi so an auditor can check it with hledger or
beancount (``hledger -f FILE bal``, ``bean-check FILE``). ``--koperasi`` may be left out
when the installation holds exactly one koperasi.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from kopdes.ledger.export import FORMATS, export_ledger
from kopdes.platform.tenancy.models import Koperasi


class Command(BaseCommand):
    help = "Export the journal as hledger or beancount text."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="hledger")
        parser.add_argument("--koperasi", help="slug of the koperasi (needed when several)")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        slug = options.get("koperasi")
        if slug:
            koperasi = Koperasi.objects.filter(slug=slug).first()
            if koperasi is None:
                raise CommandError(f"Koperasi '{slug}' tidak ditemukan.")
        else:
            found = list(Koperasi.objects.order_by("slug")[:2])
            if len(found) != 1:
                raise CommandError(
                    "Sebutkan --koperasi SLUG (ada lebih dari satu koperasi, atau belum ada)."
                )
            koperasi = found[0]
        output = options.get("output")
        stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            for chunk in export_ledger(koperasi, options["format"]):
                stream.write(chunk)
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"Jurnal {koperasi.slug} ditulis ke {output}.")
