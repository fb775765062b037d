"""Scoring's items of the home page's to-do list (registered with clusters.todo in
ScoringConfig.ready; docs/deadlines.md): sheets to fill and submit (with the entries still
missing), sheets returned for correction, explanations to write, grid cells still empty
(the cluster's leader and deputy), and for the standing agency the final review and the
explanations to weigh. Each item has the deadline that applies and a link to the page
where the work is done.

The list costs a fixed number of queries whatever the data: the open periods, the user's
memberships and the sheets concerned are read once, the missing entries and the
explanations counted with one grouped query each.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters import permissions as org
from clusters.enums import MemberRole, Phase
from clusters.models import Membership, Period
from clusters.todo import TodoItem, TodoRequest, urgency_of
from scoring.deadlines import PHASE_STAGE
from scoring.enums import SheetStatus, Stage
from scoring.models import Explanation, ScoreEntry, ScoreSheet
from scoring.periods import period_query

# An entry that still lacks an input its criterion needs (engine.entries._input_fields, in
# SQL): what "entries missing" counts.
_PER_ITEM = Q(criterion__per_item__isnull=False)
MISSING_INPUT = Q(not_assigned=False) & (
    Q(criterion__kind="manual", input_points__isnull=True)
    | Q(criterion__kind="pass_fail", passed__isnull=True)
    | Q(criterion__kind="count", count__isnull=True)
    | (Q(criterion__kind__in=["bonus", "deduction"]) & _PER_ITEM & Q(count__isnull=True))
    | (Q(criterion__kind__in=["bonus", "deduction"]) & ~_PER_ITEM & Q(input_points__isnull=True))
    | Q(criterion__kind="veto", violated__isnull=True)
    | Q(criterion__kind="target", criterion__metric="value", actual__isnull=True)
    | (
        Q(criterion__kind="target", criterion__metric="rate")
        & (Q(numerator__isnull=True) | Q(denominator__isnull=True))
    )
    | (
        Q(criterion__kind="target", criterion__metric="reduction")
        & (Q(baseline__isnull=True) | Q(actual__isnull=True))
    )
)
OPEN = (SheetStatus.DRAFT, SheetStatus.RETURNED)


def missing_counts(sheet_ids) -> dict[int, int]:
    """Entries still missing an input, by sheet id (one query)."""
    if not sheet_ids:
        return {}
    rows = (
        ScoreEntry.objects.filter(MISSING_INPUT, sheet_id__in=sheet_ids)
        .values("sheet_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["sheet_id"]: row["n"] for row in rows}


def _open_periods(request: TodoRequest) -> list[Period]:
    """The periods of the user's campaigns whose current phase has scoring work."""
    campaigns = {c.pk: c for c in request.campaigns}
    periods = []
    for period in Period.objects.filter(campaign_id__in=list(campaigns)):
        period.campaign = campaigns[period.campaign_id]
        if period.current_phase in PHASE_STAGE or period.current_phase == Phase.EXPLANATION:
            periods.append(period)
    return periods


def _item(
    request, text, url, *, period, phase, cluster_id=None, unit_id=None, count=None, context=""
):
    state = request.deadlines.state(
        period_id=period.pk, phase=phase, cluster_id=cluster_id, unit_id=unit_id
    )
    due = state.due if state else None
    return TodoItem(
        text=text,
        url=url,
        count=count,
        due=due,
        urgency=urgency_of(due, request.today),
        context=context,
    )


def _context(period: Period, cluster=None) -> str:
    label = period.label
    return f"{cluster.name} · {label}" if cluster is not None else label


