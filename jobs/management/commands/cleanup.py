"""``python manage.py cleanup [--dry-run]``: remove expired Excel previews, abandoned
uploads and background-job files older than RETENTION_DAYS (see :mod:`jobs.cleanup`),
printing each file removed and a summary. Never a file a database row still refers to.
Run daily by deploy/systemd/thidua-daily.service."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.cleanup import cleanup_apply, cleanup_plan


def _kinds() -> dict[str, str]:
    return {
        "preview": _("expired Excel preview"),
        "abandoned": _("abandoned upload"),
        "job file": _("job file"),
    }


class Command(BaseCommand):
    help = gettext_lazy(
        "Remove expired Excel previews, abandoned uploads and background-job files older "
        "than RETENTION_DAYS; never a file a database row refers to."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("List what would be removed; remove nothing."),
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        plan = cleanup_plan()
        removed = plan.removals if dry_run else cleanup_apply(plan)
        kinds = _kinds()
        line = (
            _("would remove %(kind)s: %(name)s (%(size)d bytes)")
            if dry_run
            else _("removed %(kind)s: %(name)s (%(size)d bytes)")
        )
        for removal in removed:
            self.stdout.write(
                line % {"kind": kinds[removal.kind], "name": removal.name, "size": removal.size}
            )
        counts = dict.fromkeys(kinds, 0)
        for removal in removed:
            counts[removal.kind] += 1
        summary = (
            _(
                "Would remove: %(previews)d expired Excel previews, %(abandoned)d abandoned "
                "uploads, %(jobs)d job files older than %(days)d days (%(size)d bytes); "
                "%(heartbeats)d old worker heartbeats."
            )
            if dry_run
            else _(
                "Removed: %(previews)d expired Excel previews, %(abandoned)d abandoned "
                "uploads, %(jobs)d job files older than %(days)d days (%(size)d bytes); "
                "%(heartbeats)d old worker heartbeats."
            )
        )
        self.stdout.write(
            summary
            % {
                "previews": counts["preview"],
                "abandoned": counts["abandoned"],
                "jobs": counts["job file"],
                "days": settings.RETENTION_DAYS,
                "size": sum(r.size for r in removed),
                "heartbeats": plan.heartbeats,
            }
        )
