"""Writes of the jobs app: starting background work."""

from __future__ import annotations

from django.db import transaction

from clusters.models import Campaign, User
from jobs.models import JobKind, JobProgress


def results_export_start(*, user: User, campaign: Campaign, stage: str) -> JobProgress:
    """Record a job exporting every cluster's results of ``campaign`` at ``stage`` and put
    it on the queue. The job row is committed before the task is enqueued, so a worker
    never looks for a row it cannot see yet."""
    from jobs.tasks import export_campaign_results

    with transaction.atomic():
        job = JobProgress(kind=JobKind.RESULTS_EXPORT, user=user, campaign=campaign, stage=stage)
        job.full_clean()
        job.save()
    result = export_campaign_results.enqueue(str(job.pk))
    JobProgress.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job
