"""The demo's awards part: three award types with the scoring demo's bands, one
restriction, run after the scoring part, and idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from awards.enums import RestrictionKind
from awards.models import AwardType, UnitRestriction, Vote
from clusters import demo as clusters_demo
from clusters.models import Campaign
from scoring.models import ScoreTable

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = False
    call_command("seed_demo", verbosity=0)
    return Campaign.objects.get(year=2023)


def test_demo_award_types_exist_with_their_rules(seeded):
    rows = list(
        AwardType.objects.filter(campaign=seeded)
        .order_by("order")
        .values_list("code", "name", "leading_only", "min_band", "max_per_cluster", "pass_share")
    )

    assert rows == [
        ("co-bo", "Cờ thi đua của Bộ Công an", True, "", None, Decimal("0.5000")),
        (
            "quyet-thang",
            "Đơn vị Quyết thắng",
            False,
            "Hoàn thành tốt nhiệm vụ",
            2,
            Decimal("0.5000"),
        ),
        ("tien-tien", "Đơn vị Tiên tiến", False, "Hoàn thành nhiệm vụ", None, Decimal("0.5000")),
    ]


def test_demo_award_bands_are_the_score_tables(seeded):
    labels = {band["label"] for band in ScoreTable.objects.get(campaign=seeded).bands}

    bands = set(AwardType.objects.exclude(min_band="").values_list("min_band", flat=True))

    assert bands <= labels
    assert bands == {"Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"}


def test_demo_one_restriction_under_inspection(seeded):
    restriction = UnitRestriction.objects.get()

    assert restriction.campaign == seeded
    assert restriction.unit.code == "CADS"
    assert restriction.kind == RestrictionKind.INSPECTION
    assert restriction.reason
    assert restriction.ends_on is None
    assert not Vote.objects.exists()


def test_demo_awards_part_runs_after_scoring(seeded):
    names = [part.__module__ for part in clusters_demo._extra_parts]

    assert names.index("awards.demo") > names.index("scoring.demo")


def test_demo_twice_changes_nothing_in_awards(seeded):
    def snapshot():
        return (
            list(AwardType.objects.order_by("pk").values_list()),
            list(UnitRestriction.objects.order_by("pk").values_list()),
            UnitRestriction.history.count(),
            Vote.objects.count(),
        )

    before = snapshot()

    call_command("seed_demo", verbosity=0)

    assert snapshot() == before
    # 2023's three, copied into 2024.
    assert AwardType.objects.count() == 6
    assert UnitRestriction.objects.count() == 1
