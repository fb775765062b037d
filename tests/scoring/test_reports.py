"""Reports (scoring/reports.py, scoring/views/reports.py): figures against hand-computed
data, Excel read back, roles, query counts."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clusters.enums import Phase
from clusters.services.setup import campaign_copy
from scoring import reports, services, workflow
from scoring.enums import Stage
from scoring.models import ScoreTable
from tests.scoring.conftest import make_criterion

pytestmark = pytest.mark.django_db

D = Decimal


def fill(sheet, i1, i2, b=0, t=0, violated=False):
    """I.1 = i1 points, I.2 = i2/10 rate (threshold 100%: 20 when 10/10 else 0), I.3 10/10
    (20), B count b (1 each), T t points, V."""
    values = {
        "I.1": {"points": D(i1)},
        "I.2": {"numerator": i2, "denominator": 10},
        "I.3": {"numerator": 10, "denominator": 10},
        "B": {"count": b},
        "T": {"points": D(t)},
        "V": {"violated": violated},
    }
    for code, v in values.items():
        services.entry_update(entry=sheet.entries.get(criterion__code=code), values=v)
    sheet.refresh_from_db()
    return sheet


@pytest.fixture
def filled(org, sheets):
    # L1: I = 15 + 20 + 20 = 55, B 2, T 0 → 57
    # D1: I = 10 + 0 + 20 = 30, B 0, T 3 → 27
    # M1: I = 20 + 20 + 20 = 60, B 5, T 1 → 64
    fill(sheets["L1"], 15, 10, b=2)
    fill(sheets["D1"], 10, 5, t=3)
    fill(sheets["M1"], 20, 10, b=5, t=1)
    return sheets


def test_cluster_report_subtotals_average_best(org, filled):
    report = reports.cluster_report(org.cluster, Stage.CLUSTER)

    assert [a.code for a in report.areas] == ["I", "B", "T", "V"]
    assert [a.sign for a in report.areas] == ["", "+", "−", "−"]
    assert [(r.unit.code, r.sheet.total, r.areas) for r in report.rows] == [
        ("M1", D("64.00"), [D("60.00"), D("5.00"), D("1.00"), D("0.00")]),
        ("L1", D("57.00"), [D("55.00"), D("2.00"), D("0.00"), D("0.00")]),
        ("D1", D("27.00"), [D("30.00"), D("0.00"), D("3.00"), D("0.00")]),
    ]
    # (60 + 55 + 30) / 3 = 48.33; (5 + 2 + 0) / 3 = 2.33; (1 + 0 + 3) / 3 = 1.33
    assert report.average == [D("48.33"), D("2.33"), D("1.33"), D("0.00")]
    assert report.best == [D("60.00"), D("5.00"), D("3.00"), D("0.00")]
    assert report.average_total == D("49.33")  # (64 + 57 + 27) / 3
    assert report.best_total == D("64.00")


def test_report_cluster_page_and_xlsx_agree(client, org, filled):
    client.force_login(org.staff)
    url = reverse("report_cluster", args=[org.cluster.pk])

    page = client.get(url, {"stage": "cluster", "unit": "D1"})
    download = client.get(url, {"stage": "cluster", "format": "xlsx"})

    assert page.status_code == 200
    assert page.context["chosen"].unit.code == "D1"
    values = [(b.css, b.value) for b in page.context["chart"]["bars"]]
    assert values[:3] == [
        ("series-0", D("30.00")),
        ("series-1", D("48.33")),
        ("series-2", D("60.00")),
    ]
    assert download["Content-Type"].startswith("application/vnd.openxml")
    rows = list(load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[1][:4] == (1, "M1", org.member_unit.name, 60)
    assert [r[1] for r in rows[1:4]] == ["M1", "L1", "D1"]
    assert rows[3][3:7] == (30, 0, 3, 0)
    assert rows[4][3] == pytest.approx(48.33)
    assert rows[5][3] == 60


def test_report_pages_render_for_staff(client, org, filled):
    client.force_login(org.staff)

    for url in [
        reverse("report_province", args=[org.campaign.pk]) + "?stage=cluster",
        reverse("report_unit_history", args=[org.leader_unit.pk]),
        reverse("report_gaps", args=[org.cluster.pk]),
    ]:
        assert client.get(url).status_code == 200
        assert client.get(url + ("&" if "?" in url else "?") + "format=xlsx").status_code == 200


# --- Gaps ----------------------------------------------------------------------------------


@pytest.fixture
def with_self(org, filled):
    """Self-assessments: L1 I.1 20 (cluster 15), B 2 → 62 vs 57 (gap −5);
    D1 as scored by the cluster but I.2 10/10 (20, cluster 0) and T 3 → 47 vs 27 (gap −20);
    M1 I.1 18 (cluster 20), B 5, T 1 → 62 vs 64 (gap +2)."""
    make = lambda u: services.sheet_get_or_create(cluster=org.cluster, unit=u, stage="self")  # noqa: E731
    fill(make(org.leader_unit), 20, 10, b=2)
    fill(make(org.deputy_unit), 10, 10, t=3)
    fill(make(org.member_unit), 18, 10, b=5, t=1)
    return filled


def test_gap_report_largest_first(org, with_self):
    units, criteria = reports.gap_report(org.cluster)

    assert [(g.unit.code, g.self_total, g.cluster_total, g.gap) for g in units] == [
        ("D1", D("47.00"), D("27.00"), D("-20.00")),
        ("L1", D("62.00"), D("57.00"), D("-5.00")),
        ("M1", D("62.00"), D("64.00"), D("2.00")),
    ]
    assert [(g.unit.code, g.criterion.code, g.self_points, g.cluster_points) for g in criteria] == [
        ("D1", "I.2", D("20.00"), D("0.00")),
        ("L1", "I.1", D("20.00"), D("15.00")),
        ("M1", "I.1", D("18.00"), D("20.00")),
    ]


def test_report_gaps_xlsx_equals_page(client, org, with_self):
    client.force_login(org.leader)
    url = reverse("report_gaps", args=[org.cluster.pk])

    page = client.get(url)
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))

    units = [(g.unit.code, g.gap) for g in page.context["units"]]
    assert [(r[0], D(str(r[4]))) for r in list(book.worksheets[0].values)[1:]] == units
    assert [r[1] for r in list(book.worksheets[1].values)[1:]] == ["I.2", "I.1", "I.1"]


# --- History across two years --------------------------------------------------------------


def test_unit_history_two_campaigns(client, org, filled):
    # 2023: published final results copied from the cluster stage (L1 57, rank 2).
    org.campaign.phase = Phase.FINAL_REVIEW
    org.campaign.save()
    workflow.stage_start(cluster=org.cluster, stage=Stage.FINAL, user=org.admin)
    workflow.cluster_publish(cluster=org.cluster, user=org.admin)
    # 2024: the same clusters, a one-criterion table, cluster stage only (L1 40, rank 1).
    copy = campaign_copy(source=org.campaign, year=2024)
    cluster = copy.campaign.clusters.get(number=org.cluster.number)
    table = ScoreTable.objects.create(
        campaign=copy.campaign, title="2024", bands=[{"label": "Khá", "min": "30"}]
    )
    table.clusters.set([cluster])
    group = make_criterion(table, "I", "group", max_points=D(60), order=1)
    make_criterion(table, "I.1", "manual", parent=group, order=1, max_points=D(60))
    services.table_renumber(table=table)
    services.table_publish(table=table)
    for unit, points in [(org.leader_unit, 40), (org.member_unit, 35)]:
        sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage="cluster")
        services.entry_update(
            entry=sheet.entries.get(criterion__code="I.1"), values={"points": D(points)}
        )
    client.force_login(org.staff)
    url = reverse("report_unit_history", args=[org.leader_unit.pk])

    page = client.get(url)
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))

    rows = [
        (r.year, r.sheet.stage, r.official, r.sheet.rank, r.sheet.total, r.sheet.band)
        for r in page.context["rows"]
    ]
    assert rows == [
        (2023, "final", True, 2, D("57.00"), "Xuất sắc"),
        (2024, "cluster", False, 1, D("40.00"), "Khá"),
    ]
    assert [(r[0], r[3], r[4]) for r in list(book.active.values)[1:]] == [
        (2023, 2, 57),
        (2024, 1, 40),
    ]
    assert [b.value for b in page.context["chart"]["bars"]] == [D("57.00"), D("40.00")]


# --- Roles ---------------------------------------------------------------------------------

ROLES = ["admin", "staff", "leader", "deputy", "member", "outsider"]


def status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report_cluster", [200, 200, 200, 200, 403, 404]),
        ("report_gaps", [200, 200, 200, 200, 403, 404]),
    ],
)
def test_cluster_reports_role_matrix(client, org, filled, name, expected):
    url = reverse(name, args=[org.cluster.pk]) + "?stage=cluster"

    assert [status(client, getattr(org, who), url) for who in ROLES] == expected


def test_report_cluster_member_after_explanations_open(client, org, filled):
    org.campaign.phase = Phase.EXPLANATION
    org.campaign.save()
    url = reverse("report_cluster", args=[org.cluster.pk])

    assert status(client, org.member, url + "?stage=cluster") == 200
    assert status(client, org.member, url + "?stage=self") == 403


def test_report_province_role_matrix(client, org, filled):
    url = reverse("report_province", args=[org.campaign.pk]) + "?stage=cluster"

    codes = [status(client, getattr(org, who), url) for who in ROLES]

    assert codes == [200, 200, 200, 200, 403, 200]


def test_report_province_leader_sees_only_own_cluster(client, org, filled):
    client.force_login(org.leader)

    response = client.get(reverse("report_province", args=[org.campaign.pk]), {"stage": "cluster"})

    assert [c.pk for c in response.context["clusters"]] == [org.cluster.pk]
    assert [s.unit.code for s in response.context["clusters"][0].report_sheets] == [
        "M1",
        "L1",
        "D1",
    ]


def test_report_unit_history_outside_scope_404(client, org, filled):
    url = reverse("report_unit_history", args=[org.leader_unit.pk])

    assert status(client, org.outsider, url) == 404
    assert status(client, org.member, url) == 200


@pytest.mark.parametrize(
    "name", ["report_cluster", "report_gaps", "report_province", "report_unit_history"]
)
def test_reports_wrong_method_405(client, org, name):
    client.force_login(org.admin)
    pk = {
        "report_province": org.campaign.pk,
        "report_unit_history": org.leader_unit.pk,
    }.get(name, org.cluster.pk)

    assert client.post(reverse(name, args=[pk])).status_code == 405


def test_report_cluster_unknown_stage_404(client, org, filled):
    url = reverse("report_cluster", args=[org.cluster.pk]) + "?stage=nope"

    assert status(client, org.staff, url) == 404


# --- Query counts --------------------------------------------------------------------------


def grow(org, table, clusters):
    """Three more members with filled cluster sheets in each cluster."""
    from tests.factories import MembershipFactory, UnitFactory

    for cluster in clusters:
        for i in range(3):
            unit = UnitFactory(code=f"X{cluster.pk}{i}", parent=org.province)
            MembershipFactory(cluster=cluster, unit=unit, role="member")
            sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage="cluster")
            fill(sheet, 10 + i, 10, b=i)


def count_queries(client, user, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["report_cluster", "report_gaps"])
def test_cluster_reports_query_count_constant(client, org, table, filled, name):
    url = reverse(name, args=[org.cluster.pk]) + "?stage=cluster"
    small = count_queries(client, org.staff, url)

    grow(org, table, [org.cluster])

    assert count_queries(client, org.staff, url) == small


def test_report_province_query_count_constant(client, org, table, filled):
    url = reverse("report_province", args=[org.campaign.pk]) + "?stage=cluster"
    small = count_queries(client, org.staff, url)

    grow(org, table, [org.cluster, org.other_cluster])

    assert count_queries(client, org.staff, url) == small


def test_report_unit_history_query_count_constant(client, org, table, filled):
    url = reverse("report_unit_history", args=[org.leader_unit.pk])
    small = count_queries(client, org.staff, url)

    grow(org, table, [org.cluster])
    copy = campaign_copy(source=org.campaign, year=2024)
    assert copy.campaign.clusters.exists()

    assert count_queries(client, org.staff, url) == small
