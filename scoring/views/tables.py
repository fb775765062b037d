"""Which clusters each score table applies to, for the managers of a campaign.

- ``campaign_tables``: the campaign's published tables (newest version first), each with
  a checkbox per cluster of the year, and the clusters that have no table yet.
- ``campaign_table_clusters``: save one table's clusters
  (services.tables.table_set_clusters: a cluster that already scored sheets with another
  table, or with this one, keeps what it has).

The set-up page of clusters links here by URL name, so clusters never imports scoring.
Every page reads a fixed number of queries whatever the number of tables and clusters.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters import permissions as org
from clusters.enums import Phase
from clusters.models import Campaign
from scoring import permissions
from scoring.enums import TableStatus
from scoring.models import ScoreTable
from scoring.periods import six_month_of
from scoring.services.tables import table_set_clusters
from scoring.views.common import campaign_for, require


def _link(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _managed_campaign(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user sees (else 404) and manages (else 403)."""
    campaign = campaign_for(request.user, pk)
    require(
        permissions.can_manage_scoring(request.user)
        and org.can_manage_campaign(request.user, campaign)
    )
    return campaign


def copy_sources(campaign: Campaign) -> tuple[list[ScoreTable], Campaign | None, list]:
    """(this campaign's tables, last year's campaign of the organiser, its tables)."""
    own = list(
        ScoreTable.objects.filter(campaign=campaign)
        .select_related("period")
        .order_by("title", "-version")
    )
    last = (
        Campaign.objects.filter(organiser_id=campaign.organiser_id, year__lt=campaign.year)
        .order_by("-year")
        .first()
    )
    previous = (
        list(ScoreTable.objects.filter(campaign=last).order_by("title", "-version")) if last else []
    )
    return own, last, previous


@require_GET
@login_required
def campaign_tables(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's published tables with a checkbox per cluster."""
    campaign = _managed_campaign(request, pk)
    clusters = list(campaign.clusters.order_by("number"))
    tables = list(
        ScoreTable.objects.filter(campaign=campaign, status=TableStatus.PUBLISHED)
        .select_related("period")
        .order_by("title", "-version")
    )
    through = ScoreTable.clusters.through
    links = through.objects.filter(scoretable__in=[t.pk for t in tables]).values_list(
        "scoretable_id", "cluster_id"
    )
    chosen: dict[int, set[int]] = {t.pk: set() for t in tables}
    for table_id, cluster_id in links:
        chosen[table_id].add(cluster_id)
    covered = set().union(*chosen.values()) if chosen else set()
    for table in tables:
        table.cluster_ids = chosen[table.pk]
    # The editor's way in: new tables (blank, copies, from a file) and the drafts.
    own, last, previous = copy_sources(campaign)
    return render(
        request,
        "scoring/tables.html",
        {
            "campaign": campaign,
            "clusters": clusters,
            "tables": tables,
            "drafts": [t for t in own if t.status == TableStatus.DRAFT],
            "own_tables": own,
            "last_campaign": last,
            "last_tables": previous,
            "can_create": permissions.can_create_table(request.user, campaign),
            "six_month": six_month_of(campaign),
            "import_url": _link("table_import", campaign.pk) or _link("table_import"),
            "uncovered": [c for c in clusters if c.pk not in covered],
            "locked": campaign.phase == Phase.PUBLISHED,
            "setup_url": _link("setup_campaign", campaign.pk),
        },
    )


@require_POST
@login_required
def campaign_table_clusters(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Apply one table to exactly the ticked clusters."""
    campaign = _managed_campaign(request, pk)
    table = get_object_or_404(
        ScoreTable.objects.select_related("campaign").filter(
            campaign=campaign, status=TableStatus.PUBLISHED
        ),
        pk=table_pk,
    )
    ids = [v for v in request.POST.getlist("clusters") if v.isdigit()]
    clusters = list(campaign.clusters.filter(pk__in=ids))
    try:
        table_set_clusters(table=table, clusters=clusters)
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(
            request,
            _("%(table)s now applies to %(count)d clusters.")
            % {"table": table, "count": len(clusters)},
        )
    return redirect(f"{reverse('campaign_tables', args=[campaign.pk])}#table-{table.pk}")


urlpatterns = [
    path("campaigns/<int:pk>/tables/", campaign_tables, name="campaign_tables"),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/clusters/",
        campaign_table_clusters,
        name="campaign_table_clusters",
    ),
]
