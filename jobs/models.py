"""The progress of long work run in the background by the django-tasks queue.

django-tasks keeps each run's status in its own result record (``task_id`` here) but has
no progress: a :class:`JobProgress` row says how far the work has come (``done`` of
``total``), what it is doing (``message``), and holds the file it produced, which is served
only to the user who started it. An import keeps the file it was given in ``upload``
(under MEDIA_ROOT, never served) and, when it fails, every problem in ``errors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusters.enums import PeriodKind


class JobKind(models.TextChoices):
    RESULTS_EXPORT = "results_export", _("Export of all results")
    SCORES_IMPORT = "scores_import", _("Import of scores")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class JobProgress(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_id = models.CharField(_("task result"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=JobKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("user"),
    )
    campaign = models.ForeignKey(
        "clusters.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("campaign"),
    )
    stage = models.CharField(_("stage"), max_length=16, blank=True)
    # An export's review: the year-end review (tổng kết) or the six-month review (sơ kết).
    period = models.CharField(
        _("review"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR_END
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to="jobs/%Y/", blank=True)
    upload = models.FileField(_("uploaded file"), upload_to="jobs/uploads/%Y/", blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == JobStatus.DONE else 0
        return round(100 * self.done / self.total)


class WorkerHeartbeat(models.Model):
    """A sign of life of one running queue worker (``python manage.py run_worker``).

    The worker's heartbeat thread sets ``beat_at`` every 30 seconds
    (:mod:`jobs.heartbeat`); ``/readyz`` is ready only when some worker beat within the
    last 5 minutes. A worker that stops cleanly deletes its row; the row of one that was
    killed simply grows old (``manage.py cleanup`` removes rows older than a day)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        ordering = ["-beat_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"
