"""Groups with no base leaf (bonuses only, deductions and vetoes only, or a mix) show their
leaves' net effect with a sign (scoring/engine/signed.py) on every page and document that
shows groups: the grid, the sheet page and its preview, the sheet's .docx and the cluster
report. A mix is never the sum of its magnitudes. Figures worked by hand."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clusters.enums import Phase
from scoring import documents, reports, services
from scoring.enums import Stage
from scoring.models import Criterion, ScoreTable
from scoring.views.sheet import preview_context
from tests.scoring.conftest import make_criterion

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def grouped(org):
    """I (group, 20) = I.1 manual 20; II (bonuses) = II.1 count × 1 (max 3) + II.2 points
    (max 2); III (deductions) = III.1 points (max 5) + III.2 veto (deduct 2); IV (a mix) =
    IV.1 bonus points (max 1) + IV.2 deduction points (max 1). One band, Đạt ≥ 0."""
    table = ScoreTable.objects.create(
        campaign=org.campaign, title="Thang điểm nhóm", bands=[{"label": "Đạt", "min": "0"}]
    )
    table.clusters.set([org.cluster])
    base = make_criterion(table, "I", "group", max_points=D(20), order=1)
    make_criterion(table, "I.1", "manual", parent=base, order=1, max_points=D(20))
    bonuses = make_criterion(table, "II", "group", order=2)
    make_criterion(table, "II.1", "bonus", parent=bonuses, order=1, max_points=D(3), per_item=D(1))
    make_criterion(table, "II.2", "bonus", parent=bonuses, order=2, max_points=D(2))
    minus = make_criterion(table, "III", "group", order=3)
    make_criterion(table, "III.1", "deduction", parent=minus, order=1, max_points=D(5))
    make_criterion(table, "III.2", "veto", parent=minus, order=2, deduct=D(2))
    mixed = make_criterion(table, "IV", "group", order=4)
    make_criterion(table, "IV.1", "bonus", parent=mixed, order=1, max_points=D(1))
    make_criterion(table, "IV.2", "deduction", parent=mixed, order=2, max_points=D(1))
    services.table_renumber(table=table)
    table = services.table_publish(table=table)
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="cluster")
    values = {
        "I.1": {"points": D("15")},
        "II.1": {"count": 2},
        "II.2": {"points": D("1.25")},
        "III.1": {"points": D("1.5")},
        "III.2": {"violated": True},
        "IV.1": {"points": D("0.5")},
        "IV.2": {"points": D("0.25")},
    }
    for code, data in values.items():
        services.entry_update(entry=sheet.entries.get(criterion__code=code), values=data)
    sheet.refresh_from_db()
    return sheet


def group_pk(sheet, code):
    return Criterion.objects.get(table=sheet.table, code=code).pk


def test_the_sheets_figures(grouped):
    # base 15; bonus 2 + 1.25 + 0.5 = 3.75; deduction 1.5 + 2 + 0.25 = 3.75; 15 + 3.75 - 3.75.
    assert (grouped.base, grouped.bonus, grouped.deduction, grouped.total) == (
        D("15.00"),
        D("3.75"),
        D("3.75"),
        D("15.00"),
    )


def test_grid_shows_the_sum_of_a_group_without_base_leaves(client, org, grouped):
    client.force_login(org.leader)

    html = client.get(reverse("grid", args=[org.cluster.pk, "cluster"])).content.decode()

    def subtotal(code):
        cell = rf'<td id="s{grouped.pk}-{group_pk(grouped, code)}" class="gsub">([^<]*)<'
        return re.search(cell, html).group(1)

    # I: 15; II: 2 + 1.25; III: 1.5 + 2 (magnitudes, as the grid writes every figure);
    # IV (a mix): its net 0.5 - 0.25, signed there (the grid's only sign: nothing else
    # says which way a mix goes), not the magnitudes' sum 0.75.
    assert [subtotal(code) for code in ("I", "II", "III", "IV")] == [
        "15,00",
        "3,25",
        "3,50",
        "+0,25",
    ]


def test_grid_save_answers_the_new_sum_of_the_saved_leafs_groups(client, org, grouped):
    client.force_login(org.leader)
    entry = grouped.entries.get(criterion__code="III.1")

    response = client.post(
        reverse("grid_cell_save", args=[org.cluster.pk, "cluster", entry.pk]),
        {"field": "points", "value": "4", "version": entry.version},
        HTTP_HX_REQUEST="true",
    )

    # III: 4 + 2 = 6,00, swapped out of band.
    cell = rf'<td id="s{grouped.pk}-{group_pk(grouped, "III")}" class="gsub" hx-swap-oob="true">'
    assert re.search(cell + "6,00<", response.content.decode())


def test_sheet_page_shows_signed_sums(client, org, grouped):
    client.force_login(org.leader)

    rows = client.get(reverse("sheet_detail", args=[grouped.pk])).context["rows"]

    groups = {r.criterion.code: r for r in rows if r.is_group}
    # A mix of bonuses and deductions shows its net: 0.5 - 0.25 = +0.25.
    assert [
        (code, r.signed, r.current_cell.sign, r.current_cell.subtotal) for code, r in groups.items()
    ] == [
        ("I", False, "", D("15.00")),
        ("II", True, "+", D("3.25")),
        ("III", True, "−", D("3.50")),
        ("IV", True, "+", D("0.25")),
    ]


def test_sheet_preview_signs_the_groups(org, grouped):
    context = preview_context(grouped.table, org.member_unit, org.cluster)

    # Nothing entered: every net is 0, written without a sign.
    assert [
        (r.criterion.code, r.signed, r.cells[0].sign) for r in context["rows"] if r.is_group
    ] == [
        ("I", False, ""),
        ("II", True, ""),
        ("III", True, ""),
        ("IV", True, ""),
    ]


def test_sheet_document_shows_signed_sums(grouped):
    table = documents.sheet_table(grouped)

    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[:11] == [
        ["I", "Tiêu chí I", "20", "15"],
        ["I.1", "Tiêu chí I.1", "20", "15"],
        ["II", "Tiêu chí II", "", "+3,25"],
        ["II.1", "Tiêu chí II.1", "+3", "2"],
        ["II.2", "Tiêu chí II.2", "+2", "1,25"],
        ["III", "Tiêu chí III", "", "−3,5"],
        ["III.1", "Tiêu chí III.1", "−5", "−1,5"],
        ["III.2", "Tiêu chí III.2", "−2", "−2"],
        ["IV", "Tiêu chí IV", "", "+0,25"],
        ["IV.1", "Tiêu chí IV.1", "+1", "0,5"],
        ["IV.2", "Tiêu chí IV.2", "−1", "−0,25"],
    ]


def test_cluster_report_areas_of_signed_groups(org, grouped):
    report = reports.cluster_report(org.cluster, Stage.CLUSTER)

    assert [(a.code, a.sign, a.mixed) for a in report.areas] == [
        ("I", "", False),
        ("II", "+", False),
        ("III", "−", False),
        ("IV", "", True),
    ]
    member = next(r for r in report.rows if r.sheet.pk == grouped.pk)
    # IV's net, a signed number (the Excel export's too): 0.5 - 0.25.
    assert member.areas == [D("15.00"), D("3.25"), D("3.50"), D("0.25")]
    assert member.shown[3] == ("+", D("0.25"))


def set_points(sheet, code, value):
    entry = sheet.entries.get(criterion__code=code)
    services.entry_update(entry=entry, values={"points": D(value)})
    sheet.refresh_from_db()


def test_a_mix_that_takes_away_shows_minus_everywhere(client, org, grouped):
    # IV: bonus 0.25, deduction 0.5: net 0.25 - 0.5 = -0.25, written −0,25.
    set_points(grouped, "IV.1", "0.25")
    set_points(grouped, "IV.2", "0.5")
    client.force_login(org.leader)

    rows = client.get(reverse("sheet_detail", args=[grouped.pk])).context["rows"]
    html = client.get(reverse("grid", args=[org.cluster.pk, "cluster"])).content.decode()
    document = [[c.text for c in row.cells] for row in documents.sheet_table(grouped).rows]
    report = reports.cluster_report(org.cluster, Stage.CLUSTER)

    iv = next(r for r in rows if r.criterion.code == "IV")
    assert (iv.current_cell.sign, iv.current_cell.subtotal) == ("−", D("0.25"))
    cell = rf'<td id="s{grouped.pk}-{group_pk(grouped, "IV")}" class="gsub">([^<]*)<'
    assert re.search(cell, html).group(1) == "−0,25"
    assert document[8] == ["IV", "Tiêu chí IV", "", "−0,25"]
    member = next(r for r in report.rows if r.sheet.pk == grouped.pk)
    assert (member.areas[3], member.shown[3]) == (D("-0.25"), ("−", D("0.25")))


def test_a_mix_that_nets_to_zero_shows_zero_without_sign(client, org, grouped):
    # IV: bonus 0.5, deduction 0.5: net 0.
    set_points(grouped, "IV.2", "0.5")
    client.force_login(org.leader)

    rows = client.get(reverse("sheet_detail", args=[grouped.pk])).context["rows"]
    html = client.get(reverse("grid", args=[org.cluster.pk, "cluster"])).content.decode()

    iv = next(r for r in rows if r.criterion.code == "IV")
    assert (iv.current_cell.sign, iv.current_cell.subtotal) == ("", D("0.00"))
    cell = rf'<td id="s{grouped.pk}-{group_pk(grouped, "IV")}" class="gsub">([^<]*)<'
    assert re.search(cell, html).group(1) == "0,00"
    assert documents.sheet_table(grouped).rows[8].cells[3].text == "0"


def test_the_cluster_report_page_signs_a_mixed_areas_values(client, org, grouped):
    set_points(grouped, "IV.1", "0.25")
    set_points(grouped, "IV.2", "0.5")
    client.force_login(org.staff)

    page = client.get(reverse("report_cluster", args=[org.cluster.pk]), {"stage": "cluster"})

    assert page.status_code == 200
    assert "−0,25" in page.content.decode()


def test_grid_save_answers_a_mixs_new_net_signed(client, org, grouped):
    client.force_login(org.leader)
    entry = grouped.entries.get(criterion__code="IV.2")

    response = client.post(
        reverse("grid_cell_save", args=[org.cluster.pk, "cluster", entry.pk]),
        {"field": "points", "value": "1", "version": entry.version},
        HTTP_HX_REQUEST="true",
    )

    # IV: bonus 0.5 - deduction 1 = −0,50, swapped out of band.
    cell = rf'<td id="s{grouped.pk}-{group_pk(grouped, "IV")}" class="gsub" hx-swap-oob="true">'
    assert re.search(cell + "−0,50<", response.content.decode())
