"""``python manage.py backup``: the database, the uploads and a manifest of SHA-256 sums in
one file in BACKUP_DIR, keeping the newest BACKUP_KEEP (see :mod:`jobs.backup`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.backup import BackupError, backup_create, backup_verify, describe


class Command(BaseCommand):
    help = gettext_lazy(
        "Back up the database (pg_dump custom format, or SQLite's backup API) and MEDIA_ROOT "
        "with SHA-256 sums into BACKUP_DIR, keeping the newest BACKUP_KEEP."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir", dest="folder", help=gettext_lazy("Write here instead of BACKUP_DIR.")
        )
        parser.add_argument(
            "--keep", type=int, help=gettext_lazy("Keep this many backups instead of BACKUP_KEEP.")
        )
        parser.add_argument(
            "--verify",
            metavar="FILE",
            help=gettext_lazy("Only check FILE against its manifest's sums; write nothing."),
        )

    def handle(self, *args, folder=None, keep=None, verify=None, **options) -> None:
        try:
            if verify:
                manifest = backup_verify(Path(verify))
                self.stdout.write(
                    _("%(file)s: every sum matches; %(description)s.")
                    % {"file": verify, "description": describe(manifest)}
                )
                return
            result = backup_create(folder=Path(folder) if folder else None, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Backup written: %(file)s (%(description)s).")
            % {"file": result.path, "description": describe(result.manifest)}
        )
        for old in result.removed:
            self.stdout.write(_("Removed old backup: %(file)s") % {"file": old})