def unit_items(request: TodoRequest, periods: list[Period]) -> list[TodoItem]:
    """A unit officer's items: its own sheets, its explanations, and the grid of the
    clusters it scores (leader: the members; deputy: the leader's unit)."""
    user = request.user
    unit_id = user.unit_id
    by_campaign = defaultdict(list)
    for period in periods:
        by_campaign[period.campaign_id].append(period)
    memberships = list(
        Membership.objects.filter(
            unit_id=unit_id, campaign_id__in=list(by_campaign)
        ).select_related("cluster")
    )
    if not memberships:
        return []
    clusters = {m.cluster_id: m.cluster for m in memberships}
    leaders = dict(
        Membership.objects.filter(
            cluster_id__in=list(clusters), role=MemberRole.LEADER
        ).values_list("cluster_id", "unit_id")
    )
    wanted = Q(pk__in=[])
    for m in memberships:
        for period in by_campaign[m.campaign_id]:
            stage = PHASE_STAGE.get(period.current_phase)
            in_period = Q(period_id=period.pk, cluster_id=m.cluster_id)
            if stage == Stage.SELF:
                wanted |= in_period & Q(stage=Stage.SELF, unit_id=unit_id)
            elif stage == Stage.CLUSTER and m.role == MemberRole.LEADER:
                wanted |= in_period & Q(stage=Stage.CLUSTER) & ~Q(unit_id=unit_id)
            elif stage == Stage.CLUSTER and m.role == MemberRole.DEPUTY:
                wanted |= in_period & Q(stage=Stage.CLUSTER, unit_id=leaders.get(m.cluster_id))
            elif period.current_phase == Phase.EXPLANATION:
                wanted |= in_period & Q(stage=Stage.CLUSTER, unit_id=unit_id)
    sheets = list(
        ScoreSheet.objects.filter(wanted).only(
            "pk", "cluster_id", "unit_id", "period_id", "stage", "status"
        )
    )
    missing = missing_counts([s.pk for s in sheets if s.status in OPEN])
    explained_on = [s.pk for s in sheets if s.stage == Stage.CLUSTER and s.unit_id == unit_id]
    to_explain = _explanations_to_write(explained_on) if explained_on else {}
    items: list[TodoItem] = []
    periods_by_pk = {p.pk: p for p in periods}
    grid: dict[tuple[int, int], list[ScoreSheet]] = defaultdict(list)
    seen_self: set[tuple[int, int]] = set()
    for sheet in sheets:
        period = periods_by_pk[sheet.period_id]
        cluster = clusters[sheet.cluster_id]
        phase = period.current_phase
        if sheet.stage == Stage.SELF:
            seen_self.add((period.pk, sheet.cluster_id))
            url = reverse("sheet_detail", args=[sheet.pk])
            if sheet.status == SheetStatus.RETURNED:
                text = _("Correct and resubmit your self-assessment (returned)")
            elif sheet.status == SheetStatus.DRAFT and missing.get(sheet.pk):
                text = _("Fill in your self-assessment: entries missing")
            elif sheet.status == SheetStatus.DRAFT:
                text = _("Submit your self-assessment")
            else:
                continue
            items.append(
                _item(
                    request,
                    text,
                    url,
                    period=period,
                    phase=phase,
                    cluster_id=sheet.cluster_id,
                    unit_id=unit_id,
                    count=missing.get(sheet.pk),
                    context=_context(period, cluster),
                )
            )
        elif phase == Phase.EXPLANATION and sheet.unit_id == unit_id:
            count = to_explain.get(sheet.pk, 0)
            if count:
                items.append(
                    _item(
                        request,
                        _("Explain the cluster's scores lower than your own"),
                        reverse("sheet_detail", args=[sheet.pk]),
                        period=period,
                        phase=phase,
                        cluster_id=sheet.cluster_id,
                        unit_id=unit_id,
                        count=count,
                        context=_context(period, cluster),
                    )
                )
        elif sheet.stage == Stage.CLUSTER and sheet.status in OPEN:
            grid[(period.pk, sheet.cluster_id)].append(sheet)
    for (period_pk, cluster_id), open_sheets in grid.items():
        period = periods_by_pk[period_pk]
        cluster = clusters[cluster_id]
        empty = sum(missing.get(s.pk, 0) for s in open_sheets)
        url = reverse("grid", args=[cluster_id, Stage.CLUSTER]) + period_query(period)
        if empty:
            text, count = _("Score the cluster's units: grid cells still empty"), empty
        else:
            text, count = _("Submit the cluster's scores of these units"), len(open_sheets)
        items.append(
            _item(
                request,
                text,
                url,
                period=period,
                phase=period.current_phase,
                cluster_id=cluster_id,
                count=count,
                context=_context(period, cluster),
            )
        )
    # Self-assessment open and no sheet yet: the "My sheet" page creates it.
    for m in memberships:
        for period in by_campaign[m.campaign_id]:
            if (
                period.current_phase == Phase.SELF_ASSESSMENT
                and (period.pk, m.cluster_id) not in seen_self
            ):
                items.append(
                    _item(
                        request,
                        _("Start your self-assessment"),
                        reverse("my_sheet") + period_query(period),
                        period=period,
                        phase=Phase.SELF_ASSESSMENT,
                        cluster_id=m.cluster_id,
                        unit_id=unit_id,
                        context=_context(period, clusters[m.cluster_id]),
                    )
                )
    return items


