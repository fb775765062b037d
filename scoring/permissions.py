"""Who may see and do what with score tables and sheets — the one place these rules live.

Views, templates and the admin ask these functions. A sheet the user may not see answers
404 (``visible_sheets``); one they may see but not change answers 403.

The rules (domain.md sections 1 and 4; the phases are the campaign's):
- administrators and province staff (within their campaigns) see every sheet; they score
  the final stage during the final review, publish, and set phases; only an administrator
  reopens published results;
- a unit officer sees their own unit's sheets: the self-assessment always, the cluster's
  scores once explanations open, the final scores once published; they fill and submit
  their self-assessment while it is open, and explain disputed scores while explanations
  are open;
- the officers of a cluster's leader unit see every sheet of the cluster (self and cluster
  stages) and score every member at the cluster stage while cluster scoring is open,
  except their own unit, which the deputy unit's officers score; both may return a
  submitted self-assessment to its unit with a comment;
- nobody judges their own unit (``judges_own_unit``): at the final stage a staff member
  whose unit is the sheet's unit cannot save, override or return it (another staff member
  or an administrator does), nor return their own unit's self-assessment.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from clusters import permissions as org
from clusters.enums import MemberRole, PeriodKind, Phase
from clusters.models import Campaign, Cluster, Membership, Period, User
from clusters.models.periods import SIX_MONTH_PHASES
from emulation.prepared import Prepared
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreEntry, ScoreSheet, ScoreTable
from scoring.periods import of_period, period_id_of, phase_of, sheet_phase

# The phases in their yearly order, to say "from this phase on".
PHASE_ORDER = [p.value for p in Phase]


def _reached(campaign: Campaign, phase: str, period: Period | None = None) -> bool:
    return PHASE_ORDER.index(phase_of(campaign, period)) >= PHASE_ORDER.index(phase)


def is_manager(user: User) -> bool:
    """Administrators and province staff: the standing agency's view of everything."""
    return org.is_administrator(user) or org.is_province_staff(user)


def can_manage_scoring(user: User) -> bool:
    return is_manager(user)


def manages(user: User, campaign: Campaign) -> bool:
    """Administrators and the staff of the campaign's organiser (clusters.permissions)."""
    return org.manages_campaign(user, campaign)


def judges_own_unit(user: User, sheet: ScoreSheet) -> bool:
    """The sheet is the user's own unit's: nobody judges their own unit (issue 10). The
    cluster stage keeps its own form of the rule (``scorer_role``: the deputy unit scores
    the leader unit)."""
    return org.is_own_unit(user, sheet.unit_id)


def own_unit_notice(user: User, sheet: ScoreSheet) -> bool:
    """Whether to tell the user that this sheet is scored by someone else because it is
    their own unit's: a manager of the campaign looking at their own unit's final sheet."""
    return (
        sheet.stage == Stage.FINAL
        and judges_own_unit(user, sheet)
        and manages(user, sheet.cluster.campaign)
    )


def managed_tables(user: User) -> QuerySet[ScoreTable]:
    if not is_manager(user):
        return ScoreTable.objects.none()
    return ScoreTable.objects.filter(campaign__in=org.managed_campaigns(user))


def managed_sheets(user: User) -> QuerySet[ScoreSheet]:
    if not is_manager(user):
        return ScoreSheet.objects.none()
    return ScoreSheet.objects.filter(cluster__campaign__in=org.managed_campaigns(user))


def led_cluster_ids(user: User) -> QuerySet:
    """Ids of the clusters the user's unit leads or is deputy of."""
    return _led_by_unit(user.unit_id)


def _led_by_unit(unit_id: int) -> QuerySet:
    return Membership.objects.filter(
        unit_id=unit_id, role__in=[MemberRole.LEADER, MemberRole.DEPUTY]
    ).values("cluster_id")


def visible_sheets(user: User) -> QuerySet[ScoreSheet]:
    """Every sheet the user may look at; anything else is "not found" for them."""
    if is_manager(user):
        return managed_sheets(user)
    if not org.is_unit_officer(user):
        return ScoreSheet.objects.none()
    return officer_sheets(user.unit_id)


