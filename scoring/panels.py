"""The scoring panel of the cluster page (registered with clusters.panels in
ScoringConfig.ready, so clusters never imports scoring): the cluster's score table with its
areas (and which of them the pledge covers), the scoring progress per stage, links to the
grid and rankings the user may open, and, once published, the top of the final ranking."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest

from clusters.models import Cluster, PledgeItem
from clusters.panels import Panel
from scoring import permissions, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import Criterion, ScoreSheet, ScoreTable

TOP = 3


def cluster_panel(request: HttpRequest, cluster: Cluster) -> Panel:
    """The panel's context, in a fixed number of queries whatever the cluster's size."""
    user = request.user
    table = (
        ScoreTable.objects.filter(clusters=cluster)
        .annotate(criteria_count=Count("criteria", filter=~Q(criteria__kind="group")))
        .order_by("-status", "-version", "-pk")  # published before draft, newest first
        .first()
    )
    areas = []
    if table is not None:
        pledged = {
            area.strip().casefold()
            for area in PledgeItem.objects.filter(pledge__cluster=cluster).values_list(
                "area", flat=True
            )
        }
        areas = [
            {"criterion": c, "pledged": c.title.strip().casefold() in pledged}
            for c in Criterion.objects.filter(table=table, parent__isnull=True).order_by(
                "position", "pk"
            )
        ]
    counts = {
        row["stage"]: row
        for row in ScoreSheet.objects.filter(cluster=cluster)
        .values("stage")
        .annotate(
            sheets=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=[SheetStatus.SUBMITTED, SheetStatus.LOCKED])),
            complete=Count("pk", filter=Q(complete=True)),
        )
        .order_by()
    }
    ranking_stages = permissions.result_stages(user, [cluster])[cluster.pk]
    progress = [
        {
            "stage": stage,
            "sheets": counts.get(stage.value, {}).get("sheets", 0),
            "submitted": counts.get(stage.value, {}).get("submitted", 0),
            "complete": counts.get(stage.value, {}).get("complete", 0),
            "grid": permissions.can_view_grid(user, cluster, stage.value),
            "ranking": stage.value in ranking_stages,
        }
        for stage in Stage
    ]
    published = workflow.is_published(cluster)
    top = []
    if published and Stage.FINAL.value in ranking_stages:
        top = list(
            ScoreSheet.objects.filter(cluster=cluster, stage=Stage.FINAL, rank__isnull=False)
            .select_related("unit")
            .order_by("rank", "unit__code")[:TOP]
        )
    return Panel(
        template="scoring/panels/cluster.html",
        context={
            "cluster": cluster,
            "table": table,
            "areas": areas,
            "progress": progress,
            "published": published,
            "top": top,
        },
    )
