"""``kopdes backup``: one verified archive of the database in ``var/backups/``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kopdes.platform.core.backup import BackupError, Target, create_backup


class Command(BaseCommand):
    help = "Back up the database (SQLite backup API or pg_dump) with a checksummed manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="folder or .tar file (default: var/backups/)")
        parser.add_argument("--database-url", help="back up this database instead")

    def handle(self, *args, **options):
        target = Target.from_url(options["database_url"]) if options["database_url"] else None
        output = Path(options["output"]) if options["output"] else None
        try:
            archive = create_backup(output, target=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"cadangan dibuat: {archive}")
