"""The demo's scoring part: a published table for the four clusters, self and cluster
sheets for every unit, rankings, and the campaign moved on to cluster scoring."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from clusters.enums import Phase
from clusters.models import Campaign, Membership
from scoring.enums import SheetStatus, Stage, TableStatus
from scoring.models import ScoreEntry, ScoreSheet, ScoreTable

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = False
    call_command("seed_demo", verbosity=0)
    return Campaign.objects.get(year=2023)


def test_demo_table_is_published_for_the_four_clusters(seeded):
    table = ScoreTable.objects.get(campaign=seeded)

    assert table.status == TableStatus.PUBLISHED
    assert sorted(table.clusters.values_list("code", flat=True)) == ["CUM1", "CUM2", "CUM3", "CUM4"]
    assert table.criteria.filter(method="relative").count() == 3
    assert table.criteria.filter(kind="veto").count() == 2


def test_demo_every_member_has_complete_self_and_cluster_sheets(seeded):
    members = Membership.objects.filter(campaign=seeded).count()

    for stage in (Stage.SELF, Stage.CLUSTER):
        sheets = ScoreSheet.objects.filter(cluster__campaign=seeded, stage=stage)
        assert sheets.count() == members
        assert sheets.filter(complete=True).count() == members
    assert not ScoreEntry.objects.filter(points__isnull=True).exists()


def test_demo_self_sheets_are_submitted_and_the_year_published(seeded):
    assert seeded.phase == Phase.PUBLISHED
    assert set(ScoreSheet.objects.filter(stage=Stage.SELF).values_list("status", flat=True)) == {
        SheetStatus.SUBMITTED
    }


def test_demo_each_cluster_is_ranked_with_a_leading_unit(seeded):
    for cluster in seeded.clusters.all():
        sheets = list(
            ScoreSheet.objects.filter(cluster=cluster, stage=Stage.CLUSTER).order_by("rank")
        )
        assert sheets[0].rank == 1
        assert [s.rank for s in sheets] == sorted(s.rank for s in sheets)
        assert any(s.leading for s in sheets)


def test_demo_twice_changes_nothing_in_scoring(seeded):
    before = list(
        ScoreSheet.objects.order_by("pk").values_list("pk", "total", "rank", "status", "version")
    )
    history = ScoreEntry.history.count()

    call_command("seed_demo", verbosity=0)

    after = list(
        ScoreSheet.objects.order_by("pk").values_list("pk", "total", "rank", "status", "version")
    )
    assert after == before
    assert ScoreEntry.history.count() == history
    assert Campaign.objects.get(year=2023).phase == Phase.PUBLISHED


def test_demo_pledge_items_are_linked_to_their_criteria(seeded):
    from scoring.models import PledgeItemCriterion

    table = ScoreTable.objects.get(campaign=seeded)
    for cluster in seeded.clusters.all():
        links = PledgeItemCriterion.objects.filter(item__pledge__cluster=cluster, table=table)
        assert sorted(links.values_list("item__area", "criterion__code")) == [
            ("Chuyển đổi số", "III"),
            ("Giao lưu, trao đổi kinh nghiệm", "VI.1"),
            ("Mô hình, điển hình tiên tiến", "VI"),
            ("Phong trào toàn dân bảo vệ an ninh Tổ quốc", "V"),
            ("Phòng ngừa cháy, nổ và tai nạn giao thông", "II"),
            ("Phòng, chống tội phạm", "I"),
            ("Quản lý nhà nước về an ninh, trật tự", "II"),
            ("Xây dựng Đảng, xây dựng lực lượng và hậu cần", "IV"),
        ]
    before = list(PledgeItemCriterion.objects.order_by("pk").values_list())

    call_command("seed_demo", verbosity=0)

    assert list(PledgeItemCriterion.objects.order_by("pk").values_list()) == before


def test_demo_2023_is_published_and_2024_carries_on_in_self_assessment(seeded):
    from clusters.enums import MemberRole
    from clusters.models import LeadershipElection
    from scoring.enums import BaselineSource
    from scoring.models import UnitBaseline

    next_year = Campaign.objects.get(year=2024)

    assert seeded.phase == Phase.PUBLISHED
    assert next_year.phase == Phase.SELF_ASSESSMENT
    assert set(
        ScoreSheet.objects.filter(cluster__campaign=seeded, stage=Stage.FINAL).values_list(
            "status", flat=True
        )
    ) == {SheetStatus.LOCKED}
    assert LeadershipElection.objects.filter(cluster__campaign=seeded).count() == 4
    heads = sorted(
        Membership.objects.filter(campaign=next_year)
        .exclude(role=MemberRole.MEMBER)
        .values_list("cluster__code", "role", "unit__code")
    )
    assert heads == [
        ("CUM1", "deputy", "PV06"),
        ("CUM1", "leader", "PH10"),
        ("CUM2", "deputy", "PA09"),
        ("CUM2", "leader", "PA05"),
        ("CUM3", "deputy", "PC04"),
        ("CUM3", "leader", "PC03"),
        ("CUM4", "deputy", "CACJ"),
        ("CUM4", "leader", "CADM"),
    ]
    table = ScoreTable.objects.get(campaign=next_year)
    assert (table.status, table.previous.campaign) == (TableStatus.PUBLISHED, seeded)
    # Every unit's reduction baseline carried: last year's final count of I.1.
    for unit_id, value in UnitBaseline.objects.filter(
        criterion__table=table, criterion__code="I.1"
    ).values_list("unit_id", "value"):
        final = ScoreEntry.objects.get(
            sheet__cluster__campaign=seeded,
            sheet__stage=Stage.FINAL,
            sheet__unit_id=unit_id,
            criterion__code="I.1",
        )
        assert value == final.actual
    carried = UnitBaseline.objects.filter(criterion__table=table)
    assert carried.count() == carried.filter(source=BaselineSource.CARRIED).count()
    assert carried.filter(criterion__code="I.1").count() == 30
