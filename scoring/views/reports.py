"""Reports: a cluster's ranking with subtotals per area, every cluster of a campaign, a
unit's history across years and the gaps between self and cluster scores. Each page prints
on A4 and answers ``?format=xlsx`` with an Excel download. The builders are in
scoring/reports.py, the chart coordinates in scoring/charts.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from clusters import permissions as org
from clusters.enums import PeriodKind
from clusters.models import Cluster, Period
from clusters.models.periods import period_label
from emulation.routers import reads_from_replica
from scoring import charts, permissions, reports
from scoring.enums import Stage
from scoring.periods import period_for, period_query
from scoring.views.common import campaign_for, cluster_for, require

STAGE_LABELS = dict(Stage.choices)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(filename: str, title: str, sheets) -> HttpResponse:
    response = HttpResponse(reports.xlsx_bytes(title, sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _stage(request: HttpRequest, allowed: list[str]) -> str:
    """The stage asked for (?stage=), else the most advanced one the user may view."""
    stage = request.GET.get("stage") or (allowed[-1] if allowed else Stage.FINAL.value)
    if stage not in STAGE_LABELS:
        raise Http404
    return stage


def _tabs(url: str, stages: list[str], period=None) -> list[tuple[str, str, str]]:
    extra = _period_param(period)
    return [(s, STAGE_LABELS[s], f"{url}?stage={s}{extra}") for s in stages]


def _period_param(period) -> str:
    """What a report's links add to name the six-month review (nothing for the year-end)."""
    return f"&period={period.kind}" if period is not None else ""


@reads_from_replica
@require_GET
@login_required
def report_cluster(request: HttpRequest, pk: int) -> HttpResponse:
    """The cluster's ranking at a stage with subtotals per top-level area, the cluster's
    average and best; a chart of one unit's points by area against them (?unit=CODE,
    the leading unit by default)."""
    user = request.user
    cluster = cluster_for(user, pk)
    period = period_for(request, cluster)
    stages = permissions.result_stages(user, [cluster], period)[cluster.pk]
    stage = _stage(request, stages)
    require(stage in stages)
    report = reports.cluster_report(cluster, stage, period)
    if request.GET.get("format") == "xlsx":
        header = [_("Rank"), _("Code"), _("Unit")]
        header += [f"{a.sign}{a.code}" for a in report.areas]
        header += [_("Base"), _("Bonus"), _("Deduction"), _("Total"), _("Band"), _("Leading")]
        rows = [
            [
                r.sheet.rank,
                r.unit.code,
                r.unit.name,
                *r.areas,
                r.sheet.base,
                r.sheet.bonus,
                r.sheet.deduction,
                r.sheet.total,
                r.sheet.band,
                r.sheet.leading,
            ]
            for r in report.rows
        ]
        if report.rows:
            rows.append(
                [
                    None,
                    None,
                    _("Average"),
                    *report.average,
                    None,
                    None,
                    None,
                    report.average_total,
                    None,
                    None,
                ]
            )
            rows.append(
                [
                    None,
                    None,
                    _("Best"),
                    *report.best,
                    None,
                    None,
                    None,
                    report.best_total,
                    None,
                    None,
                ]
            )
        name = f"{cluster.code} {stage}"
        return _xlsx(f"report-{cluster.code}-{stage}", name, [(name, header, rows)])
    chosen = None
    code = request.GET.get("unit")
    for row in report.rows:
        if (code and row.unit.code == code) or (not code and chosen is None):
            chosen = row
    chart = None
    if chosen is not None:
        groups = [
            (
                f"{area.code}",
                [
                    (chosen.areas[i], "series-0"),
                    (report.average[i], "series-1"),
                    (report.best[i], "series-2"),
                ],
            )
            for i, area in enumerate(report.areas)
            # Bars grow from 0: no deductions, and no mix whose net may take away.
            if area.sign != "−" and not area.mixed
        ]
        chart = charts.bar_chart(groups)
    url = reverse("report_cluster", args=[cluster.pk])
    return render(
        request,
        "scoring/reports/cluster.html",
        {
            "cluster": cluster,
            "campaign": cluster.campaign,
            "stage": stage,
            "stage_label": STAGE_LABELS[stage],
            "tabs": _tabs(url, stages, period),
            "report": report,
            "chosen": chosen,
            "chart": chart,
            "xlsx_url": f"{url}?stage={stage}{_period_param(period)}&format=xlsx",
            "gaps_url": (
                reverse("report_gaps", args=[cluster.pk]) + period_query(period)
                if {Stage.SELF, Stage.CLUSTER} <= set(stages)
                else None
            ),
            "period": period,
            "period_label": _label(period, cluster.campaign.year),
            "overview_url": (
                reverse("campaign_overview", args=[cluster.campaign_id])
                if permissions.can_view_campaign_overview(user, cluster.campaign)
                else None
            ),
        },
    )


