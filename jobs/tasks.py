"""The work the queue runs (django-tasks; ``python manage.py db_worker`` runs the queue).

Each task receives the id of its :class:`~jobs.models.JobProgress` row and records its
progress there after every step, so the page the user left can show how far it has come.
"""

from __future__ import annotations

import copy
import io
import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from clusters.models import Cluster
from jobs.models import JobProgress, JobStatus
from scoring.interchange import results_export, results_xlsx

logger = logging.getLogger(__name__)

_BAD_TITLE = "[]:*?/\\"


def _copy_sheet(source, target) -> None:
    """Copy a worksheet's values, number formats, fonts and frozen panes (what
    :func:`scoring.interchange.results_xlsx` sets) into another workbook's sheet."""
    for row in source.iter_rows():
        for cell in row:
            twin = target.cell(row=cell.row, column=cell.column, value=cell.value)
            twin.number_format = cell.number_format
            if cell.font.bold:
                twin.font = copy.copy(cell.font)
            if cell.data_type == "s":
                twin.data_type = "s"
    target.freeze_panes = source.freeze_panes


def _sheet_title(cluster: Cluster, taken: set[str]) -> str:
    base = "".join(c for c in f"{cluster.code} {cluster.number}" if c not in _BAD_TITLE)
    base = base[:28] or "cluster"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[:28]}~{n}"
    taken.add(title)
    return title


@task()
def export_campaign_results(job_id: str) -> str:
    """Every cluster's results of the job's campaign at its stage, one worksheet per
    cluster laid out by :func:`scoring.interchange.results_xlsx`, in one workbook."""
    from openpyxl import Workbook, load_workbook

    job = JobProgress.objects.select_related("campaign__organiser").get(pk=job_id)
    try:
        clusters = list(
            Cluster.objects.filter(campaign=job.campaign)
            .select_related("campaign__organiser")
            .order_by("number", "code")
        )
        job.status, job.total, job.done = JobStatus.RUNNING, len(clusters), 0
        job.save(update_fields=["status", "total", "done"])
        workbook = Workbook()
        workbook.remove(workbook.active)
        taken: set[str] = set()
        for cluster in clusters:
            document = results_export(cluster=cluster, stage=job.stage)
            stream = io.BytesIO()
            results_xlsx(document, stream)
            stream.seek(0)
            source = load_workbook(stream).active
            _copy_sheet(source, workbook.create_sheet(_sheet_title(cluster, taken)))
            job.done += 1
            job.message = cluster.name
            job.save(update_fields=["done", "message"])
        if not clusters:
            workbook.create_sheet("results")
        workbook.properties.title = f"{job.campaign.organiser.code} {job.campaign.year}"
        out = io.BytesIO()
        workbook.save(out)
        name = f"results-{job.campaign.organiser.code}-{job.campaign.year}-{job.stage}.xlsx"
        job.file.save(name, ContentFile(out.getvalue()), save=False)
        job.status, job.message, job.finished_at = JobStatus.DONE, "", timezone.now()
        job.save(update_fields=["file", "status", "message", "finished_at"])
    except Exception:
        logger.exception("Background job %s failed", job_id)
        job.status = JobStatus.FAILED
        job.message = _("The work stopped on an error. Start it again or ask an administrator.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        raise
    return job.file.name
