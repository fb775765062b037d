"""Awards' items of the home page's to-do list (registered with clusters.todo in
AwardsConfig.ready; docs/deadlines.md): once a year's results are published, the leader
and deputy units of a cluster record the cluster's vote on the titles and next year's
leaders with the meeting's minutes. Three queries whatever the data."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from awards.models import Vote
from clusters import permissions as org
from clusters.enums import MemberRole, Phase
from clusters.models import LeadershipElection, Membership
from clusters.todo import TodoItem, TodoRequest


def awards_todo(request: TodoRequest) -> list[TodoItem]:
    user = request.user
    if not org.is_unit_officer(user):
        return []
    published = [c.pk for c in request.campaigns if c.phase == Phase.PUBLISHED]
    if not published:
        return []
    heads = list(
        Membership.objects.filter(
            unit_id=user.unit_id,
            campaign_id__in=published,
            role__in=[MemberRole.LEADER, MemberRole.DEPUTY],
        ).select_related("cluster")
    )
    if not heads:
        return []
    ids = [m.cluster_id for m in heads]
    voted = dict(
        Vote.objects.filter(cluster_id__in=ids)
        .values_list("cluster_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    elected = set(
        LeadershipElection.objects.filter(cluster_id__in=ids).values_list("cluster_id", flat=True)
    )
    items = []
    for m in heads:
        cluster = m.cluster
        context = cluster.name
        if not voted.get(cluster.pk):
            items.append(
                TodoItem(
                    text=_("Record the cluster's vote on the titles"),
                    url=reverse("awards_cluster", args=[cluster.pk]),
                    context=context,
                )
            )
        if cluster.pk not in elected:
            items.append(
                TodoItem(
                    text=_("Record next year's leaders and the meeting's minutes"),
                    url=reverse("awards_next_leaders", args=[cluster.pk]),
                    context=context,
                )
            )
    return items