@reads_from_replica
@require_GET
@login_required
def report_province(request: HttpRequest, pk: int) -> HttpResponse:
    """Every cluster of the campaign the user may view at the stage: units ranked with
    total, band and leading mark, and a chart of the totals per cluster."""
    user = request.user
    campaign = campaign_for(user, pk)
    clusters = list(permissions.visible_clusters(user).filter(campaign=campaign).order_by("number"))
    for cluster in clusters:
        cluster.campaign = campaign
    period = period_for(request, campaign)
    stages = permissions.result_stages(user, clusters, period)
    union = [s.value for s in Stage if any(s.value in v for v in stages.values())]
    stage = _stage(request, union)
    clusters = [c for c in clusters if stage in stages[c.pk]]
    require(bool(clusters))
    sheets = reports.province_report(clusters, stage, period)
    if request.GET.get("format") == "xlsx":
        header = [
            _("Cluster"),
            _("Rank"),
            _("Code"),
            _("Unit"),
            _("Total"),
            _("Band"),
            _("Leading"),
        ]
        rows = [
            [c.name, s.rank, s.unit.code, s.unit.name, s.total, s.band, s.leading]
            for c in clusters
            for s in sheets[c.pk]
        ]
        name = f"{campaign.year} {stage}"
        return _xlsx(f"report-{campaign.year}-{stage}", name, [(name, header, rows)])
    for cluster in clusters:
        cluster.report_sheets = sheets[cluster.pk]
        cluster.chart = charts.bar_chart(
            [
                (s.unit.label, [(s.total, "leading" if s.leading else "series-0")])
                for s in cluster.report_sheets
            ]
        )
    url = reverse("report_province", args=[campaign.pk])
    return render(
        request,
        "scoring/reports/province.html",
        {
            "campaign": campaign,
            "clusters": clusters,
            "stage": stage,
            "stage_label": STAGE_LABELS[stage],
            "tabs": _tabs(url, union, period),
            "xlsx_url": f"{url}?stage={stage}{_period_param(period)}&format=xlsx",
            "period": period,
            "period_label": _label(period, campaign.year),
            "overview_url": (
                reverse("campaign_overview", args=[campaign.pk])
                if permissions.can_view_campaign_overview(user, campaign)
                else None
            ),
        },
    )


