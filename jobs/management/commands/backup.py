"""``python manage.py backup``: the database, the uploads and a manifest of SHA-256 sums in
one file in BACKUP_DIR, keeping the newest BACKUP_KEEP (see :mod:`jobs.backup`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jobs.backup import BackupError, backup_create, backup_verify, describe


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite's backup API) and MEDIA_ROOT "
        "with SHA-256 sums into BACKUP_DIR, keeping the newest BACKUP_KEEP."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", dest="folder", help="Write here instead of BACKUP_DIR.")
        parser.add_argument(
            "--keep", type=int, help="Keep this many backups instead of BACKUP_KEEP."
        )
        parser.add_argument(
            "--verify",
            metavar="FILE",
            help="Only check FILE against its manifest's sums; write nothing.",
        )

    def handle(self, *args, folder=None, keep=None, verify=None, **options) -> None:
        try:
            if verify:
                manifest = backup_verify(Path(verify))
                self.stdout.write(f"{verify}: every sum matches; {describe(manifest)}.")
                return
            result = backup_create(folder=Path(folder) if folder else None, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written: {result.path} ({describe(result.manifest)}).")
        for old in result.removed:
            self.stdout.write(f"Removed old backup: {old}")
