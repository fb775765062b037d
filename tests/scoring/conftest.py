"""A small published score table on the shared ``org`` fixture's cluster."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring import services
from scoring.models import Criterion, ScoreTable

D = Decimal


def make_criterion(table, code, kind, parent=None, order=0, **params):
    return Criterion.objects.create(
        table=table,
        parent=parent,
        code=code,
        order=order,
        title=f"Tiêu chí {code}",
        kind=kind,
        **params,
    )


@pytest.fixture
def table(org):
    """I (group, 60) = I.1 manual 20 + I.2 rate threshold 100% (20) + I.3 relative rate 90%
    (20); bonus B (count × 1, max 5); deduction T (points, max 10); veto V (deduct 5, caps
    the band at "Khá", excludes from leading). Bands: Xuất sắc ≥ 50, Khá ≥ 30, Đạt ≥ 0."""
    table = ScoreTable.objects.create(
        campaign=org.campaign,
        title="Thang điểm cụm 1",
        bands=[
            {"label": "Xuất sắc", "min": "50"},
            {"label": "Khá", "min": "30"},
            {"label": "Đạt", "min": "0"},
        ],
        bonus_cap=D("5"),
    )
    table.clusters.set([org.cluster, org.other_cluster])
    group = make_criterion(table, "I", "group", max_points=D(60), order=1)
    make_criterion(table, "I.1", "manual", parent=group, order=1, max_points=D(20))
    make_criterion(
        table,
        "I.2",
        "target",
        parent=group,
        order=2,
        max_points=D(20),
        metric="rate",
        method="threshold",
        target=D(100),
    )
    make_criterion(
        table,
        "I.3",
        "target",
        parent=group,
        order=3,
        max_points=D(20),
        metric="rate",
        method="relative",
        target=D(90),
    )
    make_criterion(table, "B", "bonus", order=2, max_points=D(5), per_item=D(1))
    make_criterion(table, "T", "deduction", order=3, max_points=D(10))
    make_criterion(
        table,
        "V",
        "veto",
        order=4,
        max_points=D(0),
        deduct=D(5),
        max_band="Khá",
        excludes_leading=True,
    )
    services.table_renumber(table=table)
    return services.table_publish(table=table)


@pytest.fixture
def sheets(org, table):
    """Cluster-stage sheets for the cluster's three units, by unit code."""
    units = [org.leader_unit, org.deputy_unit, org.member_unit]
    return {
        u.code: services.sheet_get_or_create(cluster=org.cluster, unit=u, stage="cluster")
        for u in units
    }
