"""``python manage.py restore FILE``: restore a backup made by ``manage.py backup`` into an
EMPTY database and an empty MEDIA_ROOT, after checking every SHA-256 sum of its manifest
(see :mod:`jobs.backup`). A damaged or changed file, a database with any table, or a
non-empty MEDIA_ROOT are refused and nothing is written."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.backup import BackupError, backup_restore, describe


class Command(BaseCommand):
    help = gettext_lazy(
        "Restore a backup (manage.py backup) into an empty database and empty MEDIA_ROOT."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", metavar="FILE", help=gettext_lazy("A thidua-*.tar file from BACKUP_DIR.")
        )

    def handle(self, *args, file: str, **options) -> None:
        try:
            manifest = backup_restore(path=Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Restored %(description)s.") % {"description": describe(manifest)})
        self.stdout.write(
            _(
                "Next: python manage.py migrate (when this release is newer than the "
                "backup's), then start the services."
            )
        )
