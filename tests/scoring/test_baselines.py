"""Last year's figures that carry over (issue 14 point 2): scoring.services.baselines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clusters.enums import MemberRole
from scoring import services
from scoring.enums import BaselineSource, SheetStatus, Stage
from scoring.models import Publication, ScoreSheet, ScoreTable, UnitBaseline
from scoring.services.baselines import baseline_set, baselines_carry, baselines_report
from tests.factories import CampaignFactory, ClusterFactory, MembershipFactory, UnitFactory
from tests.scoring.conftest import make_criterion

D = Decimal


def _table(campaign, clusters, title="Thang điểm"):
    """R: reduction (threshold, 5%); V: value (proportional, 10); P: rate (threshold, 90%);
    M: manual. Draft."""
    table = ScoreTable.objects.create(campaign=campaign, title=title, bands=[])
    table.clusters.set(clusters)
    make_criterion(
        table, "R", "target", order=1, max_points=D(10), metric="reduction",
        method="threshold", target=D(5),
    )  # fmt: skip
    make_criterion(
        table, "V", "target", order=2, max_points=D(10), metric="value",
        method="proportional", target=D(10),
    )  # fmt: skip
    make_criterion(
        table, "P", "target", order=3, max_points=D(10), metric="rate",
        method="threshold", target=D(90),
    )  # fmt: skip
    make_criterion(table, "M", "manual", order=4, max_points=D(10))
    services.table_renumber(table=table)
    return table


def _publish(cluster, sheets, on: dt.datetime):
    ScoreSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(status=SheetStatus.LOCKED)
    publication = Publication.objects.create(cluster=cluster, action=Publication.Action.PUBLISH)
    Publication.objects.filter(pk=publication.pk).update(at=on)


def _final(cluster, unit, table, values):
    sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.FINAL, table=table)
    services.sheet_fill(sheet=sheet, values=values)
    return sheet


@pytest.fixture(autouse=True)
def _english():
    """Messages and sources compared in English, whatever the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def years(org):
    """2023 (org.campaign): cluster C1's three units published on 20/12/2023 (Hanoi time)
    with R, V and P entered. 2024: L1 stays, D1 and M1 were merged into a new unit N1, and a
    new unit X1 that had no sheet in 2023."""

    class Years:
        pass

    y = Years()
    y.old_table = _table(org.campaign, [org.cluster])
    services.table_publish(table=y.old_table)
    figures = {
        org.leader_unit: {"R": {"baseline": 20, "actual": 12}, "V": {"actual": D("7.5")},
                          "P": {"numerator": 9, "denominator": 10}},
        org.deputy_unit: {"R": {"baseline": 10, "actual": 4}, "V": {"actual": D("2.25")},
                          "P": {"numerator": 1, "denominator": 3}},
        org.member_unit: {"R": {"baseline": 9, "actual": 3}, "V": {"actual": D(1)},
                          "P": {"numerator": 2, "denominator": 2}},
    }  # fmt: skip
    sheets = [_final(org.cluster, u, y.old_table, v) for u, v in figures.items()]
    # 20/12/2023 at 20:00 in Hanoi is 13:00 UTC.
    _publish(org.cluster, sheets, dt.datetime(2023, 12, 20, 13, 0, tzinfo=dt.UTC))
    y.merged = UnitFactory(code="N1", parent=org.province)
    y.new_unit = UnitFactory(code="X1", parent=org.province)
    for unit in (org.deputy_unit, org.member_unit):
        unit.is_active, unit.deactivated_on, unit.successor = False, dt.date(2023, 12, 31), y.merged
        unit.save()
    y.campaign = CampaignFactory(organiser=org.province, year=2024)
    y.cluster = ClusterFactory(campaign=y.campaign, number=1, code="C1")
    MembershipFactory(cluster=y.cluster, unit=org.leader_unit, role=MemberRole.LEADER)
    MembershipFactory(cluster=y.cluster, unit=y.merged, role=MemberRole.DEPUTY)
    MembershipFactory(cluster=y.cluster, unit=y.new_unit, role=MemberRole.MEMBER)
    y.table = _table(y.campaign, [y.cluster])
    return y


def _figures(table):
    return {
        (b.criterion.code, b.unit.code): (b.value, b.source, b.source_text, b.source_units)
        for b in UnitBaseline.objects.filter(criterion__table=table).select_related(
            "criterion", "unit"
        )
    }