def officer_sheets(unit_id: int) -> QuerySet[ScoreSheet]:
    """The sheets a unit officer (``clusters.permissions.is_unit_officer``) of ``unit_id``
    may look at: ``visible_sheets`` for them. Its SQL is the same for every unit, so a view
    may prepare it once (scoring.views.common.entry_for)."""
    explaining_on = PHASE_ORDER[PHASE_ORDER.index(Phase.EXPLANATION) :]
    own = Q(unit_id=unit_id) & (
        Q(stage=Stage.SELF)
        | Q(
            stage=Stage.CLUSTER,
            period__kind=PeriodKind.YEAR_END,
            cluster__campaign__phase__in=explaining_on,
        )
        | Q(stage=Stage.CLUSTER, period__kind=PeriodKind.SIX_MONTH, period__phase__in=explaining_on)
        | Q(stage=Stage.FINAL, status=SheetStatus.LOCKED)
    )
    led = Q(cluster_id__in=_led_by_unit(unit_id), stage__in=[Stage.SELF, Stage.CLUSTER])
    return ScoreSheet.objects.filter(own | led)


def visible_clusters(user: User) -> QuerySet[Cluster]:
    return org.visible_clusters(user)


def can_see_sheet(user: User, sheet: ScoreSheet) -> bool:
    return visible_sheets(user).filter(pk=sheet.pk).exists()


def member_roles(cluster: Cluster) -> dict[int, str]:
    """{unit id: role} of the cluster's members, read once per cluster object (pages that
    ask about every member's sheet share one cluster object, so they ask the database once)."""
    cached = getattr(cluster, "_member_roles", None)
    if cached is None:
        cached = dict(_MEMBER_ROLES.run("roles", cluster_id=cluster.pk))
        cluster._member_roles = cached
    return cached


# Asked on every cell save and grid page: its SQL compiled once per process (emulation.prepared;
# 1.4 -> 0.4 ms of CPU a call, docs/performance.md).
_MEMBER_ROLES = Prepared(
    lambda *, cluster_id: Membership.objects.filter(cluster_id=cluster_id).values_list(
        "unit_id", "role"
    )
)


def cluster_role(user: User, cluster: Cluster) -> str | None:
    return org.role_in_cluster(user, cluster)


def is_cluster_head(user: User, cluster: Cluster) -> bool:
    """The user is an officer of the cluster's leader or deputy unit."""
    return org.is_unit_officer(user) and member_roles(cluster).get(user.unit_id) in (
        MemberRole.LEADER,
        MemberRole.DEPUTY,
    )


def scorer_role(cluster: Cluster, unit_id: int) -> str:
    """Which unit scores ``unit_id`` at the cluster stage: the leader unit scores every
    member but itself; the deputy unit scores the leader unit."""
    if member_roles(cluster).get(unit_id) == MemberRole.LEADER:
        return MemberRole.DEPUTY
    return MemberRole.LEADER


def can_score_cluster_stage(user: User, sheet: ScoreSheet) -> bool:
    if not org.is_unit_officer(user):
        return False
    mine = member_roles(sheet.cluster).get(user.unit_id)
    return mine == scorer_role(sheet.cluster, sheet.unit_id)


def can_upload_grid(user: User, cluster: Cluster, stage: str, period: Period | None = None) -> bool:
    """May send the grid back as an Excel file: may score at least one of its sheets now."""
    sheets = ScoreSheet.objects.filter(
        of_period(period_id_of(period)), cluster=cluster, stage=stage
    )
    for sheet in sheets.select_related("period").order_by():
        sheet.cluster = cluster
        if can_edit_sheet(user, sheet):
            return True
    return False


