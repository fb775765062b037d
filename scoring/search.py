"""The criteria of score tables in the header's search (clusters.search; registered in
ScoringConfig.ready): by code or title, accent-insensitive, across years. Managers find the
criteria of their campaigns' tables (drafts too) and open the table's preview; a unit
officer finds those of the published tables of the clusters they may see and opens the
cluster's page."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clusters.models import Cluster
from clusters.search import LIMIT, Hit, SearchGroup, group, matching
from scoring import permissions
from scoring.enums import TableStatus
from scoring.models import Criterion, ScoreTable


def criteria_search(user, terms: Sequence[str]) -> SearchGroup | None:
    """The criteria whose code or title holds every word; one query."""
    if permissions.is_manager(user):
        tables = permissions.managed_tables(user)
        manager = True
    else:
        visible = permissions.visible_clusters(user)
        tables = ScoreTable.objects.filter(
            status=TableStatus.PUBLISHED, clusters__in=visible
        ).distinct()
        manager = False
    cluster = Subquery(
        Cluster.objects.filter(
            score_tables=OuterRef("table_id"),
            pk__in=permissions.visible_clusters(user).values("pk"),
        )
        .order_by("number")
        .values("pk")[:1]
    )
    qs = matching(
        Criterion.objects.filter(table_id__in=tables.values("pk")), ["code", "title"], terms
    )
    if not manager:
        qs = qs.annotate(cluster_pk=cluster)
    rows = list(
        qs.select_related("table__campaign").order_by(
            "-table__campaign__year", "table_id", "position", "pk"
        )[: LIMIT + 1]
    )

    def hit(criterion: Criterion) -> Hit:
        table = criterion.table
        detail = f"{table.campaign.year} · {table.title}"
        if manager:
            url = reverse("campaign_table_preview", args=[table.campaign_id, table.pk])
            url += f"#row-c{criterion.pk}"
        elif criterion.cluster_pk:
            url = reverse("cluster_detail", args=[criterion.cluster_pk])
        else:
            url = None
        return Hit(f"{criterion.code}. {criterion.title}", detail, url)

    return group("criteria", _("Criteria"), "list-ol", rows, hit)
