"""Copy a year, completely (issue 14 point 1): clusters and members with next year's leaders
(keep, rotate, elected), the score tables as drafts with the units' targets, the award
types, the six-month review, the carried figures; all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from awards.models import AwardType
from clusters.copying import register_copy_step
from clusters.enums import ClusterKind, MemberRole, NextLeaders, PeriodKind
from clusters.models import Campaign, Cluster, LeadershipElection, Membership, Period
from clusters.services import leadership as leadership_services
from clusters.services import organisation as organisation_services
from clusters.services import setup as setup_services
from scoring import services as scoring_services
from scoring.enums import BaselineSource, TableStatus
from scoring.models import ScoreTable, UnitBaseline, UnitTarget
from tests.factories import MembershipFactory, UnitFactory
from tests.scoring.conftest import make_criterion

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _roles(campaign: Campaign, code: str) -> dict[str, str]:
    return dict(
        Membership.objects.filter(cluster__campaign=campaign, cluster__code=code).values_list(
            "unit__code", "role"
        )
    )


@pytest.fixture
def year(org):
    """org's 2023 with a fourth member in C1 (Z1), a published table of C1 and C2 (a group,
    a manual leaf and a reduction with targets), a draft second version of it, a block, and
    an award type."""
    z1 = UnitFactory(code="Z1", parent=org.province)
    MembershipFactory(cluster=org.cluster, unit=z1)
    Cluster.objects.filter(pk=org.other_cluster.pk).update(kind=ClusterKind.BLOCK)
    table = ScoreTable.objects.create(
        campaign=org.campaign, title="Thang điểm", bands=[{"label": "Tốt", "min": "5"}]
    )
    table.clusters.set([org.cluster, org.other_cluster])
    group = make_criterion(table, "I", "group", max_points=D(20), order=1)
    make_criterion(table, "I.1", "manual", parent=group, order=1, max_points=D(10))
    reduction = make_criterion(
        table, "I.2", "target", parent=group, order=2, max_points=D(10), metric="reduction",
        method="threshold", target=D(5),
    )  # fmt: skip
    scoring_services.table_renumber(table=table)
    scoring_services.table_publish(table=table)
    UnitTarget.objects.create(criterion=reduction, unit=org.member_unit, target=D(10))
    UnitTarget.objects.create(criterion=reduction, unit=org.deputy_unit, target=D(7))
    scoring_services.table_new_version(table=table)  # a draft v2: the published v1 is copied
    AwardType.objects.create(campaign=org.campaign, code="tien-tien", name="Đơn vị Tiên tiến")
    return org


def test_copy_keeps_leaders_and_copies_tables_targets_awards_and_kind(year):
    org = year

    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    campaign = result.campaign
    assert list(campaign.clusters.values_list("code", "kind")) == [
        ("C1", ClusterKind.CLUSTER),
        ("C2", ClusterKind.BLOCK),
    ]
    assert _roles(campaign, "C1") == {
        "L1": MemberRole.LEADER,
        "D1": MemberRole.DEPUTY,
        "M1": MemberRole.MEMBER,
        "Z1": MemberRole.MEMBER,
    }
    table = ScoreTable.objects.get(campaign=campaign)
    assert (table.title, table.version, table.status, table.previous.version) == (
        "Thang điểm",
        1,
        TableStatus.DRAFT,
        1,
    )
    assert table.bands == [{"label": "Tốt", "min": "5"}]
    assert sorted(table.clusters.values_list("code", flat=True)) == ["C1", "C2"]
    assert list(
        table.criteria.order_by("position").values_list("code", "depth", "parent__code")
    ) == [
        ("I", 0, None),
        ("I.1", 1, "I"),
        ("I.2", 1, "I"),
    ]
    assert sorted(
        UnitTarget.objects.filter(criterion__table=table).values_list(
            "unit__code", "target", "copied"
        )
    ) == [("D1", D(7), True), ("M1", D(10), True)]
    assert list(AwardType.objects.filter(campaign=campaign).values_list("code", "name")) == [
        ("tien-tien", "Đơn vị Tiên tiến")
    ]
    assert result.report == [
        "1 score tables copied as drafts, with 2 units' targets; 0 last-year figures carried, "
        "5 to type.",
        "1 award types copied.",
    ]


def test_copy_rotates_to_the_next_members_in_the_clusters_order(year):
    org = year
    # C1 in code order: D1, L1 (leader), M1, Z1 → M1 leads, Z1 deputy. C2 has one member.

    result = setup_services.campaign_copy(
        source=org.campaign, year=2024, leaders=NextLeaders.ROTATE
    )

    assert _roles(result.campaign, "C1") == {
        "D1": MemberRole.MEMBER,
        "L1": MemberRole.MEMBER,
        "M1": MemberRole.LEADER,
        "Z1": MemberRole.DEPUTY,
    }
    assert _roles(result.campaign, "C2") == {"O1": MemberRole.LEADER}


def test_rotation_wraps_round_and_a_cluster_without_leader_starts_at_its_first_member(year):
    members = list(Membership.objects.filter(cluster=year.cluster).select_related("unit"))
    Membership.objects.filter(cluster=year.cluster, unit__code="L1").update(role="member")
    Membership.objects.filter(cluster=year.cluster, unit__code="Z1").update(role="leader")

    wrapped = leadership_services.rotated_heads(
        list(Membership.objects.filter(cluster=year.cluster).select_related("unit"))
    )
    for m in members:
        m.role = MemberRole.MEMBER
    leaderless = leadership_services.rotated_heads(members)

    codes = {m.unit_id: m.unit.code for m in members}
    assert (codes[wrapped[0]], codes[wrapped[1]]) == ("D1", "L1")
    assert (codes[leaderless[0]], codes[leaderless[1]]) == ("D1", "L1")


def test_copy_takes_the_elected_units_and_says_where_none_was_recorded(year):
    org = year
    leadership_services.leadership_election_record(
        cluster=org.cluster,
        held_on=dt.date(2023, 12, 22),
        members_present=4,
        leader=org.member_unit,
        leader_votes=3,
        deputy=org.leader_unit,
        deputy_votes=4,
    )

    result = setup_services.campaign_copy(
        source=org.campaign,
        year=2024,
        leaders={org.cluster.pk: NextLeaders.ELECTED, org.other_cluster.pk: NextLeaders.ELECTED},
    )

    assert _roles(result.campaign, "C1") == {
        "D1": MemberRole.MEMBER,
        "L1": MemberRole.DEPUTY,
        "M1": MemberRole.LEADER,
        "Z1": MemberRole.MEMBER,
    }
    assert _roles(result.campaign, "C2") == {"O1": MemberRole.LEADER}
    assert result.notes == [
        f"{org.other_cluster.name}: no election recorded: this year's leader and deputy kept"
    ]


def test_an_elected_unit_dissolved_since_hands_its_role_to_its_successor(year):
    org = year
    leadership_services.leadership_election_record(
        cluster=org.cluster,
        held_on=dt.date(2023, 12, 22),
        members_present=4,
        leader=org.member_unit,
        leader_votes=3,
    )
    successor = UnitFactory(code="S1", parent=org.province)
    organisation_services.unit_deactivate(
        unit=org.member_unit, on=dt.date(2023, 12, 31), successor=successor
    )

    result = setup_services.campaign_copy(
        source=org.campaign, year=2024, leaders=NextLeaders.ELECTED
    )

    assert _roles(result.campaign, "C1")["S1"] == MemberRole.LEADER
    target = UnitTarget.objects.get(criterion__table__campaign=result.campaign, unit=successor)
    assert (target.target, target.copied) == (D(10), True)


def test_copy_copies_the_six_month_review_and_its_table_joins_it(year):
    org = year
    six = Period.objects.create(campaign=org.campaign, kind=PeriodKind.SIX_MONTH, phase="setup")
    mid = ScoreTable.objects.create(campaign=org.campaign, period=six, title="Sơ kết", bands=[])

    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    new_six = Period.objects.get(campaign=result.campaign, kind=PeriodKind.SIX_MONTH)
    assert new_six.phase == "setup"
    copied = ScoreTable.objects.get(campaign=result.campaign, title=mid.title)
    assert copied.period == new_six
    main = ScoreTable.objects.get(campaign=result.campaign, title="Thang điểm")
    assert main.period.kind == PeriodKind.YEAR_END


def test_a_step_that_refuses_undoes_the_whole_copy(year):
    def refuse(context):
        raise ValidationError("refused by a step")

    register_copy_step("tests.refuse", refuse, order=999)
    try:
        with pytest.raises(ValidationError):
            setup_services.campaign_copy(source=year.campaign, year=2024)
    finally:
        from clusters import copying

        copying._copy_steps.pop("tests.refuse")

    assert not Campaign.objects.filter(year=2024).exists()
    assert ScoreTable.objects.filter(campaign__year=2024).count() == 0
    assert UnitBaseline.objects.count() == 0


def test_an_unknown_choice_is_refused_and_nothing_is_stored(year):
    with pytest.raises(ValidationError):
        setup_services.campaign_copy(source=year.campaign, year=2024, leaders="someone")
    assert not Campaign.objects.filter(year=2024).exists()


def test_election_record_refuses_a_unit_outside_the_cluster_and_too_many_votes(year):
    org = year
    cases = [
        {"leader": org.outsider_unit, "leader_votes": 1},
        {"leader": org.member_unit, "leader_votes": 5},
        {"leader": org.member_unit, "leader_votes": 2, "deputy": org.member_unit,
         "deputy_votes": 1},
    ]  # fmt: skip
    for case in cases:
        with pytest.raises(ValidationError):
            leadership_services.leadership_election_record(
                cluster=org.cluster, held_on=dt.date(2023, 12, 22), members_present=4, **case
            )
    assert LeadershipElection.objects.count() == 0


def test_carried_figures_follow_the_copy(year):
    org = year
    from scoring.enums import SheetStatus, Stage
    from scoring.models import Publication, ScoreSheet

    table = ScoreTable.objects.get(campaign=org.campaign, version=1)
    sheet = scoring_services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.FINAL, table=table
    )
    scoring_services.sheet_fill(sheet=sheet, values={"I.2": {"baseline": 30, "actual": 24}})
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.LOCKED)
    Publication.objects.create(cluster=org.cluster, action=Publication.Action.PUBLISH)

    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    carried = UnitBaseline.objects.get(criterion__table__campaign=result.campaign)
    assert (carried.unit, carried.value, carried.source, carried.source_year) == (
        org.member_unit,
        D(24),
        BaselineSource.CARRIED,
        2023,
    )


def test_the_targets_page_counts_the_copied_targets_until_they_change(client, year):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the page is asserted in English
    org = year
    result = setup_services.campaign_copy(source=org.campaign, year=2024)
    table = ScoreTable.objects.get(campaign=result.campaign)
    scoring_services.table_publish(table=table)
    page = reverse("table_targets", args=[result.campaign.pk, table.pk])
    client.force_login(org.staff)

    before = client.get(page)
    target = UnitTarget.objects.get(criterion__table=table, unit=org.member_unit)
    scoring_services.unit_target_save(
        criterion=target.criterion, unit=org.member_unit, target=D(12), user=org.staff
    )
    after = client.get(page)

    assert (before.context["copied"], after.context["copied"]) == (2, 1)
    assert "2 targets were copied from last year" in before.content.decode()
    target.refresh_from_db()
    assert (target.target, target.copied) == (D(12), False)


def test_a_table_named_after_its_year_is_named_after_the_new_year(year):
    org = year
    ScoreTable.objects.create(
        campaign=org.campaign, title=f"Bảng điểm năm {org.campaign.year}", bands=[]
    )

    result = setup_services.campaign_copy(source=org.campaign, year=org.campaign.year + 1)

    titles = set(
        ScoreTable.objects.filter(campaign=result.campaign).values_list("title", flat=True)
    )
    assert titles == {"Thang điểm", f"Bảng điểm năm {org.campaign.year + 1}"}
