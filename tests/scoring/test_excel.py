"""The grid's Excel round trip: the template (keys, validations, current values, formula
escaping), reading an upload into a plan (changes and errors by cell, never a write), the
upload preview and confirmation (all or nothing, history, recompute, stale data), each kind
of bad file, and who may do what."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clusters.enums import Phase
from scoring import excel, services
from scoring.models import Criterion, ScoreEntry

D = Decimal
pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def set_phase(org, phase=Phase.CLUSTER_SCORING):
    org.campaign.phase = phase
    org.campaign.save()


def entry(sheet, code) -> ScoreEntry:
    return ScoreEntry.objects.get(sheet=sheet, criterion__code=code)


def template(org, user, stage="cluster"):
    data = excel.template_xlsx(cluster=org.cluster, stage=stage, user=user)
    return load_workbook(io.BytesIO(data))


def find(ws, key: str, unit_code: str):
    """The cell of row key ``key`` and unit ``unit_code``, found by the hidden keys."""
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == unit_code)
    return ws.cell(row, col)


def upload_of(wb, name="diem.xlsx") -> SimpleUploadedFile:
    stream = io.BytesIO()
    wb.save(stream)
    return SimpleUploadedFile(name, stream.getvalue(), content_type=XLSX)


def plan_of(org, user, wb_or_upload, stage="cluster"):
    upload = (
        wb_or_upload if isinstance(wb_or_upload, SimpleUploadedFile) else upload_of(wb_or_upload)
    )
    return excel.read_upload(cluster=org.cluster, stage=stage, user=user, upload=upload)


# --- The template -----------------------------------------------------------------------


def test_template_layout_keys_and_current_values(org, sheets):
    set_phase(org)
    services.sheet_fill(
        sheet=sheets["M1"], values={"I.1": {"points": D("12.5")}, "V": {"violated": True}}
    )
    ws = template(org, org.leader).active
    assert ws.title == org.cluster.name[:31]
    assert ws.cell(1, 1).value == f"thidua.grid/1|{org.cluster.code}|cluster"
    assert ws.column_dimensions["A"].hidden is True
    assert ws.row_dimensions[1].hidden is True
    assert [ws.cell(1, c).value for c in range(6, 9)] == ["L1", "D1", "M1"]
    keys = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)]
    assert keys == [
        None,
        "I.1|points",
        "I.2|numerator",
        "I.2|denominator",
        "I.3|numerator",
        "I.3|denominator",
        "B|count",
        "T|points",
        "V|violated",
    ]
    assert find(ws, "I.1|points", "M1").value == 12.5
    assert find(ws, "V|violated", "M1").value == "có"
    assert find(ws, "I.1|points", "L1").value is None
    assert ws.freeze_panes == "F3"


def test_template_validations_per_kind(org, sheets):
    set_phase(org)
    ws = template(org, org.leader).active
    rules = {
        (dv.type, dv.formula1, dv.formula2): str(dv.sqref)
        for dv in ws.data_validations.dataValidation
    }
    assert rules[("list", '"có,không"', None)] == "F11:H11"
    assert rules[("whole", "0", None)] == "F5:H5 F6:H6 F7:H7 F8:H8 F9:H9"
    assert rules[("decimal", "0", "20")] == "F4:H4"
    assert rules[("decimal", "0", "10")] == "F10:H10"


def test_template_escapes_formulas_in_text(org, sheets):
    set_phase(org)
    Criterion.objects.filter(code="I.1").update(title='=HYPERLINK("x")')
    ws = template(org, org.leader).active
    cell = ws.cell(4, 3)
    assert cell.value == '\'=HYPERLINK("x")'
    assert cell.data_type == "s"


# --- Reading an upload into a plan ----------------------------------------------------------


def test_plan_lists_changes_and_never_writes(org, sheets):
    set_phase(org)
    before = entry(sheets["M1"], "I.1").version
    wb = template(org, org.leader)
    ws = wb.active
    find(ws, "I.1|points", "M1").value = 15
    find(ws, "I.2|numerator", "M1").value = "45"
    find(ws, "I.2|denominator", "M1").value = 50
    find(ws, "V|violated", "M1").value = "không"
    plan = plan_of(org, org.leader, wb)
    assert plan.errors == []
    assert [(c.unit_code, c.code, c.field, c.old, c.new) for c in plan.changes] == [
        ("M1", "I.1", "points", "—", "15"),
        ("M1", "I.2", "numerator", "—", "45"),
        ("M1", "I.2", "denominator", "—", "50"),
        ("M1", "V", "violated", "—", "không"),
    ]
    assert entry(sheets["M1"], "I.1").input_points is None
    assert entry(sheets["M1"], "I.1").version == before


def test_plan_wrong_type_is_an_error_at_its_cell(org, sheets):
    set_phase(org)
    wb = template(org, org.leader)
    cell = find(wb.active, "B|count", "M1")
    cell.value = "abc"
    plan = plan_of(org, org.leader, wb)
    assert [e.cell for e in plan.errors] == [f"'{wb.active.title}'!{cell.coordinate}"]
    assert plan.changes == []
