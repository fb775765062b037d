"""The six-month review (sơ kết, issue 14 point 4): added to a campaign with a copy of the
year-end tables, scored through the same stages, published on its own; the year-end review
stays the default and its results are independent."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from clusters.enums import PeriodKind, Phase
from clusters.models import Period
from scoring import permissions, services, workflow
from scoring.enums import SheetStatus, Stage, TableStatus
from scoring.interchange import scoretable_export
from scoring.models import Criterion, NotAssigned, ScoreSheet, ScoreTable, UnitTarget
from scoring.services import periods

D = Decimal
VALUES = {
    "L1": {"I.1": {"points": D(20)}, "I.2": {"numerator": 5, "denominator": 5}},
    "D1": {"I.1": {"points": D(15)}, "I.2": {"numerator": 4, "denominator": 5}},
    "M1": {"I.1": {"points": D(10)}, "I.2": {"numerator": 5, "denominator": 5}},
}
ALSO = {"I.3": {"numerator": 9, "denominator": 10}, "B": {"count": 0}, "T": {"points": D(0)}}
ALSO_V = {"V": {"violated": False}}


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source wording."""
    with translation.override("en"):
        yield


def _six_month(org, table) -> Period:
    """The six-month review with its copied table published, in self-assessment."""
    period = periods.six_month_add(campaign=org.campaign, user=org.staff)
    copy = ScoreTable.objects.get(period=period)
    services.table_publish(table=copy)
    return periods.period_set_phase(period=period, phase=Phase.SELF_ASSESSMENT, user=org.staff)


def _score(org, stage, period, values):
    for unit in (org.leader_unit, org.deputy_unit, org.member_unit):
        sheet = services.sheet_get_or_create(
            cluster=org.cluster, unit=unit, stage=stage, period=period
        )
        services.sheet_fill(sheet=sheet, values={**values[unit.code], **ALSO, **ALSO_V})
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster))


def test_six_month_add_copies_the_year_end_tables_as_drafts(org, table):
    criterion = Criterion.objects.get(table=table, code="I.2")
    services.unit_target_set(criterion=criterion, unit=org.member_unit, target=D(80))
    NotAssigned.objects.create(criterion=criterion, unit=org.deputy_unit, reason="Không có")

    period = periods.six_month_add(campaign=org.campaign, user=org.staff)

    assert (period.kind, period.phase, period.campaign_id) == (
        PeriodKind.SIX_MONTH,
        Phase.SETUP,
        org.campaign.pk,
    )
    copy = ScoreTable.objects.get(period=period)
    assert (copy.title, copy.version, copy.status) == (
        "Thang điểm cụm 1 — six-month review",
        1,
        TableStatus.DRAFT,
    )
    assert sorted(copy.clusters.values_list("code", flat=True)) == ["C1", "C2"]
    assert list(copy.criteria.order_by("position").values_list("code", "max_points")) == list(
        table.criteria.order_by("position").values_list("code", "max_points")
    )
    assert list(
        UnitTarget.objects.filter(criterion__table=copy).values_list(
            "criterion__code", "unit__code", "target"
        )
    ) == [("I.2", "M1", D("80.0000"))]
    assert list(
        NotAssigned.objects.filter(criterion__table=copy).values_list(
            "criterion__code", "unit__code"
        )
    ) == [("I.2", "D1")]
    assert table.period.kind == PeriodKind.YEAR_END
    assert period.label == "Six-month review, first half of 2023"
    assert Period.objects.year_end(org.campaign).label == "Year-end review 2023"


def test_six_month_add_own_tables_starts_empty_and_only_once(org, table):
    period = periods.six_month_add(campaign=org.campaign, tables=periods.OWN_TABLES)

    assert ScoreTable.objects.filter(period=period).count() == 0
    with pytest.raises(ValidationError) as error:
        periods.six_month_add(campaign=org.campaign)
    assert error.value.messages == ["This campaign already has a six-month review."]
    assert Period.objects.filter(campaign=org.campaign, kind=PeriodKind.SIX_MONTH).count() == 1


def test_six_month_add_refused_once_the_year_is_published(org, table):
    org.campaign.phase = Phase.PUBLISHED
    org.campaign.save()

    with pytest.raises(ValidationError) as error:
        periods.six_month_add(campaign=org.campaign)

    assert error.value.messages == [
        "The year's results are published; a six-month review can no longer be added."
    ]
    assert not Period.objects.filter(kind=PeriodKind.SIX_MONTH).exists()