def _explanations_to_write(sheet_ids: list[int]) -> dict[int, int]:
    """Cluster-stage entries scored lower than the unit's own self-assessment and not yet
    explained, counted by sheet (one query)."""
    self_points = ScoreEntry.objects.filter(
        sheet__cluster_id=OuterRef("sheet__cluster_id"),
        sheet__period_id=OuterRef("sheet__period_id"),
        sheet__unit_id=OuterRef("sheet__unit_id"),
        sheet__stage=Stage.SELF,
        criterion__code=OuterRef("criterion__code"),
    ).values("points")[:1]
    rows = (
        ScoreEntry.objects.filter(sheet_id__in=sheet_ids, not_assigned=False)
        .annotate(mine=Subquery(self_points))
        .filter(~Exists(Explanation.objects.filter(entry=OuterRef("pk"))))
        .values("sheet_id", "points", "mine")
    )
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["mine"] is not None and (row["points"] or 0) < row["mine"]:
            counts[row["sheet_id"]] += 1
    return dict(counts)


def staff_items(request: TodoRequest, periods: list[Period]) -> list[TodoItem]:
    """The standing agency's items: units late with the current phase (the late units'
    page), and in the final review the sheets still incomplete and the explanations to
    weigh."""
    user = request.user
    managed = [p for p in periods if org.manages_campaign(user, p.campaign)]
    if not managed:
        return []
    ids = [p.pk for p in managed]
    stages = Q(pk__in=[])
    for p in managed:
        stage = PHASE_STAGE.get(p.current_phase)
        if stage:
            stages |= Q(period_id=p.pk, stage=stage)
    open_rows: dict[int, int] = defaultdict(int)
    handed_in: dict[int, int] = defaultdict(int)
    for period_id, n_open, n_handed in (
        ScoreSheet.objects.filter(stages)
        .values_list("period_id")
        .annotate(
            n_open=Count("pk", filter=Q(status__in=OPEN) | Q(stage=Stage.FINAL, complete=False)),
            n_handed=Count("pk", filter=~Q(status__in=OPEN)),
        )
        .order_by()
    ):
        open_rows[period_id], handed_in[period_id] = n_open, n_handed
    # In self-assessment a unit may not have opened its sheet yet: every member counts.
    members = dict(
        Membership.objects.filter(campaign_id__in={p.campaign_id for p in managed})
        .values_list("campaign_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for p in managed:
        if p.current_phase == Phase.SELF_ASSESSMENT:
            open_rows[p.pk] = max(members.get(p.campaign_id, 0) - handed_in[p.pk], 0)
    explanations = dict(
        Explanation.objects.filter(entry__sheet__period_id__in=ids)
        .values_list("entry__sheet__period_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = []
    for p in managed:
        phase = p.current_phase
        overview = reverse("campaign_overview", args=[p.campaign_id]) + period_query(p)
        state = request.deadlines.state(period_id=p.pk, phase=phase)
        passed = state is not None and state.passed(request.today)
        if phase == Phase.FINAL_REVIEW:
            if open_rows.get(p.pk):
                items.append(
                    _item(
                        request,
                        _("Finish the final review: sheets still incomplete"),
                        overview,
                        period=p,
                        phase=phase,
                        count=open_rows[p.pk],
                        context=_context(p),
                    )
                )
            if explanations.get(p.pk):
                items.append(
                    _item(
                        request,
                        _("Weigh the units' explanations in the final review"),
                        overview,
                        period=p,
                        phase=phase,
                        count=explanations[p.pk],
                        context=_context(p),
                    )
                )
        elif open_rows.get(p.pk):
            text = (
                _("Units late with the current phase")
                if passed
                else _("Sheets of the current phase not handed in yet")
            )
            url = reverse("campaign_late", args=[p.campaign_id]) if passed else overview
            items.append(
                _item(
                    request,
                    text,
                    url,
                    period=p,
                    phase=phase,
                    count=open_rows[p.pk],
                    context=_context(p),
                )
            )
    return items


def scoring_todo(request: TodoRequest) -> list[TodoItem]:
    """The provider registered with clusters.todo."""
    periods = _open_periods(request)
    if not periods:
        return []
    items = []
    if org.is_unit_officer(request.user):
        items += unit_items(request, periods)
    if org.is_administrator(request.user) or org.is_province_staff(request.user):
        items += staff_items(request, periods)
    return items