def test_carry_takes_last_years_final_figures_and_sums_a_merged_units_predecessors(org, years):
    result = baselines_carry(table=years.table)

    source = "2023, final, published 20/12/2023"
    assert _figures(years.table) == {
        ("R", "L1"): (D(12), BaselineSource.CARRIED, source, "L1"),
        ("V", "L1"): (D("7.5"), BaselineSource.CARRIED, source, "L1"),
        ("P", "L1"): (D(90), BaselineSource.CARRIED, source, "L1"),
        # N1 = D1 + M1: 4 + 3; 2.25 + 1; (1 + 2) / (3 + 2) × 100.
        ("R", "N1"): (D(7), BaselineSource.CARRIED, source, "D1, M1"),
        ("V", "N1"): (D("3.25"), BaselineSource.CARRIED, source, "D1, M1"),
        ("P", "N1"): (D(60), BaselineSource.CARRIED, source, "D1, M1"),
    }
    assert (result.stored, result.kept) == (6, 0)
    assert [(code, unit.code) for code, unit in result.missing] == [
        ("R", "X1"),
        ("V", "X1"),
        ("P", "X1"),
    ]


def test_carry_again_keeps_what_did_not_change_and_never_overwrites_a_typed_figure(org, years):
    baselines_carry(table=years.table)
    r = years.table.criteria.get(code="R")
    baseline_set(criterion=r, unit=org.leader_unit, value=D(15), reason="Số liệu rà soát lại")

    result = baselines_carry(table=years.table)

    assert (result.stored, result.kept, len(result.missing)) == (0, 6, 3)
    row = UnitBaseline.objects.get(criterion=r, unit=org.leader_unit)
    assert (row.value, row.source, row.reason, row.version) == (
        D(15),
        BaselineSource.TYPED,
        "Số liệu rà soát lại",
        2,
    )
    assert [h.history_change_reason for h in row.history.order_by("history_id")] == [
        "Carried from last year's published results",
        "Số liệu rà soát lại",
    ]


def test_carry_reads_only_published_final_sheets(org, years):
    ScoreSheet.objects.filter(cluster=org.cluster).update(status=SheetStatus.DRAFT)

    result = baselines_carry(table=years.table)

    assert _figures(years.table) == {}
    assert len(result.missing) == 9


def test_a_count_entered_without_a_baseline_takes_the_carried_figure(org, years):
    baselines_carry(table=years.table)
    services.table_publish(table=years.table)
    sheet = services.sheet_get_or_create(cluster=years.cluster, unit=years.merged, stage="self")
    entry = sheet.entries.get(criterion__code="R")

    services.entry_update(entry=entry, values={"actual": 6})
    services.sheet_fill(sheet=sheet, values={"V": {"actual": D(3)}})

    entry.refresh_from_db()
    # Last year 7, this year 6: a reduction of 14.29% ≥ 5%, full points.
    assert (entry.baseline, entry.actual, entry.points) == (D(7), D(6), D("10.00"))


def test_a_typed_figure_replaces_the_baseline_its_entries_took_and_records_why(org, years):
    baselines_carry(table=years.table)
    services.table_publish(table=years.table)
    sheet = services.sheet_get_or_create(cluster=years.cluster, unit=years.merged, stage="self")
    r = years.table.criteria.get(code="R")
    services.sheet_fill(sheet=sheet, values={"R": {"actual": 7}})
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))
    assert sheet.entries.get(criterion=r).points == D("0.00")  # 7 → 7: no reduction

    baseline_set(criterion=r, unit=years.merged, value=D(8), reason="Bổ sung vụ việc")

    entry = sheet.entries.get(criterion=r)
    # 8 → 7: 12.5% ≥ 5%, full points.
    assert (entry.baseline, entry.points) == (D(8), D("10.00"))
    assert entry.history.latest().history_change_reason == "Bổ sung vụ việc"


