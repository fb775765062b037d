"""Writes of the jobs app: starting background work."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clusters.enums import PeriodKind
from clusters.models import Campaign, User
from jobs.models import JobKind, JobProgress, JobStatus


def results_export_start(
    *, user: User, campaign: Campaign, stage: str, period: str = PeriodKind.YEAR_END
) -> JobProgress:
    """Record a job exporting every cluster's results of ``campaign`` at ``stage`` of
    ``period`` (a PeriodKind: the year-end review unless told) and put it on the queue.
    The job row is committed before the task is enqueued, so a worker never looks for a row
    it cannot see yet."""
    from jobs.tasks import export_campaign_results

    with transaction.atomic():
        job = JobProgress(
            kind=JobKind.RESULTS_EXPORT, user=user, campaign=campaign, stage=stage, period=period
        )
        job.full_clean()
        job.save()
    result = export_campaign_results.enqueue(str(job.pk))
    JobProgress.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def scores_import_start(*, user: User, campaign: Campaign, upload) -> JobProgress:
    """Store ``upload`` (a zip of ``thidua.scores/1`` files, or one such file) with a job
    importing it into ``campaign``, and put the job on the queue once both are committed."""
    from jobs.tasks import import_campaign_scores

    with transaction.atomic():
        job = JobProgress(kind=JobKind.SCORES_IMPORT, user=user, campaign=campaign)
        job.upload.save(upload.name.rsplit("/", 1)[-1][:100], upload, save=False)
        job.full_clean()
        job.save()
    result = import_campaign_scores.enqueue(str(job.pk))
    JobProgress.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def job_sync(*, job: JobProgress) -> JobProgress:
    """Mark an unfinished job failed when the queue says its task failed without recording
    it (the worker stopped, or the task could not start). Other jobs are returned as they
    are; a backend that keeps no results changes nothing."""
    if job.is_finished or not job.task_id:
        return job
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from jobs.tasks import export_campaign_results, import_campaign_scores

    task = import_campaign_scores if job.kind == JobKind.SCORES_IMPORT else export_campaign_results
    try:
        result = task.get_result(job.task_id)
    except (NotImplementedError, TaskResultDoesNotExist):
        return job
    if result.status == TaskResultStatus.FAILED:
        job.status = JobStatus.FAILED
        job.message = gettext(
            "The work stopped on an error. Start it again or ask an administrator."
        )
        job.finished_at = result.finished_at or timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
    return job
