"""What ``python manage.py cleanup`` removes, and removing it.

Three kinds of file that nobody needs any more, under MEDIA_ROOT:

- **expired Excel previews**: a grid (or targets) upload waits in MEDIA_ROOT/excel-previews
  between its preview and its confirmation (:func:`emulation.files.preview_folder`).
  One older than :data:`PREVIEW_MAX_AGE` that no live session still names has expired.
- **abandoned uploads**: files under MEDIA_ROOT/jobs/ that no database row refers to
  (a background import whose job row was never committed, a result written by a worker
  that stopped), older than :data:`ABANDONED_GRACE` so a job being created is left alone.
- **old job files**: the result file and the uploaded file of a background job finished
  (or never started) more than ``RETENTION_DAYS`` days ago. The job's row stays, without
  its file: the reference is cleared in the database before the file is deleted.

A file that some row of any model still refers to (any FileField, the history included) is
never removed. The queue workers' heartbeats older than a day are removed too.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from emulation.files import PREVIEW_FOLDER
from jobs.models import JobProgress, WorkerHeartbeat

logger = logging.getLogger(__name__)

PREVIEW_MAX_AGE = timedelta(hours=24)
ABANDONED_GRACE = timedelta(days=1)
HEARTBEAT_MAX_AGE = timedelta(days=1)
JOBS_FOLDER = "jobs"


@dataclass(frozen=True)
class Removal:
    """One file to remove: its kind (``preview``, ``abandoned``, ``job file``), its path
    under MEDIA_ROOT, its size, and for a job's file the job and the field to clear."""

    kind: str
    name: str
    size: int
    job_id: str | None = None
    field: str | None = None


@dataclass
class CleanupPlan:
    removals: list[Removal]
    heartbeats: int

    @property
    def size(self) -> int:
        return sum(r.size for r in self.removals)


def _media() -> Path:
    return Path(settings.MEDIA_ROOT)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())


def referenced_files() -> set[str]:
    """Every file name some row of some model refers to (storage names, MEDIA_ROOT-relative)."""
    names: set[str] = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            names.update(
                model._base_manager.exclude(**{field: ""})
                .exclude(**{f"{field}__isnull": True})
                .values_list(field, flat=True)
                .iterator()
            )
    return names


def _live_session_text() -> str:
    """The decoded data of every unexpired session, as one text to search tokens in."""
    parts = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            parts.append(json.dumps(session.get_decoded(), default=str))
        except Exception:  # a session signed with an older key cannot be read: skip it
            continue
    return "\n".join(parts)


def _previews(now: datetime, referenced: set[str]) -> list[Removal]:
    folder = _media() / PREVIEW_FOLDER
    if not folder.is_dir():
        return []
    old = [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and now - _mtime(path) > PREVIEW_MAX_AGE
    ]
    if not old:
        return []
    sessions = _live_session_text()
    return [
        Removal("preview", path.relative_to(_media()).as_posix(), path.stat().st_size)
        for path in old
        if path.stem not in sessions and path.relative_to(_media()).as_posix() not in referenced
    ]


def _job_files(cutoff: datetime) -> list[Removal]:
    removals = []
    old = JobProgress.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    ).exclude(file="", upload="")
    for job in old.order_by("created_at"):
        for field in ("file", "upload"):
            stored = getattr(job, field)
            if not stored:
                continue
            path = _media() / stored.name
            size = path.stat().st_size if path.is_file() else 0
            removals.append(Removal("job file", stored.name, size, str(job.pk), field))
    return removals


def _abandoned(now: datetime, referenced: set[str], planned: set[str]) -> list[Removal]:
    folder = _media() / JOBS_FOLDER
    if not folder.is_dir():
        return []
    removals = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(_media()).as_posix()
        if name in referenced or name in planned or now - _mtime(path) <= ABANDONED_GRACE:
            continue
        removals.append(Removal("abandoned", name, path.stat().st_size))
    return removals


def cleanup_plan(*, now: datetime | None = None) -> CleanupPlan:
    """What would be removed now; nothing is changed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    referenced = referenced_files()
    job_files = _job_files(cutoff)
    planned = {r.name for r in job_files}
    removals = [
        *_previews(now, referenced),
        *_abandoned(now, referenced, planned),
        *job_files,
    ]
    heartbeats = WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_MAX_AGE).count()
    return CleanupPlan(removals=removals, heartbeats=heartbeats)


def cleanup_apply(plan: CleanupPlan, *, now: datetime | None = None) -> list[Removal]:
    """Remove what ``plan`` lists and return what was removed. The job fields are cleared
    in the database first; then a file that any row refers to (again) is kept."""
    now = now or timezone.now()
    candidates: list[Removal] = []
    for removal in plan.removals:
        if removal.job_id:
            with transaction.atomic():
                cleared = JobProgress.objects.filter(
                    pk=removal.job_id, **{removal.field: removal.name}
                ).update(**{removal.field: ""})
            if not cleared:  # the job changed since the plan: leave its file
                continue
        candidates.append(removal)
    referenced = referenced_files()
    done: list[Removal] = []
    for removal in candidates:
        if removal.name in referenced:
            continue
        (_media() / removal.name).unlink(missing_ok=True)
        logger.info("cleanup removed %s %s", removal.kind, removal.name)
        done.append(removal)
    WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_MAX_AGE).delete()
    return done
