"""The grid's Excel round trip: the template (keys, validations, current values, formula
escaping), reading an upload into a plan (changes and errors by cell, never a write), the
upload preview and confirmation (all or nothing, history, recompute, stale data), each kind
of bad file, and who may do what."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from clusters.enums import Phase
from scoring import services
from scoring.interchange import excel_grid
from scoring.models import Criterion, ScoreEntry, ScoreSheet

D = Decimal
pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Previews wait under MEDIA_ROOT/excel-previews/, which every app server shares."""
    settings.MEDIA_ROOT = tmp_path


def set_phase(org, phase=Phase.CLUSTER_SCORING):
    org.campaign.phase = phase
    org.campaign.save()


def entry(sheet, code) -> ScoreEntry:
    return ScoreEntry.objects.get(sheet=sheet, criterion__code=code)


def template(org, user, stage="cluster"):
    data = excel_grid.template_xlsx(cluster=org.cluster, stage=stage, user=user)
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
    return excel_grid.read_upload(cluster=org.cluster, stage=stage, user=user, upload=upload)


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


# --- The views: download, upload, preview, confirm -------------------------------------------


def urls(org, stage="cluster"):
    pk = org.cluster.pk
    return {
        "xlsx": reverse("grid_xlsx", args=[pk, stage]),
        "upload": reverse("grid_upload", args=[pk, stage]),
    }


def download(client, org, user):
    client.force_login(user)
    response = client.get(urls(org)["xlsx"])
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def post_upload(client, org, wb_or_upload):
    upload = (
        wb_or_upload if isinstance(wb_or_upload, SimpleUploadedFile) else upload_of(wb_or_upload)
    )
    return client.post(urls(org)["upload"], {"file": upload})


def confirm_url(org, response) -> str:
    return response.context["confirm_url"]


def test_round_trip_download_fill_preview_confirm(client, org, sheets, settings):
    set_phase(org)
    wb = download(client, org, org.leader)
    ws = wb.active
    find(ws, "I.1|points", "M1").value = 15
    find(ws, "I.2|numerator", "M1").value = 50
    find(ws, "I.2|denominator", "M1").value = 50
    find(ws, "B|count", "D1").value = 2
    response = post_upload(client, org, wb)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.errors == []
    assert [(c.unit_code, c.code, c.field, c.old, c.new) for c in plan.changes] == [
        ("M1", "I.1", "points", "—", "15"),
        ("M1", "I.2", "numerator", "—", "50"),
        ("M1", "I.2", "denominator", "—", "50"),
        ("D1", "B", "count", "—", "2"),
    ]
    assert entry(sheets["M1"], "I.1").input_points is None  # the preview stores nothing
    content = response.content.decode()
    assert 'id="excel-confirm"' in content
    waiting = sorted(p.name for p in (settings.MEDIA_ROOT / "excel-previews").iterdir())
    token = confirm_url(org, response).rstrip("/").split("/")[-2]
    assert waiting == [f"{token}.xlsx"]

    response = client.post(confirm_url(org, response))
    assert response.status_code == 302
    assert list((settings.MEDIA_ROOT / "excel-previews").iterdir()) == []
    assert response.url == reverse("grid", args=[org.cluster.pk, "cluster"])
    m1 = entry(sheets["M1"], "I.1")
    assert m1.input_points == D("15")
    assert (entry(sheets["M1"], "I.2").numerator, entry(sheets["M1"], "I.2").denominator) == (
        50,
        50,
    )
    assert entry(sheets["D1"], "B").count == 2
    last = m1.history.first()
    assert last.history_change_reason.endswith(": diem.xlsx")
    assert m1.history.count() == 1  # the import
    assert last.history_user == org.leader
    # recomputed: I.1 15 + I.2 20 (100% ≥ threshold)
    m1_sheet = ScoreSheet.objects.get(pk=sheets["M1"].pk)
    assert entry(sheets["M1"], "I.2").points == D("20.00")
    assert m1_sheet.base == D("35.00")
    assert ScoreSheet.objects.get(pk=sheets["D1"].pk).bonus == D("2.00")


