"""Background work: the import of a whole province's scores from a zip of scores files."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from jobs.models import JobKind, JobProgress, JobStatus
from scoring import services as scoring
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable
from tests.factories import CampaignFactory

D = Decimal
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def published(org):
    """A published table with one manual criterion (at most 20 points) for both clusters."""
    table = ScoreTable.objects.create(
        campaign=org.campaign, title="Thang điểm", bands=[{"label": "Đạt", "min": "0"}]
    )
    table.clusters.set([org.cluster, org.other_cluster])
    Criterion.objects.create(
        table=table, code="I.1", order=1, title="Tiêu chí", kind="manual", max_points=D(20)
    )
    scoring.table_renumber(table=table)
    scoring.table_publish(table=table)
    return org


def _scores(cluster: str, unit: str, points: str) -> bytes:
    document = {
        "format": "thidua.scores/1",
        "organiser": "CAT",
        "year": 2023,
        "cluster": cluster,
        "stage": "cluster",
        "sheets": [{"unit": unit, "entries": {"I.1": {"points": points}}}],
    }
    return json.dumps(document).encode()


def _zip(files: dict[str, bytes]) -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return SimpleUploadedFile("tinh.zip", out.getvalue(), content_type="application/zip")


def _post(client, user, campaign, upload):
    client.force_login(user)
    return client.post(reverse("job_start_import", args=[campaign.pk]), {"file": upload})


def _stored_points() -> dict[str, Decimal]:
    return {
        entry.sheet.unit.code: entry.points
        for entry in ScoreEntry.objects.select_related("sheet__unit")
    }


def test_import_zip_of_two_good_files_stores_both_clusters(client, published):
    upload = _zip({"c1.json": _scores("C1", "L1", "8.5"), "c2.json": _scores("C2", "O1", "12")})

    response = _post(client, published.staff, published.campaign, upload)

    job = JobProgress.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job_detail", args=[job.pk])
    assert (job.kind, job.status, job.done, job.total, job.errors) == (
        JobKind.SCORES_IMPORT,
        JobStatus.DONE,
        2,
        2,
        [],
    )
    assert job.upload.name.startswith("jobs/uploads/")
    assert _stored_points() == {"L1": D("8.50"), "O1": D("12.00")}
    assert set(ScoreSheet.objects.values_list("cluster__code", "unit__code")) == {
        ("C1", "L1"),
        ("C2", "O1"),
    }


def test_import_single_json_file_stores_it(client, published):
    upload = SimpleUploadedFile("c1.json", _scores("C1", "D1", "7"))

    _post(client, published.staff, published.campaign, upload)

    job = JobProgress.objects.get()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 1, 1)
    assert _stored_points() == {"D1": D("7.00")}


def test_import_zip_with_one_bad_file_stores_nothing_and_lists_errors(client, published):
    upload = _zip(
        {
            "c1.json": _scores("C1", "L1", "8.5"),
            "c2.json": _scores("C2", "O1", "99"),
            "c3.json": b'{"format": "thidua.scores/1",',
        }
    )

    _post(client, published.staff, published.campaign, upload)

    job = JobProgress.objects.get()
    assert (job.status, job.done, job.total) == (JobStatus.FAILED, 3, 3)
    assert len(job.errors) == 2
    assert job.errors[0].startswith("c2.json: ")
    assert ("O1" in job.errors[0], "I.1" in job.errors[0], "99" in job.errors[0]) == (
        True,
        True,
        True,
    )
    assert job.errors[1].startswith("c3.json")
    assert not ScoreEntry.objects.exists()
    assert not ScoreSheet.objects.exists()
    page = client.get(reverse("job_detail", args=[job.pk]))
    assert escape(job.errors[0]) in page.content.decode()
    assert escape(job.errors[1]) in page.content.decode()


def test_import_file_of_another_campaign_refused(client, published):
    CampaignFactory(organiser=published.province, year=2024)
    other = json.loads(_scores("C1", "L1", "8"))
    other["year"] = 2024
    upload = _zip({"c1.json": _scores("C1", "L1", "8"), "old.json": json.dumps(other).encode()})

    _post(client, published.staff, published.campaign, upload)

    job = JobProgress.objects.get()
    assert job.status == JobStatus.FAILED
    assert [error.split(":")[0] for error in job.errors] == ["old.json"]
    assert not ScoreEntry.objects.exists()


def test_import_zip_without_json_fails(client, published):
    _post(client, published.staff, published.campaign, _zip({"readme.txt": b"x"}))

    job = JobProgress.objects.get()
    assert (job.status, job.errors[0].split(":")[0]) == (JobStatus.FAILED, "tinh.zip")


@pytest.mark.parametrize(
    ("name", "content"),
    [("scores.pdf", b"%PDF-1.4"), ("fake.zip", b"not a zip"), ("fake.json", b"PK\x03\x04")],
)
def test_import_not_zip_nor_json_refused(client, published, name, content):
    response = _post(client, published.staff, published.campaign, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert len(list(response.context["messages"])) == 1
    assert not JobProgress.objects.exists()


def test_import_form_shown_to_manager(client, published):
    client.force_login(published.staff)

    response = client.get(reverse("job_start_import", args=[published.campaign.pk]))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_overview_links_to_import(client, published):
    client.force_login(published.staff)

    response = client.get(reverse("campaign_overview", args=[published.campaign.pk]))

    assert reverse("job_start_import", args=[published.campaign.pk]) in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_import_leader_forbidden(client, published, method):
    client.force_login(published.leader)

    response = getattr(client, method)(reverse("job_start_import", args=[published.campaign.pk]))

    assert response.status_code == 403
    assert not JobProgress.objects.exists()


def test_import_outside_scope_not_found(client, published):
    later = CampaignFactory(organiser=published.province, year=2024)
    client.force_login(published.leader)

    response = client.get(reverse("job_start_import", args=[later.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "delete"])
def test_import_wrong_method_not_allowed(client, published, method):
    client.force_login(published.staff)

    response = getattr(client, method)(reverse("job_start_import", args=[published.campaign.pk]))

    assert response.status_code == 405
