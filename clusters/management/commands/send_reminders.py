"""``python manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]``: the daily reminders
(clusters.services.notices.reminders_daily; docs/notifications.md): a review's phase open,
and its work due in 3 days and in 1 day for whoever still has it. Each is sent once, so
running it twice a day sends nothing twice. Run every morning by
deploy/systemd/thidua-reminders.timer (or cron)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.services.notices import reminders_daily


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = gettext_lazy(
        "Send the daily reminders: phases opened, and deadlines in 3 days and in 1 day to "
        "whoever still has the work. Each is sent once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--date",
            help=gettext_lazy("Run as of this day (YYYY-MM-DD); today by default."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Count what would be sent; send and record nothing."),
        )

    def handle(self, *args, date: str | None, dry_run: bool, **options) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(_("--date must be a day written YYYY-MM-DD.")) from None
        try:
            with transaction.atomic():
                count = reminders_daily(today=today)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        values = {"day": today.isoformat(), "opened": count.opened, "closing": count.closing}
        if dry_run:
            line = _(
                "%(day)s (dry run, nothing sent): %(opened)d phase-opened and %(closing)d "
                "deadline notifications would be sent."
            )
        else:
            line = _(
                "%(day)s: %(opened)d phase-opened and %(closing)d deadline notifications sent."
            )
        self.stdout.write(line % values)
