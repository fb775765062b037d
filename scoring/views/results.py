"""Rankings per cluster and stage, the campaign overview with its progress, and the phase
control.

- ``campaign_list``: the campaigns the user may see, newest first, with their phase; for a
  unit officer, links to their cluster's rankings.
- ``campaign_overview``: every cluster of the campaign in the user's scope, with for each
  stage how many sheets exist, are submitted, complete and locked, the leading unit(s), a
  progress bar and who has submitted; the phase control and the phase history.
- ``campaign_phase``: move the campaign to another phase (rules in
  scoring.permissions.phases_open_to: managers move forwards or backwards; leaving the
  published phase is for administrators; publishing the campaign needs every cluster's
  results published).
- ``ranking``: a cluster's ranking at one stage, with the difference between each unit's
  self and cluster totals where the user may see both, and a bar chart of the totals.
- ``ranking_default``: the cluster's most advanced ranking the user may view (home links).

Every page reads a fixed number of queries whatever the number of clusters and units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters import permissions as org
from clusters import recent as recent_feed
from clusters.enums import ROLE_ORDER, MemberRole, PeriodKind, Phase
from clusters.models import Campaign, Cluster, Membership, Period
from clusters.models.periods import SIX_MONTH_PHASES, period_label
from clusters.services import organisation as organisation_services
from emulation.routers import reads_from_replica
from scoring import engine, permissions, queries, workflow
from scoring.enums import SheetStatus, Stage, TableStatus
from scoring.models import Publication, ScoreSheet, ScoreTable
from scoring.periods import of_period, period_for, period_id_of, period_query, phase_of
from scoring.views.common import campaign_for, cluster_for, require
from scoring.views.periods import period_tabs

STAGES = [s.value for s in Stage]
STAGE_LABELS = dict(Stage.choices)
PHASE_LABELS = dict(Phase.choices)
ROLE_LABELS = dict(MemberRole.choices)
# A sheet counts as handed in once submitted; a locked (published) sheet was handed in too.
HANDED_IN = (SheetStatus.SUBMITTED, SheetStatus.LOCKED)
PHASE_ORDER = permissions.PHASE_ORDER


RECENT_EVENTS = 5  # the overview's latest events (clusters.recent)


def _link(name: str, *args) -> str | None:
    """The URL of a page another part of the product provides, or None until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _width_class(percent: int) -> str:
    """A CSS class of results.css setting a bar's width in steps of 5% (no inline styles)."""
    return f"w-pct-{min(100, max(0, 5 * round(percent / 5)))}"


# --- Campaigns ----------------------------------------------------------------------


@require_GET
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns the user may see, newest first, with their phase and links to the
    overview (managers, cluster leaders) and to the user's own cluster's rankings."""
    user = request.user
    campaigns = list(
        org.visible_campaigns(user)
        .select_related("organiser")
        .annotate(
            cluster_count=Count("clusters", distinct=True),
            unit_count=Count("memberships", distinct=True),
        )
        .order_by("-year", "organiser__code")
    )
    ids = [c.pk for c in campaigns]
    overview_ids = set(
        permissions.overview_campaigns(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    mine: dict[int, Cluster] = {}
    if user.unit_id and not permissions.is_manager(user):
        by_pk = {c.pk: c for c in campaigns}
        clusters = list(
            Cluster.objects.filter(campaign_id__in=ids, memberships__unit_id=user.unit_id).order_by(
                "number"
            )
        )
        for cluster in clusters:
            cluster.campaign = by_pk[cluster.campaign_id]
        stages = permissions.result_stages(user, clusters)
        for cluster in clusters:
            cluster.ranking_links = [
                (STAGE_LABELS[s], reverse("ranking", args=[cluster.pk, s]))
                for s in stages[cluster.pk]
            ]
            mine[cluster.campaign_id] = cluster
    six_months = {
        p.campaign_id: p
        for p in Period.objects.filter(campaign_id__in=ids, kind=PeriodKind.SIX_MONTH)
    }
    for campaign in campaigns:
        campaign.six_month = six_months.get(campaign.pk)
        campaign.can_view_overview = campaign.pk in overview_ids
        campaign.my_cluster = mine.get(campaign.pk)
        campaign.phase_step = PHASE_ORDER.index(campaign.phase) + 1
    return render(
        request,
        "scoring/campaigns.html",
        {"campaigns": campaigns, "phase_count": len(PHASE_ORDER)},
    )


@dataclass
class StageProgress:
    """One cluster's progress at one stage, from the stored sheets."""

    stage: str
    label: str
    visible: bool
    members: int = 0
    sheets: int = 0
    submitted: int = 0
    complete: int = 0
    locked: int = 0
    leading: list = field(default_factory=list)
    ranking_url: str | None = None
    grid_url: str | None = None

    @property
    def done(self) -> int:
        """What the bar measures: sheets handed in, or for the final stage, published."""
        return self.locked if self.stage == Stage.FINAL else self.submitted

    @property
    def percent(self) -> int:
        return _percent(self.done, self.members)

    @property
    def width_class(self) -> str:
        return _width_class(self.percent)


