"""The shared ``org`` fixture's cluster with published final results and two award types.

Results (final stage, published): L1 95 Xuất sắc rank 1 leading; D1 88 Tốt rank 2;
M1 72 Khá rank 3. Award types: "co-bo" (leading unit only, passes at 0.5) and
"tien-tien" (band Tốt or better, at most 2 per cluster, passes at 2/3 = 0.6667)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from awards import services
from scoring.models import Publication, ScoreSheet, ScoreTable

D = Decimal


def publish(cluster, table, rows, user=None):
    for unit, total, band, rank, leading in rows:
        ScoreSheet.objects.create(
            table=table,
            cluster=cluster,
            unit=unit,
            stage="final",
            status="locked",
            total=total,
            band=band,
            rank=rank,
            leading=leading,
            complete=True,
        )
    Publication.objects.create(cluster=cluster, action="publish", user=user)


@pytest.fixture
def table(org):
    table = ScoreTable.objects.create(
        campaign=org.campaign,
        title="Thang điểm",
        status="published",
        published_at=timezone.now(),
        bands=[
            {"label": "Xuất sắc", "min": "90"},
            {"label": "Tốt", "min": "80"},
            {"label": "Khá", "min": "70"},
            {"label": "Đạt", "min": "0"},
        ],
    )
    table.clusters.set([org.cluster, org.other_cluster])
    return table


@pytest.fixture
def published(org, table):
    publish(
        org.cluster,
        table,
        [
            (org.leader_unit, D("95"), "Xuất sắc", 1, True),
            (org.deputy_unit, D("88"), "Tốt", 2, False),
            (org.member_unit, D("72"), "Khá", 3, False),
        ],
        org.staff,
    )
    return org


@pytest.fixture
def award_types(org):
    flag = services.award_type_upsert(
        campaign=org.campaign,
        code="co-bo",
        name="Cờ thi đua của Bộ Công an",
        leading_only=True,
        pass_share=D("0.5"),
        order=1,
    )
    advanced = services.award_type_upsert(
        campaign=org.campaign,
        code="tien-tien",
        name="Đơn vị Tiên tiến",
        min_band="Tốt",
        max_per_cluster=2,
        pass_share=D(2) / D(3),
        order=2,
    )
    return flag, advanced
