"""The home page's to-do list (clusters.todo, scoring.todo; docs/deadlines.md): items per
role with their deadlines and links, scoping, and a query count that does not grow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from clusters.services import deadlines
from scoring import services, workflow
from scoring.enums import Stage
from scoring.models import ScoreSheet
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)
from tests.scoring.conftest import table  # noqa: F401 (the fixture)

D = Decimal
pytestmark = pytest.mark.django_db
NOW = "2023-11-08T03:00:00Z"  # 8 November 2023, 10:00 in Hà Nội
FULL = {
    "I.1": {"points": D("15")},
    "I.2": {"numerator": 50, "denominator": 50},
    "I.3": {"numerator": 45, "denominator": 50},
    "B": {"count": 2},
    "T": {"points": D("1")},
    "V": {"violated": False},
}


def phase(org, value):
    org.campaign.phase = value
    org.campaign.save()


def todo(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["todo"], response.content.decode()


def self_sheet(org, unit):
    return services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.SELF)


@time_machine.travel(NOW, tick=False)
def test_officer_sees_the_sheet_to_fill_with_missing_entries_and_deadline(client, org, table):  # noqa: F811
    phase(org, Phase.SELF_ASSESSMENT)
    sheet = self_sheet(org, org.member_unit)
    services.sheet_fill(sheet=sheet, values={"I.1": {"points": D(3)}, "B": {"count": 1}})
    deadlines.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )

    items, page = todo(client, org.member)

    assert [(i.text, i.count, i.due, i.urgency, i.url) for i in items] == [
        (
            "Fill in your self-assessment: entries missing",
            4,
            date(2023, 11, 10),
            "soon",
            reverse("sheet_detail", args=[sheet.pk]),
        )
    ]
    assert "2 days left" in page
    assert "10/11/2023" in page


@time_machine.travel(NOW, tick=False)
def test_officer_without_a_sheet_is_sent_to_my_sheet(client, org, table):  # noqa: F811
    phase(org, Phase.SELF_ASSESSMENT)

    items, _page = todo(client, org.member)

    assert [(i.text, i.url, i.due) for i in items] == [
        ("Start your self-assessment", reverse("my_sheet"), None)
    ]


@time_machine.travel(NOW, tick=False)
def test_returned_sheet_and_extension_date(client, org, table):  # noqa: F811
    phase(org, Phase.SELF_ASSESSMENT)
    sheet = self_sheet(org, org.member_unit)
    services.sheet_fill(sheet=sheet, values=FULL)
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))
    workflow.sheet_submit(sheet=sheet, user=org.member)
    workflow.sheet_return(sheet=sheet, user=org.staff, comment="Thiếu minh chứng")
    deadline = deadlines.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 5)
    )
    deadlines.deadline_extend(
        deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 20), reason="Bão"
    )

    items, page = todo(client, org.member)

    assert [(i.text, i.due, i.urgency) for i in items] == [
        ("Correct and resubmit your self-assessment (returned)", date(2023, 11, 20), "normal")
    ]
    assert "12 days left" in page


@time_machine.travel(NOW, tick=False)
def test_submitted_sheet_leaves_the_list(client, org, table):  # noqa: F811
    phase(org, Phase.SELF_ASSESSMENT)
    sheet = self_sheet(org, org.member_unit)
    services.sheet_fill(sheet=sheet, values=FULL)
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))
    workflow.sheet_submit(sheet=sheet, user=org.member)

    items, page = todo(client, org.member)

    assert items == []
    assert "data-todo-empty" in page


@time_machine.travel(NOW, tick=False)
def test_leader_sees_the_empty_cells_of_the_grid_deputy_the_leaders_sheet(client, org, table):  # noqa: F811
    phase(org, Phase.CLUSTER_SCORING)
    workflow.stage_start(cluster=org.cluster, stage=Stage.CLUSTER)
    deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.CLUSTER_SCORING,
        due_date=date(2023, 11, 1),
        cluster=org.cluster,
    )

    leader_items, _page = todo(client, org.leader)
    deputy_items, _page = todo(client, org.deputy)
    member_items, _page = todo(client, org.member)

    grid = reverse("grid", args=[org.cluster.pk, Stage.CLUSTER])
    # Six inputs per sheet: the leader scores the deputy and the member, the deputy the leader.
    assert [(i.text, i.count, i.url, i.urgency) for i in leader_items] == [
        ("Score the cluster's units: grid cells still empty", 12, grid, "late")
    ]
    assert [(i.count, i.url) for i in deputy_items] == [(6, grid)]
    assert member_items == []


@time_machine.travel(NOW, tick=False)
def test_explanations_to_write(client, org, table):  # noqa: F811
    phase(org, Phase.SELF_ASSESSMENT)
    own = self_sheet(org, org.member_unit)
    services.sheet_fill(sheet=own, values=FULL)
    services.recompute_scope(ScoreSheet.objects.filter(pk=own.pk))
    cluster_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.CLUSTER
    )
    services.sheet_fill(sheet=cluster_sheet, values={**FULL, "I.1": {"points": D(10)}})
    services.recompute_scope(ScoreSheet.objects.filter(pk=cluster_sheet.pk))
    phase(org, Phase.EXPLANATION)

    items, _page = todo(client, org.member)

    assert [(i.text, i.count, i.url) for i in items] == [
        (
            "Explain the cluster's scores lower than your own",
            1,
            reverse("sheet_detail", args=[cluster_sheet.pk]),
        )
    ]
    entry = cluster_sheet.entries.get(criterion__code="I.1")
    workflow.explanation_write(entry=entry, user=org.member, text="Có biên bản")
    items, _page = todo(client, org.member)
    assert items == []


@time_machine.travel(NOW, tick=False)
def test_staff_see_late_sheets_and_nobody_sees_another_organisers(client, org, table):  # noqa: F811
    phase(org, Phase.SELF_ASSESSMENT)
    self_sheet(org, org.member_unit)
    deadlines.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 1)
    )
    other_province = UnitFactory(code="CAX", kind="province")
    other = CampaignFactory(organiser=other_province, year=2023, phase=Phase.SELF_ASSESSMENT)
    unit = UnitFactory(code="X1", parent=other_province)
    MembershipFactory(cluster=ClusterFactory(campaign=other, number=1, code="X"), unit=unit)
    stranger = UserFactory(username="stranger", unit=unit)

    staff_items, _page = todo(client, org.staff)
    stranger_items, _page = todo(client, stranger)

    assert [(i.text, i.count, i.url, i.urgency) for i in staff_items] == [
        (
            "Units late with the current phase",
            4,  # the campaign's four members: none has handed in its self-assessment
            reverse("campaign_late", args=[org.campaign.pk]),
            "late",
        )
    ]
    assert all(str(org.campaign.pk) not in i.url for i in stranger_items)
    assert all(i.context != org.cluster.name for i in stranger_items)


@time_machine.travel(NOW, tick=False)
def test_home_query_count_with_todo_does_not_grow(
    client,
    org,
    table,  # noqa: F811
    django_assert_max_num_queries,
):
    phase(org, Phase.SELF_ASSESSMENT)
    deadlines.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 9)
    )
    self_sheet(org, org.member_unit)
    small = {}
    for user in (org.member, org.staff):
        client.force_login(user)
        with django_assert_max_num_queries(40) as captured:
            client.get(reverse("home"))
        small[user.username] = len(captured.captured_queries)
    for number in range(3, 8):
        cluster = ClusterFactory(campaign=org.campaign, number=number, code=f"K{number}")
        table.clusters.add(cluster)
        for role in (MemberRole.LEADER, MemberRole.DEPUTY, MemberRole.MEMBER):
            unit = UnitFactory(parent=org.province)
            MembershipFactory(cluster=cluster, unit=unit, role=role)
            services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.SELF)
        deadlines.deadline_set(
            campaign=org.campaign,
            period=None,
            phase=Phase.SELF_ASSESSMENT,
            due_date=date(2023, 11, 12),
            cluster=cluster,
        )
    for user in (org.member, org.staff):
        client.force_login(user)
        with django_assert_max_num_queries(small[user.username]):
            response = client.get(reverse("home"))
        assert response.context["todo"]


def test_signing_phase_items_for_the_leader_and_not_for_members(client, org):
    phase(org, Phase.SIGNING)

    leader_items, _page = todo(client, org.leader)
    member_items, _page = todo(client, org.member)

    assert [(i.text, i.url) for i in leader_items] == [
        (
            "Record the signing conference and the pledge",
            reverse("cluster_conference_edit", args=[org.cluster.pk]),
        )
    ]
    assert member_items == []


def test_published_year_asks_the_heads_for_the_vote_and_next_leaders(client, org):
    phase(org, Phase.PUBLISHED)

    leader_items, _page = todo(client, org.leader)
    member_items, _page = todo(client, org.member)

    assert [(i.text, i.url) for i in leader_items] == [
        (
            "Record next year's leaders and the meeting's minutes",
            reverse("awards_next_leaders", args=[org.cluster.pk]),
        ),
        (
            "Record the cluster's vote on the titles",
            reverse("awards_cluster", args=[org.cluster.pk]),
        ),
    ]
    assert member_items == []