def minutes_stage(user: User, cluster: Cluster, period: Period | None = None) -> str | None:
    """The stage whose ranking the minutes of ``period`` (None: the year-end review) record
    for this user, or None if they may not read them: the final stage once the cluster's
    results are published (whoever may see the published ranking); before that, the
    cluster stage as a draft for managers and the cluster's leader and deputy units."""
    from scoring import workflow  # workflow writes; the rules only ask it a question

    if workflow.is_published(cluster, period):
        if can_view_cluster_results(user, cluster, Stage.FINAL, period):
            return Stage.FINAL
        return None
    if (is_manager(user) or is_cluster_head(user, cluster)) and can_view_cluster_results(
        user, cluster, Stage.CLUSTER, period
    ):
        return Stage.CLUSTER
    return None


def can_record_meeting(user: User, cluster: Cluster, period: Period | None = None) -> bool:
    """May record the day and place of the cluster's review meeting (its minutes' date): the
    campaign's managers and the cluster's leader and deputy units, while they may read the
    minutes."""
    heads = manages(user, cluster.campaign) or is_cluster_head(user, cluster)
    return heads and minutes_stage(user, cluster, period) is not None


def can_edit_sheet(user: User, sheet: ScoreSheet) -> bool:
    """May change the sheet's scores now (its phase is open and it is not locked)."""
    if sheet.status == SheetStatus.LOCKED:
        return False
    campaign = sheet.cluster.campaign
    phase = sheet_phase(sheet)
    if sheet.stage == Stage.SELF:
        return (
            org.is_unit_officer(user)
            and user.unit_id == sheet.unit_id
            and phase == Phase.SELF_ASSESSMENT
            and sheet.status in (SheetStatus.DRAFT, SheetStatus.RETURNED)
        )
    if sheet.stage == Stage.CLUSTER:
        return phase == Phase.CLUSTER_SCORING and can_score_cluster_stage(user, sheet)
    return (
        phase == Phase.FINAL_REVIEW and manages(user, campaign) and not judges_own_unit(user, sheet)
    )


def can_correct_sheet(user: User, sheet: ScoreSheet) -> bool:
    """May correct the sheet's entries in the Django admin (through the services, at any
    stage and phase, as the standing agency's last resort): the campaign's managers, never
    on a locked sheet, and never on their own unit's sheet."""
    return (
        sheet.status != SheetStatus.LOCKED
        and manages(user, sheet.cluster.campaign)
        and not judges_own_unit(user, sheet)
    )


def can_submit_sheet(user: User, sheet: ScoreSheet) -> bool:
    return sheet.stage != Stage.FINAL and can_edit_sheet(user, sheet)


def can_return_sheet(user: User, sheet: ScoreSheet) -> bool:
    """A submitted self-assessment goes back to its unit, from its cluster's leaders or the
    standing agency, while self-assessment or cluster scoring is open."""
    if sheet.stage != Stage.SELF or sheet.status != SheetStatus.SUBMITTED:
        return False
    if sheet_phase(sheet) not in (Phase.SELF_ASSESSMENT, Phase.CLUSTER_SCORING):
        return False
    if judges_own_unit(user, sheet):
        return False
    if is_manager(user):
        return manages(user, sheet.cluster.campaign)
    return org.is_unit_officer(user) and member_roles(sheet.cluster).get(user.unit_id) in (
        MemberRole.LEADER,
        MemberRole.DEPUTY,
    )


def can_explain(user: User, entry: ScoreEntry, self_points=None) -> bool:
    """The unit explains a cluster-stage score lower than its own, while explanations are
    open. ``self_points`` is the unit's self-assessed points for the criterion."""
    sheet = entry.sheet
    return (
        org.is_unit_officer(user)
        and user.unit_id == sheet.unit_id
        and sheet.stage == Stage.CLUSTER
        and sheet_phase(sheet) == Phase.EXPLANATION
        and self_points is not None
        and (entry.points or 0) < self_points
    )


def can_publish(user: User, cluster: Cluster, period: Period | None = None) -> bool:
    phase = phase_of(cluster.campaign, period)
    return phase == Phase.FINAL_REVIEW and manages(user, cluster.campaign)


def can_reopen(user: User, cluster: Cluster) -> bool:
    return org.is_administrator(user)


def can_set_phase(user: User, campaign: Campaign) -> bool:
    return manages(user, campaign)


