"""manage.py cleanup: expired previews, abandoned uploads, old job files; never a file a
row still refers to."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone, translation

from jobs.models import JobKind, JobProgress, JobStatus, WorkerHeartbeat


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RETENTION_DAYS = 90
    return settings.MEDIA_ROOT


def _file(media, name: str, content: bytes = b"x", age: timedelta = timedelta(0)):
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    stamp = (timezone.now() - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _job(user, *, finished_days_ago: int | None, file: str = "", upload: str = ""):
    job = JobProgress.objects.create(
        kind=JobKind.SCORES_IMPORT, user=user, status=JobStatus.DONE, file=file, upload=upload
    )
    if finished_days_ago is not None:
        when = timezone.now() - timedelta(days=finished_days_ago)
        JobProgress.objects.filter(pk=job.pk).update(finished_at=when, created_at=when)
    job.refresh_from_db()
    return job


def _cleanup(*args: str) -> list[str]:
    out = io.StringIO()
    with translation.override("en"):
        call_command("cleanup", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def scene(org, media):
    """One file of every kind, old enough or not, referenced or not."""
    two_days = timedelta(days=2)
    s = type("Scene", (), {})()
    s.old_preview = _file(media, "excel-previews/oldtoken.xlsx", b"12345", two_days)
    s.kept_preview = _file(media, "excel-previews/livetoken.xlsx", b"1", two_days)
    s.new_preview = _file(media, "excel-previews/newtoken.xlsx", b"1")
    session = SessionStore()
    session["scoring_excel_uploads"] = {"livetoken": {"cluster": 1, "name": "a.xlsx"}}
    session.create()
    s.orphan = _file(media, "jobs/uploads/2026/orphan.zip", b"123", two_days)
    s.fresh_orphan = _file(media, "jobs/uploads/2026/arriving.zip", b"1")
    s.in_use = _file(media, "jobs/uploads/2026/in_use.zip", b"1", two_days)
    _job(org.staff, finished_days_ago=None, upload="jobs/uploads/2026/in_use.zip")
    s.old_result = _file(media, "jobs/2026/results-old.xlsx", b"1234567", timedelta(days=100))
    s.old_upload = _file(media, "jobs/uploads/2026/old.zip", b"12", timedelta(days=100))
    s.old_job = _job(
        org.staff,
        finished_days_ago=100,
        file="jobs/2026/results-old.xlsx",
        upload="jobs/uploads/2026/old.zip",
    )
    s.recent_result = _file(media, "jobs/2026/results-new.xlsx", b"1", timedelta(days=10))
    s.recent_job = _job(org.staff, finished_days_ago=10, file="jobs/2026/results-new.xlsx")
    return s


def test_cleanup_removes_expired_abandoned_and_old_files_and_reports_them(scene):
    lines = _cleanup()

    assert lines == [
        "removed expired Excel preview: excel-previews/oldtoken.xlsx (5 bytes)",
        "removed abandoned upload: jobs/uploads/2026/orphan.zip (3 bytes)",
        "removed job file: jobs/2026/results-old.xlsx (7 bytes)",
        "removed job file: jobs/uploads/2026/old.zip (2 bytes)",
        "Removed: 1 expired Excel previews, 1 abandoned uploads, 2 job files older than "
        "90 days (17 bytes); 0 old worker heartbeats.",
    ]
    assert [p.exists() for p in (scene.old_preview, scene.orphan)] == [False, False]
    assert [p.exists() for p in (scene.old_result, scene.old_upload)] == [False, False]
    scene.old_job.refresh_from_db()
    assert (scene.old_job.file.name, scene.old_job.upload.name) == ("", "")


def test_cleanup_keeps_referenced_fresh_and_live_session_files(scene):
    _cleanup()

    kept = [
        scene.kept_preview,
        scene.new_preview,
        scene.fresh_orphan,
        scene.in_use,
        scene.recent_result,
    ]
    assert [p.exists() for p in kept] == [True] * 5
    scene.recent_job.refresh_from_db()
    assert scene.recent_job.file.name == "jobs/2026/results-new.xlsx"


def test_cleanup_never_removes_a_file_another_row_still_refers_to(org, media):
    shared = _file(media, "jobs/2026/shared.xlsx", b"1", timedelta(days=100))
    old = _job(org.staff, finished_days_ago=100, file="jobs/2026/shared.xlsx")
    _job(org.staff, finished_days_ago=1, file="jobs/2026/shared.xlsx")

    lines = _cleanup()

    assert shared.exists()
    old.refresh_from_db()
    assert old.file.name == ""
    assert lines[-1].startswith("Removed: 0 expired Excel previews, 0 abandoned uploads, 0 job")


def test_cleanup_dry_run_lists_and_removes_nothing(scene):
    lines = _cleanup("--dry-run")

    assert lines[0] == (
        "would remove expired Excel preview: excel-previews/oldtoken.xlsx (5 bytes)"
    )
    assert lines[-1] == (
        "Would remove: 1 expired Excel previews, 1 abandoned uploads, 2 job files older "
        "than 90 days (17 bytes); 0 old worker heartbeats."
    )
    assert [p.exists() for p in (scene.old_preview, scene.orphan, scene.old_result)] == [
        True,
        True,
        True,
    ]
    scene.old_job.refresh_from_db()
    assert scene.old_job.file.name == "jobs/2026/results-old.xlsx"


def test_cleanup_follows_retention_days(scene, settings):
    settings.RETENTION_DAYS = 5

    _cleanup()

    assert scene.recent_result.exists() is False
    scene.recent_job.refresh_from_db()
    assert scene.recent_job.file.name == ""


@pytest.mark.django_db
def test_cleanup_removes_heartbeats_older_than_a_day(media):
    now = timezone.now()
    two_days_ago = now - timedelta(days=2)
    WorkerHeartbeat.objects.create(worker_id="gone", started_at=now, beat_at=two_days_ago)
    WorkerHeartbeat.objects.create(worker_id="alive", started_at=now, beat_at=now)

    lines = _cleanup()

    assert lines[-1].endswith("1 old worker heartbeats.")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


def test_job_file_saved_through_the_model_is_referenced(org, media):
    job = JobProgress.objects.create(kind=JobKind.RESULTS_EXPORT, user=org.staff)
    job.file.save("r.xlsx", ContentFile(b"1"), save=True)
    path = media / job.file.name
    stamp = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(path, (stamp, stamp))

    _cleanup()

    assert path.exists()
