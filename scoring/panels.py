"""The scoring panel of the cluster page (registered with clusters.panels in
ScoringConfig.ready, so clusters never imports scoring): the cluster's score table with its
areas (and which of them the pledge covers, by the criteria its items are linked to), the
scoring progress per stage, links to the grid and rankings the user may open, and, once
published, the top of the final ranking; and the choice of each pledge item's criterion in
the pledge form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from clusters.enums import PeriodKind
from clusters.models import Cluster
from clusters.panels import Panel, PledgeItemChoice
from scoring import permissions, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import Criterion, ScoreSheet, ScoreTable
from scoring.services.pledge_links import pledge_links, pledge_links_set, pledge_table

TOP = 3


def cluster_panel(request: HttpRequest, cluster: Cluster) -> Panel:
    """The panel's context, in a fixed number of queries whatever the cluster's size."""
    user = request.user
    table = pledge_table(
        cluster,
        ScoreTable.objects.annotate(
            criteria_count=Count("criteria", filter=~Q(criteria__kind="group"))
        ),
    )
    areas = []
    if table is not None:
        criteria = list(
            Criterion.objects.filter(table=table)
            .only("pk", "parent_id", "code", "title", "max_points", "position")
            .order_by("position", "pk")
        )
        parents = {c.pk: c.parent_id for c in criteria}

        def area_of(pk: int) -> int:
            while parents.get(pk) is not None:
                pk = parents[pk]
            return pk

        # An area is in the pledge when a pledge item is linked to it or to a criterion
        # under it (the link chosen in the pledge form: services.pledge_links).
        pledged = {area_of(pk) for pk in pledge_links(table, cluster).values()}
        areas = [
            {"criterion": c, "pledged": c.pk in pledged} for c in criteria if c.parent_id is None
        ]
    counts = {
        row["stage"]: row
        for row in ScoreSheet.objects.filter(cluster=cluster, period__kind=PeriodKind.YEAR_END)
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
            ScoreSheet.objects.filter(
                cluster=cluster,
                stage=Stage.FINAL,
                rank__isnull=False,
                period__kind=PeriodKind.YEAR_END,
            )
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


def pledge_item_choice(request: HttpRequest, cluster: Cluster) -> PledgeItemChoice | None:
    """The criterion of the cluster's score table that scores each pledge item, chosen in
    the pledge form (registered with clusters.panels in ScoringConfig.ready). None when no
    table applies to the cluster yet. Three queries."""
    table = pledge_table(cluster)
    if table is None:
        return None
    criteria = list(
        Criterion.objects.filter(table=table)
        .only("pk", "code", "title", "depth", "position")
        .order_by("position", "pk")
    )
    by_pk = {c.pk: c for c in criteria}
    links = pledge_links(table, cluster)
    nbsp = "\u00a0"

    def save(values: dict[int, str]) -> None:
        chosen = {}
        for item_id, value in values.items():
            criterion = by_pk.get(int(value)) if str(value).isdigit() else None
            if value and criterion is None:
                raise ValidationError(_("Choose a criterion of the score table."))
            chosen[item_id] = criterion
        pledge_links_set(cluster=cluster, table=table, links=chosen)

    return PledgeItemChoice(
        name="criterion",
        label=_("Scored by the criterion"),
        choices=[
            ("", _("— not linked —")),
            *(
                (str(c.pk), f"{nbsp * 3 * c.depth}{c.code}. {Truncator(c.title).chars(80)}")
                for c in criteria
            ),
        ],
        initial={item: str(pk) for item, pk in links.items()},
        shown={
            item: f"{by_pk[pk].code}. {by_pk[pk].title}"
            for item, pk in links.items()
            if pk in by_pk
        },
        save=save,
        help_text=_("From %(table)s.") % {"table": table},
    )
