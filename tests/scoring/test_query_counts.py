"""Query counts of the scoring pages not pinned elsewhere: the final review's grid, a cell
save of a relative criterion (which recomputes the criterion across the cluster) and a
cell save at the final review. Each is measured on a small cluster and must take exactly
as many queries on a bigger one (more units, more criteria). The cluster grid, a plain
cell save, the ranking, the sheet page and the overview are pinned in test_views_*.py.

A cell save takes at most 12 queries, whatever the size (issue 13, docs/performance.md):
the session, the user and their group, the entry within the user's scope, the cluster's
members (the permission), then the save: BEGIN, the cluster's sheets locked, one read,
the entries, the history row, the sheets, COMMIT (SAVEPOINT and RELEASE in tests). The
answer is built from what the save stored, without another query."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from scoring import services, workflow
from scoring.enums import Stage
from scoring.models import ScoreEntry, ScoreSheet
from tests.factories import ClusterFactory, MembershipFactory, UnitFactory, UserFactory

D = Decimal
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CELL_SAVE_QUERIES = 12
# The final review's grid: the session, the staff member (their group, their organisers:
# one query per level of their unit), the cluster, its members, units, sheets, entries,
# self-assessments, explanations, own targets, the publication and the page's own
# (the navigation's roles); the published table is read once per process.
FINAL_GRID_QUERIES = 15


def set_phase(org, phase):
    org.campaign.phase = phase
    org.campaign.save()


def scaled_cluster(org, number: int, units: int, leaves: int):
    """A cluster of ``units`` units (leader, deputy, members) scored on its own published
    table: group I of ``leaves`` manual leaves (1 point each) and a relative rate R (10
    points, target 90%), a bonus and a veto. Every unit has a submitted self-assessment and
    a cluster sheet, filled alike (all tied: R at 5/10). Returns (cluster, leader user,
    units)."""
    cluster = ClusterFactory(campaign=org.campaign, number=number, code=f"K{number}")
    members = []
    for i in range(units):
        unit = UnitFactory(code=f"K{number}U{i:02d}", parent=org.province)
        role = [MemberRole.LEADER, MemberRole.DEPUTY][i] if i < 2 else MemberRole.MEMBER
        MembershipFactory(cluster=cluster, unit=unit, role=role)
        members.append(unit)
    leader = UserFactory(username=f"leader{number}", unit=members[0])
    manual = tuple(
        services.CriterionData(code=f"I.{n}", title=f"Tiêu chí {n}", kind="manual", max_points=D(1))
        for n in range(1, leaves + 1)
    )
    relative = services.CriterionData(
        code="I.R",
        title="Tỷ lệ so với cụm",
        kind="target",
        max_points=D(10),
        metric="rate",
        method="relative",
        target=D(90),
    )
    table = services.table_create_from_tree(
        campaign=org.campaign,
        title=f"Bảng {cluster.code}",
        criteria=[
            services.CriterionData(
                code="I",
                title="Nhóm I",
                kind="group",
                max_points=D(leaves + 10),
                children=(*manual, relative),
            ),
            services.CriterionData(code="B", title="Thưởng", kind="bonus", max_points=D(5)),
            services.CriterionData(code="V", title="Không để xảy ra", kind="veto", deduct=D(5)),
        ],
        clusters=[cluster],
        bands=[{"label": "Tốt", "min": "5"}, {"label": "Đạt", "min": "0"}],
    )
    services.table_publish(table=table)
    values = {f"I.{n}": {"points": D(1)} for n in range(1, leaves + 1)}
    values.update(
        {
            "I.R": {"numerator": 5, "denominator": 10},
            "B": {"points": D(1)},
            "V": {"violated": False},
        }
    )
    for unit in members:
        own = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.SELF)
        services.sheet_fill(sheet=own, values=values)
        workflow.sheet_submit(sheet=own, user=None)
        sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.CLUSTER)
        services.sheet_fill(sheet=sheet, values=values)
    services.recompute_scope(ScoreSheet.objects.filter(cluster=cluster))
    return cluster, leader, members


def entry(cluster, unit, stage, code) -> ScoreEntry:
    return ScoreEntry.objects.get(
        sheet__cluster=cluster, sheet__unit=unit, sheet__stage=stage, criterion__code=code
    )


def save(client, cluster, stage, e, field, value, **others):
    url = reverse("grid_cell_save", args=[cluster.pk, stage, e.pk])
    data = {"field": field, "value": value, "version": e.version, **others}
    return client.post(url, data, **HTMX)


def ranks(cluster, stage) -> list[int]:
    sheets = ScoreSheet.objects.filter(cluster=cluster, stage=stage).order_by("unit__code")
    return list(sheets.values_list("rank", flat=True))


def test_final_review_grid_query_count_does_not_grow(
    client, org, django_assert_num_queries, django_assert_max_num_queries
):
    small, _, _ = scaled_cluster(org, 5, units=3, leaves=2)
    big, _, _ = scaled_cluster(org, 6, units=10, leaves=30)
    set_phase(org, Phase.FINAL_REVIEW)
    for cluster in (small, big):
        workflow.stage_start(cluster=cluster, stage=Stage.FINAL, user=org.staff)
    client.force_login(org.staff)
    for cluster in (small, big):  # the session, and each published table read once
        client.get(reverse("grid", args=[cluster.pk, Stage.FINAL]))

    with django_assert_max_num_queries(FINAL_GRID_QUERIES) as measured:
        first = client.get(reverse("grid", args=[small.pk, Stage.FINAL]))
    with django_assert_num_queries(len(measured.captured_queries)):
        second = client.get(reverse("grid", args=[big.pk, Stage.FINAL]))

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(second.context["grid"].columns) == 10
    assert all(column["editable"] for column in second.context["grid"].columns)


def test_relative_cell_save_query_count_does_not_grow(
    client, org, django_assert_num_queries, django_assert_max_num_queries
):
    small, small_leader, small_units = scaled_cluster(org, 5, units=3, leaves=2)
    big, big_leader, big_units = scaled_cluster(org, 6, units=10, leaves=30)
    set_phase(org, Phase.CLUSTER_SCORING)
    small_entry = entry(small, small_units[2], Stage.CLUSTER, "I.R")
    big_entry = entry(big, big_units[2], Stage.CLUSTER, "I.R")
    client.force_login(small_leader)
    client.get(reverse("grid", args=[small.pk, Stage.CLUSTER]))

    # 5/10 → 10/10: the unit leads the criterion alone and the cluster (ranks change).
    with django_assert_max_num_queries(CELL_SAVE_QUERIES) as measured:
        first = save(client, small, Stage.CLUSTER, small_entry, "numerator", "10", denominator=10)
    count = len(measured.captured_queries)  # read before the next request clears the log
    client.force_login(big_leader)
    client.get(reverse("grid", args=[big.pk, Stage.CLUSTER]))
    with django_assert_num_queries(count):
        second = save(client, big, Stage.CLUSTER, big_entry, "numerator", "10", denominator=10)

    assert (first.status_code, second.status_code) == (200, 200)
    assert entry(big, big_units[2], Stage.CLUSTER, "I.R").points == D("10.00")
    assert ranks(small, Stage.CLUSTER) == [2, 2, 1]
    assert ranks(big, Stage.CLUSTER) == [2, 2, 1, *[2] * 7]


def test_final_review_cell_save_query_count_does_not_grow(
    client, org, django_assert_num_queries, django_assert_max_num_queries
):
    small, _, small_units = scaled_cluster(org, 5, units=3, leaves=2)
    big, _, big_units = scaled_cluster(org, 6, units=10, leaves=30)
    set_phase(org, Phase.FINAL_REVIEW)
    for cluster in (small, big):
        workflow.stage_start(cluster=cluster, stage=Stage.FINAL, user=org.staff)
    small_entry = entry(small, small_units[2], Stage.FINAL, "I.1")
    big_entry = entry(big, big_units[2], Stage.FINAL, "I.1")
    client.force_login(org.staff)
    for cluster in (small, big):  # the session, and each published table read once
        client.get(reverse("grid", args=[cluster.pk, Stage.FINAL]))

    # 1 → 0,5 points: the unit falls behind the others (ranks change). One more query
    # than a leader's save: this staff member's unit is a department under the organiser,
    # and finding their organisers reads one unit per level (clusters.permissions
    # .organiser_ids); a staff member of the organiser itself takes 12.
    with django_assert_max_num_queries(CELL_SAVE_QUERIES + 1) as measured:
        first = save(client, small, Stage.FINAL, small_entry, "points", "0,5")
    with django_assert_num_queries(len(measured.captured_queries)):
        second = save(client, big, Stage.FINAL, big_entry, "points", "0,5")

    assert (first.status_code, second.status_code) == (200, 200)
    assert entry(big, big_units[2], Stage.FINAL, "I.1").input_points == D("0.5")
    assert ranks(small, Stage.FINAL) == [1, 1, 3]
    assert ranks(big, Stage.FINAL) == [1, 1, 10, *[1] * 7]


@pytest.mark.parametrize(
    ("code", "field", "value", "others"),
    [
        ("I.1", "points", "0,5", {}),  # plain: the unit's own sheet and the ranks
        ("I.R", "numerator", "10", {"denominator": "10"}),  # relative: the whole cluster
    ],
)
def test_cell_save_takes_at_most_12_queries_at_two_sizes(
    client, org, django_assert_max_num_queries, code, field, value, others
):
    small = scaled_cluster(org, 5, units=3, leaves=2)
    big = scaled_cluster(org, 6, units=12, leaves=40)
    set_phase(org, Phase.CLUSTER_SCORING)
    counts = []
    for cluster, leader, units in (small, big):
        e = entry(cluster, units[2], Stage.CLUSTER, code)
        client.force_login(leader)
        client.get(reverse("grid", args=[cluster.pk, Stage.CLUSTER]))  # the session, the table

        with django_assert_max_num_queries(CELL_SAVE_QUERIES) as measured:
            response = save(client, cluster, Stage.CLUSTER, e, field, value, **others)
        counts.append(len(measured.captured_queries))

        assert response.status_code == 200
        assert f'data-version="{e.version + 1}"' in response.content.decode()
        assert entry(cluster, units[2], Stage.CLUSTER, code).version == e.version + 1
    assert counts[0] == counts[1]
