"""Protected files: streamed by the application, or handed to nginx (SENDFILE_MODE=nginx)."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook

from emulation.files import protected_file_response
from jobs.models import JobKind, JobProgress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def xlsx_bytes() -> bytes:
    """A real (tiny) workbook: the type is read from the content, not the name."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def job(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = JobProgress.objects.create(kind=JobKind.RESULTS_EXPORT, user=org.staff)
    job.file.save("kết quả 2023.xlsx", ContentFile(xlsx_bytes()), save=True)
    return job


def _request():
    return RequestFactory().get("/x")


def test_protected_file_is_streamed_by_the_application_by_default(job):
    response = protected_file_response(_request(), job.file)
    content = b"".join(response.streaming_content)
    response.close()

    assert content == xlsx_bytes()
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
    job.file.save("anh.png", ContentFile(PNG), save=True)

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


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("trang.html", b"<html><script>alert(1)</script></html>"),
        ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("gia-mao.png", b"<html><body>not a picture</body></html>"),
        ("gia-mao.pdf", b"<svg onload=alert(1)>"),
    ],
)
@pytest.mark.parametrize("mode", ["django", "nginx"])
def test_protected_file_html_and_svg_are_never_inline(job, settings, mode, name, content):
    """Inline only for a picture or PDF whose content says so: an HTML or SVG file, even
    one named .png or .pdf, downloads as an opaque attachment."""
    settings.SENDFILE_MODE = mode
    job.file.save(name, ContentFile(content), save=True)

    response = protected_file_response(_request(), job.file, inline=True)
    response.close()

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("anh.png", PNG, "image/png"),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32, "image/jpeg"),
        ("bien-ban.pdf", b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
    ],
)
def test_protected_file_pictures_and_pdf_inline_when_asked(job, name, content, content_type):
    job.file.save(name, ContentFile(content), save=True)

    response = protected_file_response(_request(), job.file, inline=True)
    response.close()

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")


def test_protected_file_picture_downloads_unless_inline_is_asked(job):
    job.file.save("anh.png", ContentFile(PNG), save=True)

    response = protected_file_response(_request(), job.file)
    response.close()

    assert response["Content-Disposition"].startswith("attachment;")
