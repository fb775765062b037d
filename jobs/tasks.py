"""The work the queue runs (django-tasks; ``python manage.py db_worker`` runs the queue).

Each task receives the id of its :class:`~jobs.models.JobProgress` row and records its
progress there after every step, so the page the user left can show how far it has come.
"""

from __future__ import annotations

import io
import logging
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from clusters.enums import PeriodKind
from clusters.models import Cluster
from jobs.models import JobProgress, JobStatus
from scoring.interchange import (
    ScoringFileError,
    parse_json,
    results_export,
    scores_import,
    scores_read,
)
from scoring.interchange.results import BAD_TITLE, result_rows, write_sheet

logger = logging.getLogger(__name__)


def _write_sheet(workbook, title: str, document: dict) -> None:
    """Lay one cluster's results out as :func:`scoring.interchange.results_xlsx` does
    (write_sheet), streamed into a write-only worksheet."""
    header, rows = result_rows(document)
    write_sheet(workbook, title, header, rows, freeze="B2")


def _sheet_title(cluster: Cluster, taken: set[str]) -> str:
    base = "".join(c for c in f"{cluster.code} {cluster.number}" if c not in BAD_TITLE)
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
    cluster laid out as :func:`scoring.interchange.results_xlsx` does, in one workbook
    written in openpyxl's write-only mode (docs/performance.md, "Reports and exports")."""
    from openpyxl import Workbook

    job = JobProgress.objects.select_related("campaign__organiser").get(pk=job_id)
    try:
        clusters = list(
            Cluster.objects.filter(campaign=job.campaign)
            .select_related("campaign__organiser")
            .order_by("number", "code")
        )
        job.status, job.total, job.done = JobStatus.RUNNING, len(clusters), 0
        job.save(update_fields=["status", "total", "done"])
        workbook = Workbook(write_only=True)
        taken: set[str] = set()
        for cluster in clusters:
            document = results_export(cluster=cluster, stage=job.stage, period=job.period)
            _write_sheet(workbook, _sheet_title(cluster, taken), document)
            job.done += 1
            job.message = cluster.name
            job.save(update_fields=["done", "message"])
        if not clusters:
            workbook.create_sheet("results")
        workbook.properties.title = f"{job.campaign.organiser.code} {job.campaign.year}"
        out = io.BytesIO()
        workbook.save(out)
        suffix = "" if job.period == PeriodKind.YEAR_END else f"-{job.period}"
        name = f"results-{job.campaign.organiser.code}-{job.campaign.year}-{job.stage}{suffix}.xlsx"
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


# --- Import of a province's scores --------------------------------------------------------

MAX_FILES = 500


def upload_members(handle, name: str, limit: int) -> list[tuple[str, bytes]]:
    """The ``thidua.scores/1`` files of an upload: the ``.json`` members of a zip (folders,
    hidden files and other names skipped), or the upload itself when it is one JSON file.
    Raises :class:`ScoringFileError` when the zip cannot be read, holds no JSON file, too
    many files, or a member larger than ``limit`` bytes (a zip bomb stops there)."""
    if not zipfile.is_zipfile(handle):
        handle.seek(0)
        return [(name, handle.read(limit + 1))]
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and info.filename.lower().endswith(".json")
                and not any(part.startswith((".", "__MACOSX")) for part in info.filename.split("/"))
            ]
            if not infos:
                raise ScoringFileError([_("%(file)s: holds no JSON file") % {"file": name}])
            if len(infos) > MAX_FILES:
                raise ScoringFileError(
                    [
                        _("%(file)s: holds more than %(count)d files")
                        % {"file": name, "count": MAX_FILES}
                    ]
                )
            members = []
            for info in sorted(infos, key=lambda i: i.filename):
                with archive.open(info) as member:
                    members.append((info.filename, member.read(limit + 1)))
            return members
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise ScoringFileError(
            [_("%(file)s: cannot be read (%(error)s)") % {"file": name, "error": exc}]
        ) from exc


def _decode(source: str, raw: bytes, limit: int):
    if len(raw) > limit:
        raise ScoringFileError([_("%(file)s: the file is too large") % {"file": source}])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScoringFileError(
            [_("%(file)s: cannot be read (%(error)s)") % {"file": source, "error": exc}]
        ) from exc
    return parse_json(text, source=source)


def _check_campaign(source: str, cluster: Cluster, job: JobProgress) -> None:
    if cluster.campaign_id != job.campaign_id:
        raise ScoringFileError(
            [
                _("%(file)s: the file is about another campaign than %(campaign)s")
                % {"file": source, "campaign": job.campaign.name}
            ]
        )


def _fail(job: JobProgress, errors: list[str]) -> None:
    job.status, job.errors, job.finished_at = JobStatus.FAILED, errors, timezone.now()
    job.message = ngettext(
        "Nothing was imported: %(count)d error.",
        "Nothing was imported: %(count)d errors.",
        len(errors),
    ) % {"count": len(errors)}
    job.save(update_fields=["status", "errors", "message", "finished_at"])


@task()
def import_campaign_scores(job_id: str) -> int:
    """Import every ``thidua.scores/1`` file of the job's upload into its campaign: the
    whole upload or nothing.

    First every file is checked with :func:`scoring.interchange.scores_read` (writing
    nothing), one file after another, and ``done`` is committed after each, so the
    progress bar moves. When any file is refused, the job fails with every message of every
    file. Otherwise all files are stored by :func:`scoring.interchange.scores_import` in ONE
    transaction (each file's own transaction becomes a savepoint): an error there (a value
    changed in between) rolls back every file. Progress is not written inside that
    transaction (it would not be visible, and SQLite has one writer); the message says
    that N files are being stored. Returns the number of files imported."""
    job = JobProgress.objects.select_related("campaign__organiser").get(pk=job_id)
    organiser = job.campaign.organiser.code
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    try:
        try:
            with job.upload.open("rb") as handle:
                files = upload_members(handle, job.upload.name.rsplit("/", 1)[-1], limit)
        except ScoringFileError as error:
            _fail(job, error.errors)
            return 0
        job.status, job.total, job.done = JobStatus.RUNNING, len(files), 0
        job.save(update_fields=["status", "total", "done"])
        errors: list[str] = []
        documents = []
        for source, raw in files:
            job.message = _("Checking %(file)s") % {"file": source}
            job.save(update_fields=["message"])
            try:
                data = _decode(source, raw, limit)
                plan = scores_read(data, source=source, organiser=organiser)
                _check_campaign(source, plan.cluster, job)
                documents.append((source, data))
            except ScoringFileError as error:
                errors.extend(error.errors)
            job.done += 1
            job.save(update_fields=["done"])
        if errors:
            _fail(job, errors)
            return 0
        job.message = _("Storing %(count)d files") % {"count": len(documents)}
        job.save(update_fields=["message"])
        try:
            with transaction.atomic():
                for source, data in documents:
                    summary = scores_import(data, source=source, organiser=organiser)
                    _check_campaign(source, summary.cluster, job)
        except ScoringFileError as error:
            _fail(job, error.errors)
            return 0
        job.status, job.finished_at = JobStatus.DONE, timezone.now()
        job.message = ngettext(
            "%(count)d file imported.", "%(count)d files imported.", len(documents)
        ) % {"count": len(documents)}
        job.save(update_fields=["status", "message", "finished_at"])
    except Exception:
        logger.exception("Background job %s failed", job_id)
        _fail(job, [_("The work stopped on an error. Start it again or ask an administrator.")])
        raise
    return len(documents)
