"""Criteria not assigned to a unit, as the pages and documents show them: the sheet, the
grid, the sheet's Word file and the minutes, the ranking and the cluster report."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from clusters.enums import Phase
from scoring import services
from scoring.documents import minutes_document, sheet_table
from scoring.models import Criterion, ScoreSheet
from scoring.services.assignments import not_assigned_add
from tests.scoring.test_excel import find, plan_of, template
from tests.scoring.test_services import fill

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def marked(org, table, sheets):
    """The hand-computed cluster-stage scores, with I.2 not assigned to M1: its base is
    I.1 20 + I.3 10 = 30 of 40, normalised to 30 × 60 / 40 = 45.00 (total 40 after the
    veto's 5)."""
    fill(sheets)
    not_assigned_add(criterion=Criterion.objects.get(table=table, code="I.2"), unit=org.member_unit)
    return ScoreSheet.objects.get(pk=sheets["M1"].pk)


def _cell_text(cell) -> str:
    return cell.text if hasattr(cell, "text") else str(cell)


def test_sheet_page_shows_both_bases_and_the_unassigned_criterion(client, org, marked):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    client.force_login(org.leader)

    response = client.get(reverse("sheet_detail", args=[marked.pk]))

    page = response.content.decode()
    assert response.context["not_assigned"] == ["I.2"]
    assert 'data-figure="raw_base">30.00<' in page
    assert 'data-figure="base">45.00<' in page
    assert 'data-figure="not_assigned">I.2<' in page
    assert page.count("data-not-assigned") == 1
    # Five leaves to enter, not six: I.2 takes no input.
    assert (response.context["entered"], response.context["leaf_count"]) == (5, 5)
    row = next(r for r in response.context["rows"] if r.criterion.code == "I.2")
    assert (row.not_assigned, row.inputs) == (True, [])


def test_grid_marks_the_unassigned_cell_read_only_and_shows_the_raw_base(client, org, marked):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    client.force_login(org.leader)

    page = client.get(reverse("grid", args=[org.cluster.pk, "cluster"])).content.decode()

    entry = marked.entries.get(criterion__code="I.2")
    cell = page[page.index(f'id="c{entry.pk}-denominator"') :]
    cell = cell[: cell.index("</td>")]
    assert 'class="gc is-na"' in page[page.index(f'id="c{entry.pk}-denominator"') - 40 :][:80]
    assert " readonly" in cell
    assert 'class="gp is-na"' in cell
    assert f'id="fraw_base-{marked.pk}"' in page
    raw = page[page.index(f'id="fraw_base-{marked.pk}"') :]
    assert raw[raw.index(">") + 1 : raw.index("</td>")] == "30.00"
    base = page[page.index(f'id="fbase-{marked.pk}"') :]
    assert base[base.index(">") + 1 : base.index("</td>")] == "45.00"


def test_sheet_word_table_says_not_assigned_and_gives_both_bases(marked):
    with translation.override("vi"):
        rows = [[_cell_text(c) for c in row.cells] for row in sheet_table(marked).rows]

    assert rows[2] == ["I.2", "Tiêu chí I.2", "20", "Không giao"]
    assert rows[7:9] == [
        ["", "Điểm cơ bản các tiêu chí được giao", "", "30"],
        ["", "Điểm cơ bản quy đổi (không giao: I.2)", "60", "45"],
    ]


def test_minutes_note_the_normalised_base(org, marked):
    document = minutes_document(org.cluster, "cluster")

    table = next(block for block in document.blocks if hasattr(block, "rows"))
    notes = {_cell_text(row.cells[1]): _cell_text(row.cells[4]) for row in table.rows}
    assert notes[org.member_unit.name] == "Điểm cơ bản quy đổi 30 → 45"
    assert notes[org.leader_unit.name] == "Dẫn đầu"


def test_ranking_and_cluster_report_show_the_raw_base(client, org, marked):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    client.force_login(org.staff)

    ranking = client.get(reverse("ranking", args=[org.cluster.pk, "cluster"])).content.decode()
    report = client.get(
        reverse("report_cluster", args=[org.cluster.pk]) + "?stage=cluster"
    ).content.decode()

    assert ranking.count("data-raw-base") == 1
    assert "raw 30.00 (criteria not assigned)" in ranking
    assert report.count("data-raw-base") == 1
    assert "base 30.00 → 45.00 normalised (criteria not assigned)" in report


def test_province_report_and_unit_history_show_the_raw_base(client, org, marked):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    client.force_login(org.staff)

    province = client.get(
        reverse("report_province", args=[org.campaign.pk]) + "?stage=cluster"
    ).content.decode()
    history = client.get(reverse("report_unit_history", args=[org.member_unit.pk])).content.decode()

    assert province.count("data-raw-base") == 1
    assert "base 30.00 → 45.00 normalised (criteria not assigned)" in province
    assert history.count("data-raw-base") == 1
    assert "base 30.00 → 45.00 normalised (criteria not assigned)" in history


def test_submit_does_not_wait_for_an_unassigned_criterion(client, org, table):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    not_assigned_add(criterion=Criterion.objects.get(table=table, code="I.2"), unit=org.member_unit)
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    services.sheet_fill(
        sheet=sheet,
        values={
            "I.1": {"points": D("10")},
            "I.3": {"numerator": 1, "denominator": 2},
            "B": {"count": 0},
            "T": {"points": D("0")},
            "V": {"violated": False},
        },
    )
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))
    client.force_login(org.member)

    client.post(reverse("sheet_submit", args=[sheet.pk]))

    sheet.refresh_from_db()
    assert (sheet.complete, sheet.status) == (True, "submitted")


def test_excel_grid_marks_the_unassigned_cells_and_refuses_a_value_there(org, marked):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    wb = template(org, org.leader)
    ws = wb.active
    assert find(ws, "I.2|numerator", "M1").value == "không giao"
    assert find(ws, "I.2|denominator", "M1").value == "không giao"
    assert find(ws, "I.2|numerator", "D1").value == 49

    untouched = plan_of(org, org.leader, wb)
    find(ws, "I.2|numerator", "M1").value = 5
    refused = plan_of(org, org.leader, wb)

    assert (untouched.errors, untouched.changes) == ([], [])
    assert [error.message for error in refused.errors] == [
        "I.2 is not assigned to this unit; it takes no input."
    ]