@dataclass
class MemberProgress:
    unit: object
    role: str
    role_label: str
    statuses: list = field(default_factory=list)  # (stage, status or "", label, complete)


def _phase_history(campaign: Campaign | Period) -> list[dict]:
    """Every recorded phase change of the campaign (or of its six-month review), newest
    first (one query)."""
    records = campaign.history.select_related("history_user").order_by("history_date", "pk")
    changes = []
    previous = None
    for record in records:
        if previous is None or record.phase != previous:
            changes.append(
                {
                    "at": record.history_date,
                    "user": record.history_user,
                    "from": PHASE_LABELS.get(previous) if previous else None,
                    "to": PHASE_LABELS.get(record.phase, record.phase),
                    "to_value": record.phase,
                }
            )
        previous = record.phase
    changes.reverse()
    return changes


def _published_cluster_ids(cluster_ids: list[int], period: Period | None = None) -> set[int]:
    """The clusters whose latest publication act of ``period`` (None: the year-end review)
    is a publish (workflow.is_published for many clusters in one query)."""
    latest: dict[int, str] = {}
    rows = Publication.objects.filter(
        of_period(period_id_of(period)), cluster_id__in=cluster_ids
    ).order_by("cluster_id", "-at", "-pk")
    for cluster_id, action in rows.values_list("cluster_id", "action"):
        latest.setdefault(cluster_id, action)
    return {pk for pk, action in latest.items() if action == Publication.Action.PUBLISH}


def _tables(cluster_ids: list[int], period: Period | None = None) -> dict[int, ScoreTable]:
    """The newest published table of ``period`` (None: the year-end review) of each cluster
    (services.table_for_cluster, in bulk)."""
    through = ScoreTable.clusters.through
    rows = (
        through.objects.filter(
            of_period(period_id_of(period), "scoretable__"),
            cluster_id__in=cluster_ids,
            scoretable__status=TableStatus.PUBLISHED,
        )
        .select_related("scoretable")
        .order_by("cluster_id", "-scoretable__version", "-scoretable__published_at")
    )
    result: dict[int, ScoreTable] = {}
    for row in rows:
        result.setdefault(row.cluster_id, row.scoretable)
    return result