def test_baseline_set_refuses_bad_input_and_changes_nothing(org, years):
    r = years.table.criteria.get(code="R")
    m = years.table.criteria.get(code="M")
    cases = [
        (r, years.new_unit, D("2.5"), "lý do", "R: last year's count is a whole number."),
        (r, years.new_unit, D(-1), "lý do", "R: last year's figure must not be negative."),
        (r, years.new_unit, D(3), "  ",
         f"R · {years.new_unit.label}: say why the figure is typed."),
        (m, years.new_unit, D(3), "lý do",
         "M is not a target criterion; it has no last-year figure."),
        (r, org.outsider_unit, D(3), "lý do",
         f"{org.outsider_unit.label} is not a member of a cluster this score table applies to."),
    ]  # fmt: skip
    for criterion, unit, value, reason, message in cases:
        with pytest.raises(ValidationError) as refused:
            baseline_set(criterion=criterion, unit=unit, value=value, reason=reason)
        assert refused.value.messages == [message]
    p = years.table.criteria.get(code="P")
    with pytest.raises(ValidationError) as refused:
        baseline_set(criterion=p, unit=years.new_unit, value=D("100.5"), reason="x")
    assert refused.value.messages == ["P: a rate is at most 100."]
    assert UnitBaseline.objects.count() == 0


def test_report_lists_the_typed_and_missing_figures_not_the_carried(org, years):
    baselines_carry(table=years.table)
    v = years.table.criteria.get(code="V")
    baseline_set(criterion=v, unit=org.leader_unit, value=D(8), reason="Điều chỉnh")

    rows = baselines_report(years.campaign)

    assert [
        (r.criterion.code, r.unit.code, r.baseline.source if r.baseline else None) for r in rows
    ] == [
        ("R", "X1", None),
        ("V", "L1", BaselineSource.TYPED),
        ("V", "X1", None),
        ("P", "X1", None),
    ]


def test_carry_without_a_previous_year_carries_nothing(org):
    table = _table(org.campaign, [org.cluster])
    result = baselines_carry(table=table)
    assert (result.stored, len(result.missing)) == (0, 9)


def test_pages_show_the_source_and_the_report_and_a_typed_figure_is_saved(client, org, years):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages are asserted in English
    baselines_carry(table=years.table)
    client.force_login(org.staff)
    r = years.table.criteria.get(code="R")
    page = reverse("table_baselines", args=[years.campaign.pk, years.table.pk])

    html = client.get(page).content.decode()
    assert "2023, final, published 20/12/2023" in html
    assert "sum of D1, M1" in html
    answer = client.post(
        reverse("table_baseline_set", args=[years.campaign.pk, years.table.pk]),
        {"criterion": r.pk, "unit": years.new_unit.pk, "value": "5", "reason": "Đơn vị mới"},
    )
    refused = client.post(
        reverse("table_baseline_set", args=[years.campaign.pk, years.table.pk]),
        {"criterion": r.pk, "unit": years.new_unit.pk, "value": "5,5", "reason": "x"},
        follow=True,
    )
    report = client.get(reverse("campaign_baselines", args=[years.campaign.pk]))

    assert answer.status_code == 302
    assert "R: last year&#x27;s count is a whole number." in refused.content.decode()
    row = UnitBaseline.objects.get(criterion=r, unit=years.new_unit)
    assert (row.value, row.source, row.reason) == (D(5), BaselineSource.TYPED, "Đơn vị mới")
    assert [(x.criterion.code, x.unit.code) for x in report.context["rows"]] == [
        ("R", "X1"),
        ("V", "X1"),
        ("P", "X1"),
    ]


def test_pages_refuse_officers_and_read_only_once_published(client, org, years):
    client.force_login(org.leader)
    page = reverse("table_baselines", args=[years.campaign.pk, years.table.pk])
    assert client.get(page).status_code == 403
    client.force_login(org.staff)
    type(years.campaign).objects.filter(pk=years.campaign.pk).update(phase="published")
    assert client.get(page).context["editable"] is False
    carry = reverse("table_baselines_carry", args=[years.campaign.pk, years.table.pk])
    assert client.post(carry).status_code == 403
    assert client.get(carry).status_code == 405
    assert UnitBaseline.objects.count() == 0


def test_the_sheet_shows_last_years_figure_with_its_source(client, org, years):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    baselines_carry(table=years.table)
    services.table_publish(table=years.table)
    type(years.campaign).objects.filter(pk=years.campaign.pk).update(phase="self_assessment")
    sheet = services.sheet_get_or_create(cluster=years.cluster, unit=years.merged, stage="self")
    client.force_login(org.staff)

    html = client.get(reverse("sheet_detail", args=[sheet.pk])).content.decode()

    assert "Last year's count (baseline): 7 · 2023, final, published 20/12/2023" in html
    assert "Last year: 3.25 · 2023, final, published 20/12/2023" in html
    assert "Last year: 60 · 2023, final, published 20/12/2023" in html
