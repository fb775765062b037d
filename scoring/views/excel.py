"""The grid as an Excel template, filled offline and uploaded back.

``grid_xlsx`` downloads the template (whoever may view the grid). ``grid_upload`` shows the
upload form (GET) and, for an uploaded file (POST), a preview of every change and every
error by cell; the file waits in MEDIA_ROOT/excel-previews/ (shared by every app server)
under a token kept in the session, and nothing is stored. ``grid_upload_confirm`` reads the
file again against the current data and, when nothing changed since the preview, stores
all of it or nothing through ``services.sheet_fill`` (recorded in the history as an
import), then recomputes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.models import Cluster, Period
from emulation.files import preview_folder
from scoring import permissions, services
from scoring.enums import Stage
from scoring.interchange import excel_grid
from scoring.models import ScoreEntry, ScoreSheet
from scoring.periods import period_for, period_id_of, period_query
from scoring.services.recompute import lock_sheets
from scoring.views.common import cluster_for, require
from scoring.views.uploads import PendingUploads, capped_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "scoring_excel_uploads"
GRID_STAGES = (Stage.CLUSTER, Stage.FINAL)


def _stage(stage: str) -> str:
    if stage not in GRID_STAGES:
        raise Http404
    return stage


def _viewable(request: HttpRequest, pk: int, stage: str) -> Cluster:
    cluster = cluster_for(request.user, pk)
    require(permissions.can_view_grid(request.user, cluster, stage))
    return cluster


def _editable(request: HttpRequest, pk: int, stage: str) -> tuple[Cluster, Period | None]:
    """The cluster and the period the request names (``?period=six_month``; None: the
    year-end review), when the user may score at least one of its sheets at the stage."""
    cluster = _viewable(request, pk, stage)
    period = period_for(request, cluster)
    require(permissions.can_upload_grid(request.user, cluster, stage, period))
    return cluster, period


@require_GET
@login_required
def grid_xlsx(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """The grid at a stage as an .xlsx template, current values filled in."""
    stage = _stage(stage)
    cluster = _viewable(request, pk, stage)
    period = period_for(request, cluster)
    content = excel_grid.template_xlsx(
        cluster=cluster, stage=stage, user=request.user, period=period
    )
    response = HttpResponse(content, content_type=XLSX)
    suffix = "" if period is None else f"-{period.kind}"
    response["Content-Disposition"] = content_disposition_header(
        True, f"{cluster.code}-{stage}{suffix}.xlsx"
    )
    return response


def _context(cluster: Cluster, stage: str, period: Period | None, **extra) -> dict:
    query = period_query(period)
    return {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "stage": stage,
        "stage_label": Stage(stage).label,
        "period": period,
        "grid_url": reverse("grid", args=[cluster.pk, stage]) + query,
        "template_url": reverse("grid_xlsx", args=[cluster.pk, stage]) + query,
        "upload_url": reverse("grid_upload", args=[cluster.pk, stage]) + query,
        "max_mb": _max_mb(),
        **extra,
    }


def _max_mb() -> int:
    return settings.UPLOAD_MAX_MB


def _preview(request, cluster, stage, period, plan, *, name, token="", status=200, stale=False):
    context = _context(
        cluster,
        stage,
        period,
        plan=plan,
        file_name=name,
        stale=stale,
        confirm_url=(
            reverse("grid_upload_confirm", args=[cluster.pk, stage, token]) + period_query(period)
            if token and plan.ok and plan.changes
            else ""
        ),
    )
    return render(request, "scoring/excel_preview.html", context, status=status)


PENDING = PendingUploads(session_key=SESSION_KEY, folder=preview_folder, suffix=".xlsx")


def _remember(request, cluster, stage, period, name: str, content: bytes, plan) -> str:
    data = {
        "cluster": cluster.pk,
        "stage": stage,
        "period": period_id_of(period),
        "name": name,
        "signature": plan.signature(),
    }
    return PENDING.remember(request, content, data)


@require_http_methods(["GET", "POST"])
@login_required
def grid_upload(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """GET: the upload form. POST (``file``): the preview of the uploaded template, every
    change and every error by cell; nothing is stored."""
    stage = _stage(stage)
    cluster, period = _editable(request, pk, stage)
    if request.method == "GET":
        return render(request, "scoring/excel_preview.html", _context(cluster, stage, period))
    upload = request.FILES.get("file")
    if upload is None:
        plan = excel_grid.ExcelPlan()
        plan.error("", _("Choose a file to upload."))
        return _preview(request, cluster, stage, period, plan, name="", status=422)
    name, content, again = capped_upload(upload)
    plan = excel_grid.read_upload(
        cluster=cluster, stage=stage, user=request.user, upload=again, period=period
    )
    token = ""
    if plan.ok and plan.changes:
        token = _remember(request, cluster, stage, period, name, content, plan)
    return _preview(
        request,
        cluster,
        stage,
        period,
        plan,
        name=name,
        token=token,
        status=200 if plan.ok else 422,
    )


@require_POST
@login_required
def grid_upload_confirm(request: HttpRequest, pk: int, stage: str, token: str) -> HttpResponse:
    """Store a previewed upload: read again against the current data; if anything changed
    since the preview, show the new preview instead (409); else store all or nothing."""
    stage = _stage(stage)
    cluster, period = _editable(request, pk, stage)
    stored, content = PENDING.read(
        request, token, cluster=cluster.pk, stage=stage, period=period_id_of(period)
    )
    name = stored["name"]
    upload = SimpleUploadedFile(name, content)
    plan = excel_grid.read_upload(
        cluster=cluster, stage=stage, user=request.user, upload=upload, period=period
    )
    status = PENDING.recheck(request, token, stored, plan)
    if status is not None:
        kept = token if status == 409 else ""
        return _preview(
            request, cluster, stage, period, plan, name=name, token=kept, status=status, stale=True
        )
    reason = _("Imported from Excel: %(name)s") % {"name": name}
    versions = {c.entry_id: c.version for c in plan.changes}
    try:
        with transaction.atomic():
            # First, as every scoring write does.
            lock_sheets(cluster.pk, stage, period_id=period_id_of(period))
            current = dict(
                ScoreEntry.objects.select_for_update()
                .filter(pk__in=list(versions))
                .order_by("pk")
                .values_list("pk", "version")
            )
            if current != versions:
                raise services.StaleEntry(
                    _("Someone else changed these scores first."), current=None
                )
            sheets = {s.pk: s for s in ScoreSheet.objects.filter(pk__in=plan.by_sheet())}
            for sheet_id, values in plan.by_sheet().items():
                sheet = sheets[sheet_id]
                sheet.cluster = cluster
                require(permissions.can_edit_sheet(request.user, sheet))
                services.sheet_fill(
                    sheet=sheet, values=values, user=request.user, change_reason=reason
                )
            services.recompute_scope(ScoreSheet.objects.filter(pk__in=list(sheets)))
    except services.StaleEntry:
        return _preview(
            request, cluster, stage, period, plan, name=name, token=token, status=409, stale=True
        )
    except ValidationError as refused:
        plan.errors.extend(excel_grid.CellError(cell="", message=m) for m in refused.messages)
        return _preview(request, cluster, stage, period, plan, name=name, status=422)
    PENDING.forget(request, token)
    messages.success(
        request,
        _("%(count)s values were imported from %(name)s.")
        % {"count": len(plan.changes), "name": name},
    )
    return redirect(reverse("grid", args=[cluster.pk, stage]) + period_query(period))


urlpatterns = [
    path("clusters/<int:pk>/grid/<str:stage>/template.xlsx", grid_xlsx, name="grid_xlsx"),
    path("clusters/<int:pk>/grid/<str:stage>/upload/", grid_upload, name="grid_upload"),
    path(
        "clusters/<int:pk>/grid/<str:stage>/upload/<str:token>/confirm/",
        grid_upload_confirm,
        name="grid_upload_confirm",
    ),
]
