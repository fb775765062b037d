"""Protected files: streamed by the application, or handed to nginx (SENDFILE_MODE=nginx)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from emulation.files import protected_file_response
from jobs.models import JobKind, JobProgress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def job(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = JobProgress.objects.create(kind=JobKind.RESULTS_EXPORT, user=org.staff)
    job.file.save("kết quả 2023.xlsx", ContentFile(b"PK-workbook"), save=True)
    return job


def _request():
    return RequestFactory().get("/x")


def test_protected_file_is_streamed_by_the_application_by_default(job):
    response = protected_file_response(_request(), job.file)
    content = b"".join(response.streaming_content)
    response.close()

    assert content == b"PK-workbook"
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''k%E1%BA%BFt_qu%E1%BA%A3_2023.xlsx"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Accel-Redirect" not in response


def test_protected_file_is_handed_to_nginx_in_nginx_mode(job, settings):
    settings.SENDFILE_MODE = "nginx"

    response = protected_file_response(_request(), job.file, filename="results.xlsx")

    assert response.content == b""
    assert job.file.name.endswith("/kết_quả_2023.xlsx")
    assert response["X-Accel-Redirect"] == "/protected/" + job.file.name.replace(
        "kết_quả", "k%E1%BA%BFt_qu%E1%BA%A3"
    )
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="results.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_protected_file_inline_for_pictures(job, settings):
    settings.SENDFILE_MODE = "nginx"
    job.file.save("anh.png", ContentFile(b"\x89PNG"), save=True)

    response = protected_file_response(_request(), job.file, inline=True)

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="anh.png"'


@pytest.mark.parametrize("mode", ["django", "nginx"])
def test_protected_file_missing_is_not_found(job, settings, mode):
    settings.SENDFILE_MODE = mode
    job.file.storage.delete(job.file.name)

    with pytest.raises(Http404):
        protected_file_response(_request(), job.file)


@pytest.mark.django_db
def test_protected_file_without_a_file_is_not_found():
    with pytest.raises(Http404):
        protected_file_response(_request(), JobProgress().file)


def test_job_file_view_hands_the_file_to_nginx_after_the_owner_check(client, org, job, settings):
    settings.SENDFILE_MODE = "nginx"
    client.force_login(org.staff)

    own = client.get(reverse("job_file", args=[job.pk]))
    client.force_login(org.leader)
    other = client.get(reverse("job_file", args=[job.pk]))

    assert own.status_code == 200
    assert own["X-Accel-Redirect"].startswith("/protected/jobs/")
    assert own.content == b""
    assert other.status_code == 404
    assert "X-Accel-Redirect" not in other
