"""Pages of background work.

- ``job_start_export``: a campaign's managers start the export of every cluster's results at
  one stage into one workbook; they are taken to the job's page.
- ``job_start_import``: a campaign's managers upload a zip of ``thidua.scores/1`` files (or
  one file); the background job imports all of them or nothing (see
  :func:`jobs.tasks.import_campaign_scores`); they are taken to the job's page.
- ``job_detail``: the job's progress bar, refreshed every 2 seconds (htmx polls the
  ``progress`` partial until the job has finished), then the download link.
- ``job_file``: the file a job produced, for the user who started it only.
- ``job_list``: the user's jobs, newest first, so they can leave a page and come back.

A job belongs to its user: anyone else's job is "not found".
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters import permissions as org
from clusters.enums import PeriodKind
from clusters.permissions import require
from emulation.files import protected_file_response
from jobs import services
from jobs.forms import ScoresUploadForm
from jobs.models import JobProgress
from scoring.enums import Stage
from scoring.periods import period_for

STAGE_LABELS = dict(Stage.choices)


def _job_for(request: HttpRequest, pk) -> JobProgress:
    """One of the user's own jobs, or 404."""
    qs = JobProgress.objects.filter(user=request.user).select_related("campaign__organiser")
    return get_object_or_404(qs, pk=pk)


def _decorate(job: JobProgress) -> JobProgress:
    job.stage_label = STAGE_LABELS.get(job.stage, job.stage)
    if job.period == PeriodKind.SIX_MONTH:
        job.stage_label = f"{job.stage_label} · {PeriodKind.SIX_MONTH.label}"
    return job


@require_POST
@login_required
def job_start_export(request: HttpRequest, campaign_pk: int, stage: str) -> HttpResponse:
    if stage not in Stage.values:
        raise Http404
    campaign = org.campaign_for(request.user, campaign_pk)
    require(org.can_manage_campaign(request.user, campaign))
    period = period_for(request, campaign)  # ?period=six_month, or the year-end review
    job = services.results_export_start(
        user=request.user,
        campaign=campaign,
        stage=stage,
        period=period.kind if period else PeriodKind.YEAR_END,
    )
    messages.success(
        request,
        _(
            "The export has started. You may leave this page: your background work is "
            "listed under “Background work”."
        ),
    )
    return redirect("job_detail", pk=job.pk)


@require_http_methods(["GET", "POST"])
@login_required
def job_start_import(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, campaign_pk)
    require(org.can_manage_campaign(request.user, campaign))
    form = ScoresUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.scores_import_start(
            user=request.user, campaign=campaign, upload=form.cleaned_data["file"]
        )
        messages.success(
            request,
            _(
                "The import has started. You may leave this page: your background work is "
                "listed under “Background work”."
            ),
        )
        return redirect("job_detail", pk=job.pk)
    if request.method == "POST":
        messages.error(request, _("The file was not accepted; nothing was imported."))
    return render(request, "jobs/import.html", {"campaign": campaign, "form": form})


@require_GET
@login_required
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    job = _decorate(services.job_sync(job=_job_for(request, pk)))
    template = "jobs/detail.html"
    if request.headers.get("HX-Request"):
        template = "jobs/detail.html#progress"
    return render(request, template, {"job": job})


@require_GET
@login_required
def job_file(request: HttpRequest, pk) -> HttpResponse:
    job = _job_for(request, pk)
    return protected_file_response(request, job.file, inline=False)


@require_GET
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = [
        _decorate(job)
        for job in JobProgress.objects.filter(user=request.user)
        .select_related("campaign__organiser")
        .order_by("-created_at")[:100]
    ]
    return render(request, "jobs/list.html", {"jobs": jobs})


urlpatterns = [
    path("jobs/", job_list, name="job_list"),
    path(
        "jobs/export/<int:campaign_pk>/<str:stage>/",
        job_start_export,
        name="job_start_export",
    ),
    path("jobs/import/<int:campaign_pk>/", job_start_import, name="job_start_import"),
    path("jobs/<uuid:pk>/", job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/file/", job_file, name="job_file"),
]
