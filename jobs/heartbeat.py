"""The queue worker's heartbeat: proof for ``/readyz`` that background work is being run.

``python manage.py run_worker`` (django-tasks-db's ``db_worker`` with a heartbeat) starts a
:class:`HeartbeatThread` that records a beat every :data:`INTERVAL` seconds in
:class:`~jobs.models.WorkerHeartbeat`. The thread beats while a long task runs, since the
worker's process is alive; it stops, and its row is deleted, when the worker stops.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.db import close_old_connections, connection
from django.utils import timezone

from jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# How often a worker beats, and how old the newest beat may be before /readyz fails.
INTERVAL = 30
MAX_AGE = timedelta(minutes=5)


def heartbeat_record(*, worker_id: str, started_at: datetime) -> WorkerHeartbeat:
    """Record that ``worker_id`` (this process) is alive now."""
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
        },
    )
    return beat


def heartbeat_forget(*, worker_id: str) -> None:
    """Remove a worker's row when it stops cleanly."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def latest_heartbeat() -> datetime | None:
    """When some worker last beat, or None when none ever did."""
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


class HeartbeatThread(threading.Thread):
    """Beats every ``interval`` seconds until :meth:`stop`. A failed beat (the database
    restarting) is logged and tried again at the next beat; the worker goes on."""

    def __init__(self, worker_id: str, interval: float = INTERVAL) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self._stopped = threading.Event()

    def beat(self) -> None:
        try:
            close_old_connections()
            heartbeat_record(worker_id=self.worker_id, started_at=self.started_at)
        except Exception:
            logger.exception("Worker %s could not record its heartbeat", self.worker_id)

    def run(self) -> None:
        # The first beat is made by the caller before start(), so the worker counts as
        # alive from its first moment.
        try:
            while not self._stopped.wait(self.interval):
                self.beat()
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop beating and forget the worker (called as the worker stops)."""
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=5)
        try:
            heartbeat_forget(worker_id=self.worker_id)
        except Exception:
            logger.exception("Worker %s could not remove its heartbeat", self.worker_id)