def phases_open_to(user: User, campaign: Campaign) -> list[str]:
    """The phases the user may move the campaign to (its current phase left out).

    Managers move a campaign forwards or backwards (a phase opened by mistake, a stage that
    needs more time): what each role may edit follows the phase, and sheets locked by
    publication stay locked whatever the phase. Leaving the published phase reopens the
    year's official results, which only an administrator may do. (Whether every cluster is
    published before the campaign is, is a condition on the data, checked by the view.)"""
    if not can_set_phase(user, campaign):
        return []
    if campaign.phase == Phase.PUBLISHED and not org.is_administrator(user):
        return []
    return [p for p in PHASE_ORDER if p != campaign.phase]


def can_move_to_phase(user: User, campaign: Campaign, phase: str) -> bool:
    return phase in phases_open_to(user, campaign)


# --- Periods: the six-month review (sơ kết) beside the year-end one -------------------------


def can_add_six_month(user: User, campaign: Campaign) -> bool:
    """Add the six-month review to a campaign: the staff who manage it, before its year-end
    results are published."""
    return (
        can_manage_scoring(user)
        and org.can_manage_campaign(user, campaign)
        and campaign.phase != Phase.PUBLISHED
    )


def period_phases_open_to(user: User, period: Period) -> list[str]:
    """The phases the user may move a six-month review to (its current phase left out), by
    the rules of ``phases_open_to``: managers forwards or backwards, and only an
    administrator away from published. The year-end review moves with its campaign."""
    if period.is_year_end:
        return phases_open_to(user, period.campaign)
    if not can_set_phase(user, period.campaign):
        return []
    if period.phase == Phase.PUBLISHED and not org.is_administrator(user):
        return []
    return [p for p in SIX_MONTH_PHASES if p != period.phase]


