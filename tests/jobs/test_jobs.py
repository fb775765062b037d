"""Background work: the export of every cluster's results into one workbook."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from jobs import services
from jobs.models import JobKind, JobProgress, JobStatus
from scoring import services as scoring
from scoring.models import Criterion, ScoreSheet, ScoreTable

D = Decimal
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def scored(org):
    """Cluster-stage sheets with stored figures in both clusters of the campaign."""
    table = ScoreTable.objects.create(
        campaign=org.campaign, title="Thang điểm", bands=[{"label": "Đạt", "min": "0"}]
    )
    table.clusters.set([org.cluster, org.other_cluster])
    Criterion.objects.create(
        table=table, code="I.1", order=1, title="Tiêu chí", kind="manual", max_points=D(20)
    )
    scoring.table_renumber(table=table)
    scoring.table_publish(table=table)
    figures = {
        org.leader_unit: (D("18.50"), 1),
        org.deputy_unit: (D("17.25"), 2),
        org.member_unit: (D("12.00"), 3),
        org.outsider_unit: (D("15.75"), 1),
    }
    for unit, (total, rank) in figures.items():
        cluster = org.other_cluster if unit == org.outsider_unit else org.cluster
        sheet = scoring.sheet_get_or_create(cluster=cluster, unit=unit, stage="cluster")
        ScoreSheet.objects.filter(pk=sheet.pk).update(base=total, total=total, rank=rank)
    return org


def _workbook(job):
    with job.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def _start(client, user, campaign, stage="cluster"):
    client.force_login(user)
    return client.post(reverse("job_start_export", args=[campaign.pk, stage]))


def test_export_writes_one_sheet_per_cluster_with_the_stored_figures(client, scored, immediate):
    response = _start(client, scored.staff, scored.campaign)

    job = JobProgress.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job_detail", args=[job.pk])
    assert (job.kind, job.status, job.done, job.total) == (
        JobKind.RESULTS_EXPORT,
        JobStatus.DONE,
        2,
        2,
    )
    assert job.task_id
    assert job.finished_at is not None
    workbook = _workbook(job)
    assert workbook.sheetnames == ["C1 1", "C2 2"]
    first = [list(r) for r in workbook["C1 1"].iter_rows(values_only=True)]
    assert first[0][:7] == ["unit", "rank", "raw_base", "base", "bonus", "deduction", "total"]
    assert [(r[0], r[1], D(str(r[6])).quantize(D("0.01"))) for r in first[1:]] == [
        ("L1", 1, D("18.50")),
        ("D1", 2, D("17.25")),
        ("M1", 3, D("12.00")),
    ]
    second = list(workbook["C2 2"].iter_rows(values_only=True))
    assert [(r[0], r[1], D(str(r[6])).quantize(D("0.01"))) for r in second[1:]] == [
        ("O1", 1, D("15.75"))
    ]


def test_job_detail_shows_progress_and_download_link(client, scored, immediate):
    _start(client, scored.staff, scored.campaign)
    job = JobProgress.objects.get()

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2" max="2"' in html
    assert reverse("job_file", args=[job.pk]) in html
    assert 'hx-trigger="every 2s"' not in html


def test_job_detail_partial_polls_while_queued(client, org):
    job = JobProgress.objects.create(
        kind=JobKind.RESULTS_EXPORT, user=org.staff, campaign=org.campaign, stage="cluster"
    )
    client.force_login(org.staff)

    response = client.get(reverse("job_detail", args=[job.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in html
    assert "<html" not in html
    assert reverse("job_file", args=[job.pk]) not in html


def test_job_file_downloads_for_its_user(client, scored, immediate):
    _start(client, scored.staff, scored.campaign)
    job = JobProgress.objects.get()

    response = client.get(reverse("job_file", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content)
    response.close()
    assert content[:2] == b"PK"


def test_job_file_other_user_not_found(client, scored, immediate):
    _start(client, scored.staff, scored.campaign)
    job = JobProgress.objects.get()
    client.force_login(scored.admin)

    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404


def test_job_file_before_finished_not_found(client, org):
    job = JobProgress.objects.create(
        kind=JobKind.RESULTS_EXPORT, user=org.staff, campaign=org.campaign, stage="cluster"
    )
    client.force_login(org.staff)

    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("user", ["admin", "staff"])
def test_start_export_managers_succeed(client, scored, immediate, user):
    response = _start(client, getattr(scored, user), scored.campaign)

    assert response.status_code == 302
    assert JobProgress.objects.get().user == getattr(scored, user)


@pytest.mark.parametrize("user", ["leader", "member"])
def test_start_export_unit_officer_refused(client, scored, immediate, user):
    response = _start(client, getattr(scored, user), scored.campaign)

    assert response.status_code in (403, 404)
    assert not JobProgress.objects.exists()


def test_start_export_leader_forbidden(client, scored, immediate):
    assert _start(client, scored.leader, scored.campaign).status_code == 403


def test_start_export_unknown_stage_not_found(client, scored, immediate):
    assert _start(client, scored.staff, scored.campaign, stage="nope").status_code == 404


def test_start_export_get_not_allowed(client, scored):
    client.force_login(scored.staff)

    response = client.get(reverse("job_start_export", args=[scored.campaign.pk, "cluster"]))

    assert response.status_code == 405


@pytest.mark.parametrize("name", ["job_detail", "job_file"])
def test_job_pages_post_not_allowed(client, org, name):
    job = JobProgress.objects.create(kind=JobKind.RESULTS_EXPORT, user=org.staff)
    client.force_login(org.staff)

    assert client.post(reverse(name, args=[job.pk])).status_code == 405


def test_job_pages_anonymous_redirected_to_login(client, org):
    response = client.get(reverse("job_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_job_list_shows_own_jobs_newest_first(client, scored, immediate):
    _start(client, scored.staff, scored.campaign, "self")
    _start(client, scored.staff, scored.campaign, "cluster")
    JobProgress.objects.create(kind=JobKind.RESULTS_EXPORT, user=scored.admin)
    first, second = JobProgress.objects.filter(user=scored.staff).order_by("created_at")

    html = client.get(reverse("job_list")).content.decode()

    assert html.count("data-job=") == 2
    assert html.index(str(second.pk)) < html.index(str(first.pk))


def test_job_list_empty(client, org):
    client.force_login(org.member)

    response = client.get(reverse("job_list"))

    assert response.status_code == 200
    assert "data-job=" not in response.content.decode()


@pytest.mark.parametrize("size", [1, 5])
def test_job_list_query_count(client, org, django_assert_num_queries, size):
    for _ in range(size):
        JobProgress.objects.create(
            kind=JobKind.RESULTS_EXPORT, user=org.staff, campaign=org.campaign, stage="self"
        )
    client.force_login(org.staff)
    client.get(reverse("job_list"))  # warm the session and the user's groups

    with django_assert_num_queries(5):
        client.get(reverse("job_list"))


def test_overview_shows_export_button_to_managers_only(client, scored):
    url = reverse("campaign_overview", args=[scored.campaign.pk])
    target = reverse("job_start_export", args=[scored.campaign.pk, "cluster"])
    client.force_login(scored.staff)
    assert target in client.get(url).content.decode()

    client.force_login(scored.leader)
    response = client.get(url)
    assert response.status_code == 200
    assert target not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_then_worker_runs(settings, scored):
    settings.TASKS = DATABASE

    job = services.results_export_start(
        user=scored.staff, campaign=scored.campaign, stage="cluster"
    )

    assert job.status == JobStatus.QUEUED
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.READY

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.SUCCESSFUL
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2)
    assert _workbook(job).sheetnames == ["C1 1", "C2 2"]


def test_job_detail_marks_a_failed_task_failed(client, org):
    job = JobProgress.objects.create(
        kind=JobKind.RESULTS_EXPORT, user=org.staff, campaign=org.campaign, stage="cluster"
    )
    result = DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path="jobs.tasks.export_campaign_results",
        args_kwargs={"args": [str(job.pk)], "kwargs": {}},
        backend_name="default",
    )
    JobProgress.objects.filter(pk=job.pk).update(task_id=str(result.pk))
    client.force_login(org.staff)

    response = client.get(reverse("job_detail", args=[job.pk]))

    job.refresh_from_db()
    assert response.status_code == 200
    assert job.status == JobStatus.FAILED
    assert 'hx-trigger="every 2s"' not in response.content.decode()
