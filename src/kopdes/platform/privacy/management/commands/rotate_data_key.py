"""``manage.py rotate_data_key``: re-encrypt personal data under the current data key.

Steps for a key rotation (see platform/privacy/README.md): generate a new secret, set it
as ``KOPDES_DATA_KEY``, put the previous one in ``KOPDES_DATA_KEY_OLD``, run this command,
then ``kopdes verify``; when ``--check`` reports 0 rows, drop the old key.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.privacy.crypto import DecryptionError
from kopdes.platform.privacy.maintenance import rotate_personal_data


class Command(BaseCommand):
    help = "Re-encrypt personal data still under an old data key; refresh blind indexes."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count rows that need rotation; exit 1 if there are any.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        try:
            report = rotate_personal_data(dry_run=check)
        except DecryptionError as exc:
            raise CommandError(f"Data pribadi tidak dapat dibuka: {exc}") from exc
        verb = "perlu diputar" if check else "diputar"
        self.stdout.write(
            f"{report.rows_checked} baris diperiksa, {report.rows_rotated} baris {verb}."
        )
        if check and report.rows_rotated:
            raise CommandError("Masih ada data pribadi dengan kunci lama.")