def overview_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns whose overview (every cluster in the user's scope with its progress) the
    user may open: managers their campaigns; a unit officer the campaigns in which their
    unit leads a cluster or is its deputy (to follow who has submitted)."""
    if is_manager(user):
        return org.managed_campaigns(user)
    if not org.is_unit_officer(user):
        return Campaign.objects.none()
    return Campaign.objects.filter(
        pk__in=Membership.objects.filter(
            unit_id=user.unit_id, role__in=[MemberRole.LEADER, MemberRole.DEPUTY]
        ).values("campaign_id")
    )


def can_view_campaign_overview(user: User, campaign: Campaign) -> bool:
    return overview_campaigns(user).filter(pk=campaign.pk).exists()


def result_stages(
    user: User, clusters: Iterable[Cluster], period: Period | None = None
) -> dict[int, list[str]]:
    """For each cluster, the stages of ``period`` (None: the year-end review; a period of
    the clusters' campaign) whose ranking the user may view, in stage order, in a fixed
    number of queries whatever the number of clusters (the clusters' campaigns should be
    loaded). Managers: every stage of the clusters in their scope. The cluster's leader
    and deputy units: self and cluster stages. Every member: the cluster stage once
    explanations open; the final stage once the cluster's final results are published
    (locked after a publication)."""
    clusters = list(clusters)
    ids = [c.pk for c in clusters]
    result: dict[int, list[str]] = {pk: [] for pk in ids}
    if not clusters:
        return result
    if is_manager(user):
        in_scope = set(org.visible_clusters(user).filter(pk__in=ids).values_list("pk", flat=True))
        for pk in in_scope:
            result[pk] = [s.value for s in Stage]
        return result
    if not (user.is_authenticated and user.unit_id):
        return result
    roles = dict(
        Membership.objects.filter(cluster_id__in=ids, unit_id=user.unit_id).values_list(
            "cluster_id", "role"
        )
    )
    if not roles:
        return result
    published = set(
        ScoreSheet.objects.filter(
            of_period(period_id_of(period)),
            cluster_id__in=list(roles),
            stage=Stage.FINAL,
            status=SheetStatus.LOCKED,
            cluster__publications__isnull=False,
        ).values_list("cluster_id", flat=True)
    )
    for cluster in clusters:
        role = roles.get(cluster.pk)
        if role is None:
            continue
        stages = result[cluster.pk]
        if role in (MemberRole.LEADER, MemberRole.DEPUTY):
            stages.append(Stage.SELF.value)
        if role in (MemberRole.LEADER, MemberRole.DEPUTY) or _reached(
            cluster.campaign, Phase.EXPLANATION, period
        ):
            stages.append(Stage.CLUSTER.value)
        if cluster.pk in published:
            stages.append(Stage.FINAL.value)
    return result


def can_view_cluster_results(
    user: User, cluster: Cluster, stage: str, period: Period | None = None
) -> bool:
    """Rankings: managers always; the cluster's leaders for self and cluster stages; every
    member once the stage's scores are visible to it (cluster from explanations on, final
    when published). The rule itself is ``result_stages``."""
    return stage in result_stages(user, [cluster], period)[cluster.pk]


# --- The scoring grid (cluster leaders' scoring and the final review) ---------------------

GRID_STAGES = (Stage.CLUSTER, Stage.FINAL)


def can_view_grid(user: User, cluster: Cluster, stage: str) -> bool:
    """The grid of every member's scores at a stage: the standing agency for both stages
    (the cluster within their scope), the cluster's leader and deputy units for the cluster
    stage. Members see their own sheets, not the grid."""
    if stage not in GRID_STAGES:
        return False
    if manages(user, cluster.campaign):
        return True
    return stage == Stage.CLUSTER and (
        org.is_unit_officer(user)
        and member_roles(cluster).get(user.unit_id) in (MemberRole.LEADER, MemberRole.DEPUTY)
    )


def can_start_stage(user: User, cluster: Cluster, stage: str, period: Period | None = None) -> bool:
    """Create the members' sheets at a stage of ``period`` (None: the year-end review): the
    cluster stage by the cluster's leader or deputy unit or the standing agency while
    cluster scoring is open; the final stage by the standing agency while the final review
    is open."""
    phase = phase_of(cluster.campaign, period)
    if stage == Stage.CLUSTER:
        return phase == Phase.CLUSTER_SCORING and (
            manages(user, cluster.campaign)
            or (
                org.is_unit_officer(user)
                and member_roles(cluster).get(user.unit_id)
                in (MemberRole.LEADER, MemberRole.DEPUTY)
            )
        )
    if stage == Stage.FINAL:
        return phase == Phase.FINAL_REVIEW and manages(user, cluster.campaign)
    return False


def can_view_targets(user: User, campaign: Campaign) -> bool:
    """The page of the units' own targets (chỉ tiêu giao riêng) of a campaign's score
    table, its Excel template and its history: the staff who manage the campaign."""
    return can_manage_scoring(user) and org.can_manage_campaign(user, campaign)


def can_set_targets(user: User, campaign: Campaign) -> bool:
    """Change the units' own targets: the campaign's managers, until its results are
    published (a unit whose results are locked keeps its target: the service refuses)."""
    return can_view_targets(user, campaign) and campaign.phase != Phase.PUBLISHED


def can_set_not_assigned(user: User, campaign: Campaign) -> bool:
    """Mark a criterion of a table not assigned to a unit or a kind of unit, or assign it
    again: the campaign's managers, until its results are published (the page is read by
    whoever may read the units' targets)."""
    return can_set_targets(user, campaign)


# --- The score table editor ---------------------------------------------------------------


def can_create_table(user: User, campaign: Campaign) -> bool:
    """Make a new score table for the campaign (blank, a copy, or a published table's next
    version): the staff who manage the campaign."""
    return can_manage_scoring(user) and org.can_manage_campaign(user, campaign)


def can_edit_table(user: User, table: ScoreTable) -> bool:
    """Change a table in the editor: a draft, by the staff who manage its campaign. A
    published table is never changed; its next version is made instead."""
    return (
        not table.is_published
        and can_manage_scoring(user)
        and managed_tables(user).filter(pk=table.pk).exists()
    )