def test_six_month_review_from_creation_to_published(org, table):
    period = _six_month(org, table)
    six_table = ScoreTable.objects.get(period=period)

    _score(org, Stage.SELF, period, VALUES)
    assert ScoreSheet.objects.filter(period=period, stage=Stage.SELF).count() == 3
    assert set(ScoreSheet.objects.filter(period=period).values_list("table", flat=True)) == {
        six_table.pk
    }
    periods.period_set_phase(period=period, phase=Phase.CLUSTER_SCORING, user=org.staff)
    workflow.stage_start(cluster=org.cluster, stage=Stage.CLUSTER, user=org.staff, period=period)
    _score(org, Stage.CLUSTER, period, VALUES)
    periods.period_set_phase(period=period, phase=Phase.FINAL_REVIEW, user=org.staff)
    final = workflow.stage_start(
        cluster=org.cluster, stage=Stage.FINAL, user=org.staff, period=period
    )
    period.refresh_from_db()
    assert permissions.can_publish(org.staff, org.cluster, period) is True
    assert permissions.can_publish(org.staff, org.cluster) is False  # the year is in setup

    publication = workflow.cluster_publish(cluster=org.cluster, user=org.staff, period=period)

    assert publication.period_id == period.pk
    assert workflow.is_published(org.cluster, period) is True
    assert workflow.is_published(org.cluster) is False
    results = {
        s.unit.code: (s.total, s.rank, s.leading, s.status)
        for s in ScoreSheet.objects.filter(period=period, stage=Stage.FINAL).select_related("unit")
    }
    assert results == {
        "L1": (D("50.00"), 1, True, SheetStatus.LOCKED),
        "M1": (D("40.00"), 2, False, SheetStatus.LOCKED),
        "D1": (D("25.00"), 3, False, SheetStatus.LOCKED),
    }
    assert [s.unit.code for s in final] == ["D1", "L1", "M1"]
    periods.period_set_phase(period=period, phase=Phase.PUBLISHED, user=org.staff)
    period.refresh_from_db()
    assert period.phase == Phase.PUBLISHED
    assert list(period.history.order_by("history_id").values_list("phase", flat=True)) == [
        Phase.SETUP,
        Phase.SELF_ASSESSMENT,
        Phase.CLUSTER_SCORING,
        Phase.FINAL_REVIEW,
        Phase.PUBLISHED,
    ]


def test_results_of_each_period_are_independent(org, table):
    period = _six_month(org, table)
    _score(org, Stage.SELF, period, VALUES)
    reversed_values = {"L1": VALUES["M1"], "D1": VALUES["L1"], "M1": VALUES["D1"]}
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()

    _score(org, Stage.SELF, None, reversed_values)

    def ranks(kind):
        return {
            s.unit.code: (s.total, s.rank)
            for s in ScoreSheet.objects.filter(
                period__kind=kind, stage=Stage.SELF, cluster=org.cluster
            ).select_related("unit")
        }

    assert ranks(PeriodKind.SIX_MONTH) == {
        "L1": (D("50.00"), 1),
        "M1": (D("40.00"), 2),
        "D1": (D("25.00"), 3),
    }
    assert ranks(PeriodKind.YEAR_END) == {
        "D1": (D("50.00"), 1),
        "L1": (D("40.00"), 2),
        "M1": (D("25.00"), 3),
    }
    year_end_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    assert year_end_sheet.table_id == table.pk


def test_sheets_open_with_their_period_phase(org, table):
    period = _six_month(org, table)
    six = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF, period=period
    )
    year_end = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )

    assert permissions.can_edit_sheet(org.member, six) is True
    assert permissions.can_edit_sheet(org.member, year_end) is False  # the year is in setup
    periods.period_set_phase(period=period, phase=Phase.CLUSTER_SCORING)
    six = ScoreSheet.objects.get(pk=six.pk)
    assert permissions.can_edit_sheet(org.member, six) is False


def test_period_phase_published_waits_for_every_cluster(org, table):
    period = _six_month(org, table)
    _score(org, Stage.SELF, period, VALUES)

    with pytest.raises(ValidationError) as error:
        periods.period_set_phase(period=period, phase=Phase.PUBLISHED)

    assert error.value.messages == ["Publish every cluster's results first: Cụm thi đua số 1."]
    period.refresh_from_db()
    assert period.phase == Phase.SELF_ASSESSMENT


def test_year_end_period_moves_with_its_campaign(org, table):
    year_end = Period.objects.year_end(org.campaign)

    with pytest.raises(ValidationError) as error:
        periods.period_set_phase(period=year_end, phase=Phase.SELF_ASSESSMENT)

    assert error.value.messages == ["The year-end review moves with its campaign's phase."]
    org.campaign.phase = Phase.FINAL_REVIEW
    assert year_end.current_phase == Phase.SETUP
    year_end.campaign = org.campaign
    assert year_end.current_phase == Phase.FINAL_REVIEW


def test_import_scoretable_makes_a_table_of_the_six_month_review(org, table, tmp_path):
    period = periods.six_month_add(campaign=org.campaign, tables=periods.OWN_TABLES)
    document = scoretable_export(table)
    document["title"] = "Thang điểm sơ kết"
    path = tmp_path / "so-ket.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    call_command("import_scoretable", str(path), "--period=six_month", stdout=io.StringIO())

    imported = ScoreTable.objects.get(title="Thang điểm sơ kết")
    assert (imported.period_id, imported.status) == (period.pk, TableStatus.PUBLISHED)
    assert services.table_for_cluster(org.cluster, period) == imported
    assert services.table_for_cluster(org.cluster) == table


def test_import_scoretable_six_month_refused_without_the_review(org, table, tmp_path):
    document = scoretable_export(table)
    document["title"] = "Thang điểm sơ kết"
    path = tmp_path / "so-ket.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_scoretable", str(path), "--period=six_month")

    assert "period: the campaign 2023 has no six-month review" in str(error.value)
    assert not ScoreTable.objects.filter(title="Thang điểm sơ kết").exists()