def test_confirm_refused_when_data_changed_since_preview(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    find(wb.active, "I.1|points", "M1").value = 15
    response = post_upload(client, org, wb)
    url = confirm_url(org, response)
    e = entry(sheets["M1"], "I.1")
    services.entry_update(entry=e, values={"points": D("7")})
    response = client.post(url)
    assert response.status_code == 409
    assert 'id="excel-stale"' in response.content.decode()
    assert [(c.old, c.new) for c in response.context["plan"].changes] == [("7", "15")]
    assert entry(sheets["M1"], "I.1").input_points == D("7")
    # the new preview may be confirmed
    response = client.post(url)
    assert response.status_code == 302
    assert entry(sheets["M1"], "I.1").input_points == D("15")


def assert_refused(response, sheets, cells: list[str]):
    assert response.status_code == 422
    plan = response.context["plan"]
    assert [e.cell for e in plan.errors] == cells
    assert response.context["confirm_url"] == ""
    assert 'id="excel-confirm"' not in response.content.decode()
    assert ScoreEntry.objects.filter(sheet__in=sheets.values(), version__gt=1).count() == 0


def test_upload_wrong_type_and_formula_are_errors_by_cell(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    ws = wb.active
    find(ws, "I.1|points", "M1").value = 15
    find(ws, "B|count", "M1").value = "abc"
    find(ws, "T|points", "M1").value = "=1+1"
    response = post_upload(client, org, wb)
    t = f"'{ws.title}'!"
    assert_refused(response, sheets, [f"{t}H9", f"{t}H10"])
    assert "abc" in response.context["plan"].errors[0].message


def test_upload_added_column_and_row_are_errors(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    ws = wb.active
    ws.cell(2, 9).value = "Đơn vị mới"
    ws.cell(4, 9).value = 3
    ws.cell(ws.max_row + 1, 8).value = 5
    response = post_upload(client, org, wb)
    t = f"'{ws.title}'!"
    assert_refused(response, sheets, [f"{t}I2", f"{t}B12"])


def test_upload_renamed_sheet_is_read_by_its_keys(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    ws = wb.active
    ws.title = "Đã đổi tên"
    find(ws, "I.1|points", "M1").value = 12
    response = post_upload(client, org, wb)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(c.code, c.new, c.cell) for c in plan.changes] == [("I.1", "12", "'Đã đổi tên'!H4")]
    assert len(plan.notes) == 1


def test_upload_without_keys_is_an_error(client, org, sheets):
    set_phase(org)
    client.force_login(org.leader)
    wb = Workbook()
    wb.active["A1"] = "bảng điểm"
    wb.active["B2"] = 5
    response = post_upload(client, org, wb)
    assert_refused(response, sheets, ["diem.xlsx"])


def test_upload_not_an_xlsx_is_an_error(client, org, sheets):
    set_phase(org)
    client.force_login(org.leader)
    fake = SimpleUploadedFile("diem.xlsx", b"PK\x03\x04 not really a workbook")
    assert_refused(post_upload(client, org, fake), sheets, ["diem.xlsx"])
    text = SimpleUploadedFile("diem.xlsx", b"I.1;15\n")
    assert_refused(post_upload(client, org, text), sheets, ["diem.xlsx"])


def test_upload_too_large_is_an_error(client, org, sheets, settings):
    set_phase(org)
    settings.UPLOAD_MAX_MB = 0
    wb = download(client, org, org.leader)
    assert_refused(post_upload(client, org, wb), sheets, ["diem.xlsx"])


def test_upload_column_the_user_may_not_score_is_refused(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    ws = wb.active
    find(ws, "I.1|points", "M1").value = 15
    find(ws, "I.1|points", "L1").value = 18  # the leader's own unit: the deputy scores it
    response = post_upload(client, org, wb)
    assert_refused(response, sheets, [f"'{ws.title}'!F4"])


def test_upload_engine_rule_is_an_error_at_its_cell(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    ws = wb.active
    find(ws, "I.1|points", "M1").value = 25  # above the maximum of 20
    response = post_upload(client, org, wb)
    assert_refused(response, sheets, [f"'{ws.title}'!H4"])


def test_upload_nothing_changed_offers_no_confirm(client, org, sheets):
    set_phase(org)
    wb = download(client, org, org.leader)
    response = post_upload(client, org, wb)
    assert response.status_code == 200
    assert response.context["plan"].changes == []
    assert 'id="excel-nothing"' in response.content.decode()


def test_confirm_unknown_token_is_404(client, org, sheets):
    set_phase(org)
    client.force_login(org.leader)
    url = reverse("grid_upload_confirm", args=[org.cluster.pk, "cluster", "nope"])
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "xlsx", "upload"),
    [
        ("admin", 200, 403),
        ("staff", 200, 403),
        ("leader", 200, 200),
        ("deputy", 200, 200),
        ("member", 403, 403),
        ("outsider", 404, 404),
    ],
)
def test_roles(client, org, sheets, role, xlsx, upload):
    set_phase(org)
    client.force_login(getattr(org, role))
    assert client.get(urls(org)["xlsx"]).status_code == xlsx
    assert client.get(urls(org)["upload"]).status_code == upload


def test_wrong_methods_are_405(client, org, sheets):
    set_phase(org)
    client.force_login(org.leader)
    confirm = reverse("grid_upload_confirm", args=[org.cluster.pk, "cluster", "x"])
    assert client.post(urls(org)["xlsx"]).status_code == 405
    assert client.put(urls(org)["upload"]).status_code == 405
    assert client.get(confirm).status_code == 405


def test_read_only_when_phase_closed(client, org, sheets):
    set_phase(org, Phase.FINAL_REVIEW)
    client.force_login(org.leader)
    wb = load_workbook(io.BytesIO(client.get(urls(org)["xlsx"]).content))
    assert post_upload(client, org, wb).status_code == 403


def test_unknown_stage_is_404(client, org, sheets):
    client.force_login(org.leader)
    assert client.get(reverse("grid_xlsx", args=[org.cluster.pk, "self"])).status_code == 404
