"""Recent activity pages (clusters.recent): /clusters/<id>/activity/ and
/campaigns/<id>/activity/, newest first, paged, only what the reader may see; and the short
panel of the cluster's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from clusters import permissions
from clusters import recent as feed
from clusters.models import Cluster
from clusters.panels import Panel

PANEL_EVENTS = 5


@require_GET
@login_required
def cluster_recent(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cluster = permissions.cluster_for(user, pk)
    number = feed.page_number(request.GET.get("page"))
    page = feed.recent(user, cluster.campaign, [cluster.pk], number)
    context = {
        "page": page,
        "cluster": cluster,
        "campaign": cluster.campaign,
        "back_url": reverse("cluster_detail", args=[cluster.pk]),
    }
    return render(request, "clusters/recent.html", context)


@require_GET
@login_required
def campaign_recent(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = permissions.campaign_for(user, pk)
    cluster_ids = list(
        permissions.visible_clusters(user).filter(campaign=campaign).values_list("pk", flat=True)
    )
    number = feed.page_number(request.GET.get("page"))
    page = feed.recent(user, campaign, cluster_ids, number)
    context = {"page": page, "campaign": campaign, "cluster": None}
    return render(request, "clusters/recent.html", context)


def cluster_panel(request: HttpRequest, cluster: Cluster) -> Panel | None:
    """The cluster page's latest events, with a link to the whole list."""
    if not request.user.is_authenticated:
        return None
    page = feed.recent(request.user, cluster.campaign, [cluster.pk], 1)
    return Panel(
        "clusters/recent_panel.html",
        {
            "events": page.events[:PANEL_EVENTS],
            "all_url": reverse("cluster_recent", args=[cluster.pk]),
        },
    )


urlpatterns = [
    path("clusters/<int:pk>/activity/", cluster_recent, name="cluster_recent"),
    path("campaigns/<int:pk>/activity/", campaign_recent, name="campaign_recent"),
]
