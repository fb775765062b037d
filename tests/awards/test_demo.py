"""The demo's awards part: the police ladder under the registration's codes with the demo's
settings, one restriction, past titles of 2020–2022, the units' figures, votes, two
decisions and their certificates; run after the scoring part, and idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from awards import certificates, services, titles
from awards.enums import DecisionOutcome, FiguresStatus, RestrictionKind
from awards.models import (
    AwardType,
    Decision,
    DecisionItem,
    PastTitle,
    UnitFigures,
    UnitRestriction,
    Vote,
)
from clusters import demo as clusters_demo
from clusters.enums import Title
from clusters.models import (
    Activity,
    ActivityPhoto,
    AdvancedModel,
    AdvancedModelPhoto,
    Campaign,
    Cluster,
    Membership,
    Registration,
)
from scoring.models import ScoreTable

pytestmark = pytest.mark.django_db

CODES = [
    "advanced",
    "determined_to_win",
    "ministry_flag",
    "government_flag",
    "certificate_of_merit",
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the module (it takes a while), inside a transaction rolled
    back at the end; each test runs in a savepoint of its own."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=False, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        call_command("seed_demo", verbosity=0)
        yield Campaign.objects.get(year=2023)
        transaction.set_rollback(True)


def test_demo_award_types_are_the_ladder_with_the_demo_settings(seeded):
    rows = list(
        AwardType.objects.filter(campaign=seeded)
        .order_by("order")
        .values_list("code", "leading_only", "min_band", "max_per_cluster", "pass_share")
    )

    assert rows == [
        ("advanced", False, "Hoàn thành nhiệm vụ", None, Decimal("0.5000")),
        ("determined_to_win", False, "Hoàn thành tốt nhiệm vụ", 2, Decimal("0.5000")),
        ("ministry_flag", False, "", None, Decimal("0.5000")),
        ("government_flag", False, "", None, Decimal("0.5000")),
        ("certificate_of_merit", False, "", None, Decimal("0.5000")),
    ]
    types = AwardType.objects.filter(campaign=seeded)
    assert all(t.preset and t.confirmed_at is not None for t in types)
    assert all(t.title_rules.exists() for t in types)
    headings = {t.code: t.certificate_word for t in types}
    assert headings == {
        "advanced": "GIẤY KHEN",
        "determined_to_win": "GIẤY KHEN",
        "ministry_flag": "CỜ THI ĐUA",
        "government_flag": "CỜ THI ĐUA",
        "certificate_of_merit": "BẰNG KHEN",
    }


def test_demo_codes_are_the_registrations(seeded):
    assert set(Title.values) == set(CODES)
    registered = {c for r in Registration.objects.filter(campaign=seeded) for c in r.titles}
    assert registered <= set(CODES)
    # 2024 is copied from 2023 with the same codes, so next year's rules read this year's.
    copied = AwardType.objects.filter(campaign__year=2024).order_by("order")
    assert list(copied.values_list("code", flat=True)) == CODES


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


def test_demo_past_titles_of_three_years(seeded):
    years = sorted(set(PastTitle.objects.values_list("year", flat=True)))
    flags = sorted(PastTitle.objects.filter(code="ministry_flag").values_list("year", "unit__code"))

    assert years == [2020, 2021, 2022]
    # Imported here: importing it at the top would register its parts before scoring's.
    from awards.demo import past_titles_plan

    assert PastTitle.objects.count() == len(past_titles_plan())
    assert flags == [(2020, "PC06"), (2021, "PA08"), (2022, "CADR"), (2022, "PV01")]


def test_demo_every_unit_has_checked_figures(seeded):
    members = Membership.objects.filter(campaign=seeded).count()

    figures = UnitFigures.objects.filter(campaign=seeded)

    assert figures.count() == members == 30
    assert set(figures.values_list("status", flat=True)) == {FiguresStatus.CHECKED}
    assert all(f.advanced_soldiers <= f.headcount for f in figures)


def test_demo_ladder_reads_the_history(seeded):
    explained = titles.explain(seeded)
    eligible = {
        row.unit.code: {t.award_type.code for t in row.titles if t.eligible}
        for row in explained.rows
    }

    # The leading units that held Quyết thắng in 2021 and 2022 meet the Government's flag.
    assert {u for u, codes in eligible.items() if "government_flag" in codes} == {
        "PV01",
        "PA08",
        "PC06",
        "CADR",
    }
    # Gia Nghĩa is below half Chiến sĩ tiên tiến; Đắk Song is under inspection.
    assert "advanced" not in eligible["CAGN"]
    assert "advanced" not in eligible["CADS"]
    # One officer disciplined: no Quyết thắng for the Party work office.
    assert "determined_to_win" not in eligible["PX03"]


def test_demo_votes_proposals_and_decisions(seeded):
    proposals = services.passed_proposals(seeded)
    by_title = {}
    for p in proposals:
        by_title.setdefault(p.award_type.code, set()).add(p.unit.code)

    assert Vote.objects.filter(cluster__campaign=seeded).count() == len(proposals)
    assert by_title["ministry_flag"] == {"PV01", "PA08", "PC06", "CADR"}
    assert len(by_title["determined_to_win"]) == 8
    decisions = list(Decision.objects.filter(campaign=seeded).order_by("date"))
    assert [d.number for d in decisions] == ["135/QĐ-CAT", "412/QĐ-BCA"]
    outcomes = sorted(
        DecisionItem.objects.filter(decision=decisions[0]).values_list("unit__code", "outcome")
    )
    assert ("CATD", DecisionOutcome.REFUSED) in outcomes
    assert len([o for o in outcomes if o[1] == DecisionOutcome.GRANTED]) == 7
    assert len(certificates.certificates(decisions[0])) == 7
    assert len(certificates.certificates(decisions[1])) == 4


def test_demo_regulations_activities_with_photos_and_models(seeded):
    from docx import Document as read_docx

    clusters = list(seeded.clusters.order_by("number"))
    activities = Activity.objects.filter(campaign=seeded)

    assert all(c.regulation.name.endswith(f"quy-che-cum-{c.number}.docx") for c in clusters)
    with clusters[3].regulation.open("rb") as regulation:
        text = "\n".join(p.text for p in read_docx(regulation).paragraphs)
    assert "QUY CHẾ" in text
    assert "Công an huyện Đắk Mil" in text
    assert activities.count() == 3
    assert ActivityPhoto.objects.filter(activity__campaign=seeded).count() == 4
    between = activities.get(held_on__month=10)
    assert sorted(between.clusters.values_list("code", flat=True)) == ["CUM1", "CUM2"]
    photo = ActivityPhoto.objects.filter(activity__campaign=seeded).first()
    with photo.image.open("rb") as image:
        assert image.read(3) == b"\xff\xd8\xff"  # a JPEG
    models = AdvancedModel.objects.order_by("unit__code")
    assert list(models.values_list("unit__code", flat=True)) == ["CADM", "CADR", "PA05"]
    assert sorted(models[0].replicated_by.values_list("code", flat=True)) == [
        "CACJ",
        "CADG",
        "CAKN",
    ]
    # Each model or advanced example has a photo, stored cleaned (JPEG, no metadata).
    assert [m.photos.count() for m in models] == [1, 1, 1]
    with models[0].photos.get().image.open("rb") as image:
        assert image.read(3) == b"\xff\xd8\xff"


def test_demo_awards_part_runs_after_scoring(seeded):
    names = [part.__module__ for part in clusters_demo._extra_parts]

    assert names.index("awards.demo") > names.index("scoring.demo")


def test_demo_twice_changes_nothing_in_awards(seeded):
    def snapshot():
        return (
            list(AwardType.objects.order_by("pk").values_list()),
            list(UnitRestriction.objects.order_by("pk").values_list()),
            UnitRestriction.history.count(),
            Vote.history.count(),
            PastTitle.history.count(),
            UnitFigures.history.count(),
            DecisionItem.history.count(),
            Decision.objects.count(),
            Activity.objects.count(),
            ActivityPhoto.objects.count(),
            AdvancedModel.objects.count(),
            AdvancedModelPhoto.objects.count(),
            sorted(Cluster.objects.values_list("code", "regulation")),
        )

    before = snapshot()

    call_command("seed_demo", verbosity=0)

    assert snapshot() == before
    # 2023's five, copied into 2024.
    assert AwardType.objects.count() == 10
    assert UnitRestriction.objects.count() == 1
