"""Stage actions of the scoring grid: starting a stage (creating the members' sheets),
publishing a cluster's final results, and reopening them (administrators only, with a
written reason, recorded). Each answers with a redirect to the grid and a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scoring import permissions, workflow
from scoring.enums import Stage
from scoring.periods import period_for, period_query
from scoring.views.common import cluster_for, require


@require_POST
@login_required
def stage_start(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """Create the sheets the cluster's members still lack at ``stage`` (the final stage
    starts from the cluster's scores)."""
    if stage not in permissions.GRID_STAGES:
        raise Http404
    cluster = cluster_for(request.user, pk)
    period = period_for(request, cluster)
    require(permissions.can_start_stage(request.user, cluster, stage, period))
    try:
        sheets = workflow.stage_start(
            cluster=cluster, stage=stage, user=request.user, period=period
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(stage)s started: %(count)s score sheets.")
            % {"stage": Stage(stage).label, "count": len(sheets)},
        )
    return _to_grid(cluster, stage, period)


def _to_grid(cluster, stage: str, period) -> HttpResponse:
    return redirect(reverse("grid", args=[cluster.pk, stage]) + period_query(period))


@require_POST
@login_required
def cluster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Lock the cluster's final sheets as its official results, and record it."""
    cluster = cluster_for(request.user, pk)
    period = period_for(request, cluster)
    require(permissions.can_publish(request.user, cluster, period))
    try:
        workflow.cluster_publish(cluster=cluster, user=request.user, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The results of %(cluster)s are published.") % {"cluster": cluster.name}
        )
    return _to_grid(cluster, Stage.FINAL, period)


@require_POST
@login_required
def cluster_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Unlock a published cluster's final sheets (administrators, with a reason)."""
    cluster = cluster_for(request.user, pk)
    period = period_for(request, cluster)
    require(permissions.can_reopen(request.user, cluster))
    try:
        workflow.cluster_reopen(
            cluster=cluster, user=request.user, reason=request.POST.get("reason"), period=period
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The results of %(cluster)s are reopened.") % {"cluster": cluster.name}
        )
    return _to_grid(cluster, Stage.FINAL, period)


urlpatterns = [
    path("clusters/<int:pk>/stages/<str:stage>/start/", stage_start, name="stage_start"),
    path("clusters/<int:pk>/publish/", cluster_publish, name="cluster_publish"),
    path("clusters/<int:pk>/reopen/", cluster_reopen, name="cluster_reopen"),
]
