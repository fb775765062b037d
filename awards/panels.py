"""The awards panel of the cluster page (registered with clusters.panels in
AwardsConfig.ready): whether the awards are open (results published), the campaign's award
types and how many votes passed, with a link to the cluster's awards page."""

from __future__ import annotations

from django.http import HttpRequest

from awards.models import AwardType, Vote
from clusters.models import Cluster
from clusters.panels import Panel
from scoring import workflow


def cluster_panel(request: HttpRequest, cluster: Cluster) -> Panel:
    votes = list(Vote.objects.filter(cluster=cluster).select_related("award_type"))
    return Panel(
        "awards/panels/cluster.html",
        {
            "cluster": cluster,
            "published": workflow.is_published(cluster),
            "award_types": list(AwardType.objects.filter(campaign_id=cluster.campaign_id)),
            "votes": len(votes),
            "passed": sum(1 for v in votes if v.passed),
        },
    )
