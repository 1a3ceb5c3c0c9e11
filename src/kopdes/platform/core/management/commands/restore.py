"""``kopdes restore ARCHIVE``: verify every checksum first, then restore, then check again."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.backup import BackupError, Target, restore_backup


class Command(BaseCommand):
    help = "Restore a kopdes backup archive; refuses damaged or foreign archives."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--target", help="SQLite file or PostgreSQL URL (default: the configured database)"
        )
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database that already has data"
        )

    def handle(self, *args, **options):
        target = Target.from_url(options["target"]) if options["target"] else None
        try:
            report = restore_backup(Path(options["archive"]), target=target, force=options["force"])
        except BackupError as exc:
            raise CommandError(f"pemulihan DITOLAK: {exc}") from exc
        self.stdout.write(f"dipulihkan ke {report.target}: integritas {report.integrity}")
        self.stdout.write("checksum data cocok dengan arsip")
        if report.pending_migrations:
            self.stdout.write(
                f"perhatian: {len(report.pending_migrations)} migrasi belum diterapkan; "
                "jalankan `kopdes migrate`"
            )