def _progress_xlsx(campaign, clusters) -> HttpResponse:
    """The progress of scoring as a workbook: a row per member unit with its sheet's status
    at each stage the user may view (blank where they may not)."""
    from scoring.reports import xlsx_bytes

    header = [str(_("Cluster")), str(_("Unit code")), str(_("Unit")), str(_("Role"))]
    header += [str(STAGE_LABELS[stage]) for stage in STAGES]
    rows = []
    for cluster in clusters:
        for member in cluster.member_progress:
            by_stage = {stage: label for stage, _status, label, _complete in member.statuses}
            rows.append(
                [cluster.name, member.unit.code, member.unit.name, str(member.role_label)]
                + [str(by_stage.get(stage, "")) for stage in STAGES]
            )
    title = str(_("Progress of scoring"))
    response = HttpResponse(
        xlsx_bytes(title, [(title, header, rows)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tien-do-cham-diem-{campaign.year}.xlsx"'
    )
    return response


@reads_from_replica
@require_GET
@login_required
def campaign_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every cluster of the campaign in the user's scope with its progress at each stage
    the user may view, who has submitted and who has not, the phase control for managers
    and the phase history."""
    user = request.user
    campaign = campaign_for(user, pk)
    require(permissions.can_view_campaign_overview(user, campaign))
    period = period_for(request, campaign)
    in_period = of_period(period_id_of(period))
    query = period_query(period)
    clusters = list(permissions.visible_clusters(user).filter(campaign=campaign).order_by("number"))
    ids = [c.pk for c in clusters]
    for cluster in clusters:
        cluster.campaign = campaign
    stages_by_cluster = permissions.result_stages(user, clusters, period)
    memberships = defaultdict(list)
    for membership in (
        Membership.objects.filter(cluster_id__in=ids).select_related("unit").order_by("unit__code")
    ):
        memberships[membership.cluster_id].append(membership)
    counts = {
        (row["cluster_id"], row["stage"]): row
        for row in ScoreSheet.objects.filter(in_period, cluster_id__in=ids)
        .values("cluster_id", "stage")
        .annotate(
            sheets=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=HANDED_IN)),
            complete=Count("pk", filter=Q(complete=True)),
            locked=Count("pk", filter=Q(status=SheetStatus.LOCKED)),
        )
        .order_by()
    }
    sheet_rows: dict[tuple[int, int, str], tuple[str, bool]] = {}
    leading: dict[tuple[int, str], list[int]] = defaultdict(list)
    for cluster_id, unit_id, stage, status, complete, is_leading in ScoreSheet.objects.filter(
        in_period, cluster_id__in=ids
    ).values_list("cluster_id", "unit_id", "stage", "status", "complete", "leading"):
        sheet_rows[(cluster_id, unit_id, stage)] = (status, complete)
        if is_leading:
            leading[(cluster_id, stage)].append(unit_id)
    tables = _tables(ids, period)
    published = _published_cluster_ids(ids, period)
    status_labels = dict(SheetStatus.choices)

    totals = {"units": 0, "published": 0, "stages": {s: [0, 0] for s in STAGES}}
    for cluster in clusters:
        members = sorted(
            memberships[cluster.pk], key=lambda m: (ROLE_ORDER.get(m.role, 9), m.unit.code)
        )
        units = {m.unit_id: m.unit for m in members}
        visible = stages_by_cluster[cluster.pk]
        cluster.members = members
        cluster.member_count = len(members)
        cluster.leader = next((m.unit for m in members if m.role == MemberRole.LEADER), None)
        cluster.deputy = next((m.unit for m in members if m.role == MemberRole.DEPUTY), None)
        cluster.table = tables.get(cluster.pk)
        cluster.is_published = cluster.pk in published
        cluster.visible_stages = visible
        cluster.progress = []
        for stage in STAGES:
            row = counts.get((cluster.pk, stage), {})
            progress = StageProgress(
                stage=stage,
                label=STAGE_LABELS[stage],
                visible=stage in visible,
                members=len(members),
            )
            if progress.visible:
                progress.sheets = row.get("sheets", 0)
                progress.submitted = row.get("submitted", 0)
                progress.complete = row.get("complete", 0)
                progress.locked = row.get("locked", 0)
                progress.leading = sorted(
                    (units[u] for u in leading.get((cluster.pk, stage), []) if u in units),
                    key=lambda u: u.code,
                )
                progress.ranking_url = reverse("ranking", args=[cluster.pk, stage]) + query
                # The grid is for those who see every unit's self-assessment (managers and
                # the cluster's leaders); its own page checks the rules again.
                if Stage.SELF in visible:
                    grid_url = _link("grid", cluster.pk, stage)
                    progress.grid_url = grid_url + query if grid_url else None
                totals["stages"][stage][0] += progress.done
                totals["stages"][stage][1] += len(members)
            cluster.progress.append(progress)
        cluster.member_progress = []
        for m in members:
            entry = MemberProgress(
                unit=m.unit, role=m.role, role_label=ROLE_LABELS.get(m.role, m.role)
            )
            for stage in visible:
                status, complete = sheet_rows.get((cluster.pk, m.unit_id, stage), ("", False))
                entry.statuses.append(
                    (stage, status, status_labels.get(status, _("Not started")), complete)
                )
            cluster.member_progress.append(entry)
        cluster.not_handed_in = {
            stage: [
                m.unit
                for m in members
                if sheet_rows.get((cluster.pk, m.unit_id, stage), ("",))[0] not in HANDED_IN
            ]
            for stage in visible
            if stage != Stage.FINAL
        }
        cluster.stage_headers = [(s, STAGE_LABELS[s]) for s in visible]
        totals["units"] += len(members)
        totals["published"] += cluster.is_published
    if request.GET.get("format") == "xlsx":
        return _progress_xlsx(campaign, clusters)
    summary = [
        {
            "stage": stage,
            "label": STAGE_LABELS[stage],
            "done": done,
            "whole": whole,
            "percent": _percent(done, whole),
            "width_class": _width_class(_percent(done, whole)),
        }
        for stage, (done, whole) in totals["stages"].items()
        if whole
    ]
    if period is None:
        order, open_phases = PHASE_ORDER, permissions.phases_open_to(user, campaign)
        phase_url = reverse("campaign_phase", args=[campaign.pk])
    else:
        order, open_phases = SIX_MONTH_PHASES, permissions.period_phases_open_to(user, period)
        phase_url = reverse("period_phase", args=[campaign.pk])
    current_phase = phase_of(campaign, period)
    current = order.index(current_phase)
    phases = [
        {
            "value": value,
            "label": PHASE_LABELS[value],
            "state": "done" if i < current else "current" if i == current else "todo",
            "number": i + 1,
        }
        for i, value in enumerate(order)
    ]
    next_phase = order[current + 1] if current + 1 < len(order) else None
    return render(
        request,
        "scoring/overview.html",
        {
            "campaign": campaign,
            **period_tabs(user, campaign, period),
            "phase_url": phase_url,
            "current_phase": current_phase,
            "current_phase_label": PHASE_LABELS[current_phase],
            "clusters": clusters,
            "totals": totals,
            "summary": summary,
            "phases": phases,
            "can_set_phase": bool(open_phases),
            "phase_choices": [(p, PHASE_LABELS[p]) for p in open_phases],
            "next_phase": next_phase if next_phase in open_phases else None,
            "next_phase_label": PHASE_LABELS.get(next_phase),
            "history": _phase_history(period or campaign),
            "recent": recent_feed.recent(user, campaign, ids).events[:RECENT_EVENTS],
        },
    )


@require_POST
@login_required
def campaign_phase(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the campaign to the phase in the form's field ``phase``.

    Managers of the campaign may move it forwards or backwards (a phase opened too early,
    a stage that needs more time): what each role may edit follows the phase, and results
    locked by publication stay locked whatever the phase. Leaving the published phase is
    for administrators only (like reopening results); a crafted request from anyone else
    answers 403. The campaign is published only once every one of its clusters' results
    is published (scoring.workflow.is_published); otherwise nothing changes and the message
    names the clusters still to publish. Every change is recorded in the campaign's history
    with the user.
    """
    user = request.user
    campaign = campaign_for(user, pk)
    require(permissions.can_set_phase(user, campaign))
    overview = redirect("campaign_overview", pk=campaign.pk)
    phase = request.POST.get("phase", "")
    if phase not in Phase.values:
        messages.error(request, _("Choose a phase from the list."))
        return overview
    if phase == campaign.phase:
        messages.info(
            request,
            _("The campaign is already in the phase “%(phase)s”.") % {"phase": PHASE_LABELS[phase]},
        )
        return overview
    require(permissions.can_move_to_phase(user, campaign, phase))
    if phase == Phase.PUBLISHED:
        clusters = list(campaign.clusters.order_by("number"))
        if not clusters:
            messages.error(request, _("The campaign has no clusters whose results to publish."))
            return overview
        unpublished = [c for c in clusters if not workflow.is_published(c)]
        if unpublished:
            messages.error(
                request,
                _(
                    "The campaign cannot be published before every cluster's results are: "
                    "not yet published: %(clusters)s."
                )
                % {"clusters": ", ".join(c.name for c in unpublished)},
            )
            return overview
    previous = campaign.phase
    organisation_services.campaign_set_phase(campaign=campaign, phase=phase, user=user)
    messages.success(
        request,
        _("Phase changed from “%(old)s” to “%(new)s”.")
        % {"old": PHASE_LABELS[previous], "new": PHASE_LABELS[phase]},
    )
    return overview


# --- Rankings -----------------------------------------------------------------------

CHART_LABEL_WIDTH = 200
CHART_BAR_WIDTH = 520
CHART_ROW = 30


@dataclass
class RankingRow:
    sheet: ScoreSheet
    self_total: Decimal | None = None
    cluster_total: Decimal | None = None
    sheet_url: str | None = None
    mine: bool = False
    gap: Decimal | None = None  # points behind the leading unit (engine.gap_to_lead)

    @property
    def difference(self) -> Decimal | None:
        """Cluster total − self total, where the user may see both."""
        if self.self_total is None or self.cluster_total is None:
            return None
        return self.cluster_total - self.self_total


def _chart(rows: list[RankingRow]) -> dict:
    """A horizontal bar chart of the totals, as numbers for the template's SVG."""
    top = max((r.sheet.total for r in rows), default=Decimal(0))
    scale = top if top > 0 else Decimal(1)
    bars = []
    for i, row in enumerate(rows):
        width = row.sheet.total / scale * CHART_BAR_WIDTH
        y = i * CHART_ROW + 6
        bars.append(
            {
                "row": row,
                "y": y,
                "text_y": y + CHART_ROW / 2,
                "width": f"{width:.1f}",
                "value_x": f"{CHART_LABEL_WIDTH + width + 8:.1f}",
            }
        )
    return {
        "bars": bars,
        "height": len(rows) * CHART_ROW + 12,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 80,
        "label_x": CHART_LABEL_WIDTH - 10,
        "bar_x": CHART_LABEL_WIDTH,
        "bar_height": CHART_ROW - 10,
    }


@reads_from_replica
@require_GET
@login_required
def ranking(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """A cluster's ranking at one stage: rank, unit, base, bonus, deduction, total, band,
    leading mark and the difference between the unit's cluster and self totals (shown
    where the user may see both of that unit's sheets); tabs for the stages the user may
    view; a bar chart of the totals. htmx requests (the stage tabs) get the panel only."""
    if stage not in STAGES:
        raise Http404
    user = request.user
    cluster = cluster_for(user, pk)
    period = period_for(request, cluster)
    in_period = of_period(period_id_of(period))
    query = period_query(period)
    stages = permissions.result_stages(user, [cluster], period)[cluster.pk]
    require(stage in stages)  # the rule of permissions.can_view_cluster_results
    sheets = list(
        queries.ranked(ScoreSheet.objects.filter(in_period, cluster=cluster, stage=stage))
    )
    # Totals and links only for the sheets the user may see (a member sees their own).
    visible = permissions.visible_sheets(user).filter(in_period, cluster=cluster)
    totals: dict[tuple[int, str], Decimal] = {}
    visible_pks: set[int] = set()
    for sheet_pk, unit_id, sheet_stage, total in visible.values_list(
        "pk", "unit_id", "stage", "total"
    ):
        totals[(unit_id, sheet_stage)] = total
        visible_pks.add(sheet_pk)
    leader_total = engine.leader_total(
        {s.pk: engine.RankInput(s.total, s.excluded_from_leading) for s in sheets}
    )
    rows = []
    for sheet in sheets:
        rows.append(
            RankingRow(
                sheet=sheet,
                self_total=totals.get((sheet.unit_id, Stage.SELF)),
                cluster_total=totals.get((sheet.unit_id, Stage.CLUSTER)),
                sheet_url=_link("sheet_detail", sheet.pk) if sheet.pk in visible_pks else None,
                mine=sheet.unit_id == user.unit_id,
                gap=engine.gap_to_lead(sheet.total, leader_total),
            )
        )
    context = {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "stage": stage,
        "stage_label": STAGE_LABELS[stage],
        "tabs": [
            (s, STAGE_LABELS[s], reverse("ranking", args=[cluster.pk, s]) + query) for s in stages
        ],
        "period": period,
        "period_label": period_label(
            period.kind if period else PeriodKind.YEAR_END, cluster.campaign.year
        ),
        "period_query": query,
        "rows": rows,
        "shows_difference": any(r.difference is not None for r in rows),
        "leading": [r.sheet.unit for r in rows if r.sheet.leading],
        "chart": _chart(rows),
        "grid_url": (_link("grid", cluster.pk, stage) + query if Stage.SELF in stages else None),
        "has_minutes": permissions.minutes_stage(user, cluster, period) is not None,
        "overview_url": (
            reverse("campaign_overview", args=[cluster.campaign_id])
            if permissions.can_view_campaign_overview(user, cluster.campaign)
            else None
        ),
    }
    # A history restore (back button, cache miss) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "scoring/ranking.html#panel" if partial else "scoring/ranking.html"
    return render(request, template, context)


@reads_from_replica
@require_GET
@login_required
def ranking_default(request: HttpRequest, pk: int) -> HttpResponse:
    """The cluster's most advanced ranking the user may view that has sheets (else the
    first they may view); with none to view yet, a page saying so."""
    user = request.user
    cluster = cluster_for(user, pk)
    period = period_for(request, cluster)
    stages = permissions.result_stages(user, [cluster], period)[cluster.pk]
    if stages:
        scored = set(
            ScoreSheet.objects.filter(
                of_period(period_id_of(period)), cluster=cluster, stage__in=stages
            ).values_list("stage", flat=True)
        )
        best = next((s for s in reversed(stages) if s in scored), stages[0])
        return redirect(reverse("ranking", args=[cluster.pk, best]) + period_query(period))
    context = {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "stage": None,
        "tabs": [],
        "rows": [],
        "unavailable": True,
    }
    return render(request, "scoring/ranking.html", context)


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", campaign_overview, name="campaign_overview"),
    path("campaigns/<int:pk>/phase/", campaign_phase, name="campaign_phase"),
    path("clusters/<int:pk>/ranking/", ranking_default, name="ranking_default"),
    path("clusters/<int:pk>/ranking/<str:stage>/", ranking, name="ranking"),
]
