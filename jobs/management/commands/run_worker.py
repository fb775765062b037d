"""``python manage.py run_worker``: the queue worker of production and ``make run``.

It is django-tasks-db's ``db_worker`` (same options) with a heartbeat thread that records,
every 30 seconds, that this worker is alive (:mod:`jobs.heartbeat`); ``/readyz`` fails when
no worker beat within 5 minutes. With ``--reload`` only the reloaded child process beats.
"""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.heartbeat import HeartbeatThread


class Command(DbWorkerCommand):
    help = gettext_lazy("Run the background queue's worker and record its heartbeat for /readyz.")

    def handle(self, *args, **options) -> None:
        worker_process = (
            not options["reload"]
            or options["batch"]  # db_worker turns the reloader off for --batch
            or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        )
        if not worker_process:  # the reloader's parent only watches the files
            return super().handle(*args, **options)
        heartbeat = HeartbeatThread(options["worker_id"])
        heartbeat.beat()
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
