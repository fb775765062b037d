"""``python manage.py cleanup [--dry-run]``: remove expired Excel previews, abandoned
uploads and background-job files older than RETENTION_DAYS (see :mod:`jobs.cleanup`),
printing each file removed and a summary. Never a file a database row still refers to.
Run daily by deploy/systemd/thidua-daily.service."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from jobs.cleanup import cleanup_apply, cleanup_plan


class Command(BaseCommand):
    help = (
        "Remove expired Excel previews, abandoned uploads and background-job files older "
        "than RETENTION_DAYS; never a file a database row refers to."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed; remove nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        plan = cleanup_plan()
        removed = plan.removals if dry_run else cleanup_apply(plan)
        verb = "would remove" if dry_run else "removed"
        for removal in removed:
            self.stdout.write(f"{verb} {removal.kind}: {removal.name} ({removal.size} bytes)")
        counts = dict.fromkeys(("preview", "abandoned", "job file"), 0)
        for removal in removed:
            counts[removal.kind] += 1
        self.stdout.write(
            f"{'Would remove' if dry_run else 'Removed'}: {counts['preview']} expired Excel "
            f"previews, {counts['abandoned']} abandoned uploads, {counts['job file']} job "
            f"files older than {settings.RETENTION_DAYS} days "
            f"({sum(r.size for r in removed)} bytes); "
            f"{plan.heartbeats} old worker heartbeats."
        )