@reads_from_replica
@require_GET
@login_required
def report_unit_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's result in each year: final when published, else the latest stage the
    user may view, with rank and band; a chart of the totals over the years."""
    user = request.user
    unit = get_object_or_404(org.visible_units(user), pk=pk)
    clusters = list(
        permissions.visible_clusters(user)
        .filter(memberships__unit=unit)
        .select_related("campaign")
        .distinct()
    )
    stages = permissions.result_stages(user, clusters)
    rows = reports.unit_history(unit, stages, clusters, _six_month_stages(user, clusters))
    if request.GET.get("format") == "xlsx":
        header = [
            _("Year"),
            _("Cluster"),
            _("Stage"),
            _("Rank"),
            _("Total"),
            _("Band"),
            _("Leading"),
        ]
        data = [
            [
                r.year,
                r.cluster.name,
                str(STAGE_LABELS[r.sheet.stage]),
                r.sheet.rank,
                r.sheet.total,
                r.sheet.band,
                r.sheet.leading,
            ]
            for r in rows
        ]
        return _xlsx(f"report-{unit.code}", unit.code, [(unit.code, header, data)])
    for row in rows:
        row.stage_label = STAGE_LABELS[row.sheet.stage]
    chart = charts.bar_chart(
        [
            (str(r.year), [(r.sheet.total, "leading" if r.sheet.leading else "series-0")])
            for r in rows
        ]
    )
    return render(
        request,
        "scoring/reports/unit_history.html",
        {
            "unit": unit,
            "rows": rows,
            "chart": chart if rows else None,
            "xlsx_url": f"{reverse('report_unit_history', args=[unit.pk])}?format=xlsx",
        },
    )


def _six_month_stages(user, clusters: list[Cluster]) -> dict[int, list[str]]:
    """The stages of each cluster's six-month review the user may view (a query, and the
    rule's queries once per campaign that has a six-month review)."""
    by_campaign: dict[int, list[Cluster]] = {}
    for cluster in clusters:
        by_campaign.setdefault(cluster.campaign_id, []).append(cluster)
    result: dict[int, list[str]] = {}
    for period in Period.objects.filter(
        campaign_id__in=list(by_campaign), kind=PeriodKind.SIX_MONTH
    ).select_related("campaign"):
        result.update(permissions.result_stages(user, by_campaign[period.campaign_id], period))
    return result


def _label(period, year: int) -> str:
    return period_label(period.kind if period else PeriodKind.YEAR_END, year)


@reads_from_replica
@require_GET
@login_required
def report_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    """Per unit, cluster total − self total; per criterion, the largest gaps between a
    unit's self-assessed and cluster points (where scoring was generous or harsh). For
    those who may see both stages (managers, the cluster's leaders)."""
    user = request.user
    cluster: Cluster = cluster_for(user, pk)
    period = period_for(request, cluster)
    stages = permissions.result_stages(user, [cluster], period)[cluster.pk]
    require(Stage.SELF in stages and Stage.CLUSTER in stages)
    units, criteria = reports.gap_report(cluster, period=period)
    if request.GET.get("format") == "xlsx":
        unit_rows = [
            [g.unit.code, g.unit.name, g.self_total, g.cluster_total, g.gap] for g in units
        ]
        criterion_rows = [
            [
                g.unit.code,
                g.criterion.code,
                g.criterion.title,
                g.self_points,
                g.cluster_points,
                g.gap,
            ]
            for g in criteria
        ]
        return _xlsx(
            f"report-gaps-{cluster.code}",
            f"{cluster.code} gaps",
            [
                (
                    pgettext("heading", "Units"),
                    [_("Code"), _("Unit"), _("Self"), _("Cluster"), _("Gap")],
                    unit_rows,
                ),
                (
                    _("Criteria"),
                    [_("Code"), _("Criterion"), _("Title"), _("Self"), _("Cluster"), _("Gap")],
                    criterion_rows,
                ),
            ],
        )
    return render(
        request,
        "scoring/reports/gaps.html",
        {
            "cluster": cluster,
            "campaign": cluster.campaign,
            "units": units,
            "criteria": criteria,
            "xlsx_url": f"{reverse('report_gaps', args=[cluster.pk])}?format=xlsx"
            + _period_param(period),
            "report_url": reverse("report_cluster", args=[cluster.pk]) + period_query(period),
            "period": period,
            "period_label": _label(period, cluster.campaign.year),
        },
    )


urlpatterns = [
    path("reports/clusters/<int:pk>/", report_cluster, name="report_cluster"),
    path("reports/clusters/<int:pk>/gaps/", report_gaps, name="report_gaps"),
    path("reports/campaigns/<int:pk>/", report_province, name="report_province"),
    path("reports/units/<int:pk>/", report_unit_history, name="report_unit_history"),
]
