"""Units' own targets (chỉ tiêu giao riêng): the service, the page, cell saves (typed and
pasted), the history, the Excel round trip and the query counts."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from clusters.enums import MemberRole, Phase
from scoring import services
from scoring.enums import SheetStatus, Stage
from scoring.interchange import excel_targets
from scoring.models import Criterion, ScoreSheet, UnitTarget
from scoring.services.targets import (
    StaleTarget,
    TargetChange,
    target_parse,
    unit_target_save,
    unit_targets_fill,
)
from tests.factories import ClusterFactory, MembershipFactory, UnitFactory, UserFactory

D = Decimal


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are compared in the source language (English), pages included."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def foreign_staff(org):
    other = UnitFactory(code="CAX", name="Công an tỉnh Khác", kind="province")
    user = UserFactory(username="foreign", unit=UnitFactory(code="PX99", parent=other))
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _crit(table, code: str) -> Criterion:
    return Criterion.objects.get(table=table, code=code)


def _targets(table) -> dict[tuple[str, str], Decimal]:
    return {
        (t.criterion.code, t.unit.code): t.target
        for t in UnitTarget.objects.filter(criterion__table=table).select_related(
            "criterion", "unit"
        )
    }


def _page_url(org, table) -> str:
    return reverse("table_targets", args=[org.campaign.pk, table.pk])


def _save_url(org, table, criterion, unit) -> str:
    return reverse("table_target_save", args=[org.campaign.pk, table.pk, criterion.pk, unit.pk])


# --- Reading typed values -----------------------------------------------------------------


def test_target_parse_reads_decimal_comma_point_and_percent_sign(org, table):
    rate = _crit(table, "I.2")

    assert target_parse(rate, "92,5") == (D("92.5"), None)
    assert target_parse(rate, " 80.25 ") == (D("80.25"), None)
    assert target_parse(rate, "95%") == (D("95"), None)
    assert target_parse(rate, "") == (None, None)


def test_target_parse_refuses_text_negative_too_precise_and_above_100_for_a_rate(org, table):
    rate = _crit(table, "I.2")

    assert target_parse(rate, "abc", org.member_unit) == (
        None,
        f"I.2 · {org.member_unit.label}: the target must be a number, not “abc”.",
    )
    assert target_parse(rate, "-5", org.member_unit) == (
        None,
        f"I.2 · {org.member_unit.label}: a target must not be negative.",
    )
    assert target_parse(rate, "1,23456") == (None, "I.2: a target has at most 4 decimals.")
    assert target_parse(rate, "100,5") == (
        None,
        "I.2: this criterion is measured as a percentage; the target must be at most 100.",
    )


def test_target_parse_allows_above_100_for_a_value_metric(org, table):
    value = Criterion.objects.create(
        table=table,
        code="I.4",
        title="Số vụ",
        kind="target",
        metric="value",
        method="proportional",
        max_points=D(0),
    )

    assert target_parse(value, "250") == (D("250"), None)


# --- The service ---------------------------------------------------------------------------


def test_unit_target_save_stores_versions_and_records_who_changed_it(org, table):
    rate = _crit(table, "I.2")

    first = unit_target_save(
        criterion=rate, unit=org.member_unit, target=D(90), user=org.staff, expected_version=0
    )
    second = unit_target_save(
        criterion=rate, unit=org.member_unit, target=D(85), user=org.staff, expected_version=1
    )

    assert (first.pk, second.version, second.target) == (first.pk, 2, D(85))
    history = list(
        UnitTarget.history.filter(criterion_id=rate.pk, unit_id=org.member_unit.pk).order_by(
            "history_date", "history_id"
        )
    )
    assert [(h.history_type, h.target, h.history_user) for h in history] == [
        ("+", D(90), org.staff),
        ("~", D(85), org.staff),
    ]


def test_unit_target_save_refuses_an_older_version_and_stores_nothing(org, table):
    rate = _crit(table, "I.2")
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(90), expected_version=0)

    with pytest.raises(StaleTarget):
        unit_target_save(criterion=rate, unit=org.member_unit, target=D(70), expected_version=0)

    assert _targets(table) == {("I.2", "M1"): D(90)}


def test_unit_target_save_removal_and_recreation_never_reuse_a_version(org, table):
    rate = _crit(table, "I.2")
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(90), expected_version=0)
    unit_target_save(criterion=rate, unit=org.member_unit, target=None, expected_version=1)

    again = unit_target_save(criterion=rate, unit=org.member_unit, target=D(60), expected_version=0)

    # A client that read version 1 before the removal cannot overwrite the new target.
    assert again.version == 2
    with pytest.raises(StaleTarget):
        unit_target_save(criterion=rate, unit=org.member_unit, target=D(10), expected_version=1)


def test_unit_target_save_refuses_bad_values_and_units_outside_the_table(org, table):
    rate = _crit(table, "I.2")
    manual = _crit(table, "I.1")
    stranger = UnitFactory(code="X9", parent=org.province)

    with pytest.raises(ValidationError) as above:
        unit_target_save(criterion=rate, unit=org.member_unit, target=D(101))
    with pytest.raises(ValidationError) as not_target:
        unit_target_save(criterion=manual, unit=org.member_unit, target=D(5))
    with pytest.raises(ValidationError) as outside:
        unit_target_save(criterion=rate, unit=stranger, target=D(5))

    member = org.member_unit.label
    assert above.value.messages == [
        f"I.2 · {member}: this criterion is measured as a percentage; the target must be at "
        "most 100."
    ]
    assert not_target.value.messages == [f"I.1 · {member}: this criterion takes no target."]
    assert outside.value.messages == [
        f"{stranger.label} is not a member of a cluster this score table applies to."
    ]
    assert _targets(table) == {}


def test_unit_target_save_refuses_a_unit_whose_results_are_locked(org, table):
    rate = _crit(table, "I.2")
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="final")
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.LOCKED)

    with pytest.raises(ValidationError):
        unit_target_save(criterion=rate, unit=org.member_unit, target=D(50))

    assert _targets(table) == {}


def test_unit_target_save_recomputes_the_units_points(org, table):
    rate = _crit(table, "I.2")  # threshold, default target 100
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    services.sheet_fill(sheet=sheet, values={"I.2": {"numerator": 9, "denominator": 10}})
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))
    assert sheet.entries.get(criterion=rate).points == D(0)

    unit_target_save(criterion=rate, unit=org.member_unit, target=D(90))

    assert sheet.entries.get(criterion=rate).points == D("20.00")


def test_unit_targets_fill_stores_all_or_nothing(org, table):
    rate, relative = _crit(table, "I.2"), _crit(table, "I.3")
    good = TargetChange(criterion=rate, unit=org.member_unit, target=D(95), expected_version=0)
    bad = TargetChange(criterion=relative, unit=org.leader_unit, target=D(150), expected_version=0)

    with pytest.raises(ValidationError) as refused:
        unit_targets_fill(table=table, changes=[good, bad], user=org.staff)

    assert refused.value.messages == [
        "I.3 · Phòng Đắk Mil: this criterion is measured as a percentage; the target must be "
        "at most 100."
    ]
    assert _targets(table) == {}
    fixed = TargetChange(criterion=relative, unit=org.leader_unit, target=D(80), expected_version=0)
    assert unit_targets_fill(table=table, changes=[good, fixed], user=org.staff) == 2
    assert _targets(table) == {("I.2", "M1"): D(95), ("I.3", "L1"): D(80)}


# --- Who may open the page ----------------------------------------------------------------


def test_targets_page_roles(client, org, table, foreign_staff):
    url = _page_url(org, table)

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(org.staff)
    assert client.get(url).status_code == 200
    client.force_login(org.admin)
    assert client.get(url).status_code == 200
    for officer in (org.leader, org.member):
        client.force_login(officer)
        assert client.get(url).status_code == 403
    client.force_login(foreign_staff)
    assert client.get(url).status_code == 404


def test_targets_views_refuse_wrong_methods(client, org, table):
    client.force_login(org.staff)
    rate = _crit(table, "I.2")

    assert client.post(_page_url(org, table)).status_code == 405
    assert client.get(_save_url(org, table, rate, org.member_unit)).status_code == 405
    history = reverse("table_targets_history", args=[org.campaign.pk, table.pk])
    assert client.post(history).status_code == 405
    xlsx = reverse("table_targets_xlsx", args=[org.campaign.pk, table.pk])
    assert client.post(xlsx).status_code == 405
    confirm = reverse("table_targets_upload_confirm", args=[org.campaign.pk, table.pk, "x"])
    assert client.get(confirm).status_code == 405


def test_target_save_roles(client, org, table, foreign_staff):
    rate = _crit(table, "I.2")
    url = _save_url(org, table, rate, org.member_unit)
    data = {"field": "target", "value": "90", "version": "0"}

    assert client.post(url, data).status_code == 302
    client.force_login(org.leader)
    assert client.post(url, data).status_code == 403
    client.force_login(foreign_staff)
    assert client.post(url, data).status_code == 404
    assert _targets(table) == {}


def test_targets_page_shows_units_by_cluster_and_the_target_criteria(client, org, table):
    unit_target_save(criterion=_crit(table, "I.3"), unit=org.deputy_unit, target=D("87.5"))
    client.force_login(org.staff)

    response = client.get(_page_url(org, table))

    assert [c["criterion"].code for c in response.context["columns"]] == ["I.2", "I.3"]
    assert [
        r["unit"].code if "unit" in r else r["cluster"].code for r in response.context["rows"]
    ] == [
        "C1",
        "L1",
        "D1",
        "M1",
        "C2",
        "O1",
    ]
    html = response.content.decode()
    cell = f'id="i{_crit(table, "I.3").pk}_{org.deputy_unit.pk}-target"'
    assert cell in html
    assert 'value="87.5" data-version="1"' in html
    assert (
        f'data-save-url="/campaigns/{org.campaign.pk}/tables/{table.pk}/targets/cells/__entry__/"'
        in html
    )
    assert (
        reverse("table_targets", args=[org.campaign.pk, table.pk])
        in client.get(reverse("campaign_tables", args=[org.campaign.pk])).content.decode()
    )


def test_targets_page_is_read_only_once_published(client, org, table):
    org.campaign.phase = Phase.PUBLISHED
    org.campaign.save()
    client.force_login(org.staff)
    rate = _crit(table, "I.2")

    response = client.get(_page_url(org, table))
    save = client.post(
        _save_url(org, table, rate, org.member_unit), {"value": "90", "version": "0"}
    )

    assert response.context["editable"] is False
    assert response.content.decode().count(" readonly>") == 8  # 4 units × 2 criteria
    assert save.status_code == 403
    assert _targets(table) == {}


# --- Typing and pasting: one cell at a time, as grid.js sends them -------------------------


def test_target_save_stores_a_typed_value_and_answers_the_cell(client, org, table):
    client.force_login(org.staff)
    rate = _crit(table, "I.2")

    response = client.post(
        _save_url(org, table, rate, org.member_unit),
        {"field": "target", "value": "92,5", "version": "0", "by": ""},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<td id="c{rate.pk}_{org.member_unit.pk}-target" class="gc is-own">')
    assert 'value="92.5" data-version="1" data-r="2" data-c="0"' in html
    assert _targets(table) == {("I.2", "M1"): D("92.5")}
    record = UnitTarget.history.get()
    assert (record.history_user, record.target) == (org.staff, D("92.5"))


def test_target_save_refuses_a_bad_value_with_the_reason_and_changes_nothing(client, org, table):
    rate = _crit(table, "I.2")
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(80))
    client.force_login(org.staff)

    response = client.post(
        _save_url(org, table, rate, org.member_unit), {"value": "-3", "version": "1"}
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="-3"' in html
    assert f"I.2 · {org.member_unit.label}: a target must not be negative." in html
    assert _targets(table) == {("I.2", "M1"): D(80)}
    assert UnitTarget.history.count() == 1


def test_target_save_answers_409_with_the_newer_value_when_stale(client, org, table):
    rate = _crit(table, "I.2")
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(80))
    client.force_login(org.staff)

    response = client.post(
        _save_url(org, table, rate, org.member_unit), {"value": "70", "version": "0"}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="80" data-version="1"' in html
    assert "is-stale" in html
    assert _targets(table) == {("I.2", "M1"): D(80)}


def test_target_save_empty_value_removes_the_own_target(client, org, table):
    rate = _crit(table, "I.2")
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(80))
    client.force_login(org.staff)

    response = client.post(
        _save_url(org, table, rate, org.member_unit), {"value": "", "version": "1"}
    )

    assert response.status_code == 200
    assert 'value="" data-version="0"' in response.content.decode()
    assert _targets(table) == {}


def test_target_save_refuses_a_criterion_or_unit_outside_the_table(client, org, table):
    client.force_login(org.staff)
    manual = _crit(table, "I.1")
    stranger = UnitFactory(code="X9", parent=org.province)

    not_target = client.post(_save_url(org, table, manual, org.member_unit), {"version": "0"})
    outside = client.post(
        _save_url(org, table, _crit(table, "I.2"), stranger), {"value": "5", "version": "0"}
    )
    no_version = client.post(_save_url(org, table, _crit(table, "I.2"), org.member_unit), {})

    assert (not_target.status_code, outside.status_code, no_version.status_code) == (404, 404, 400)


def test_target_save_pasted_block_stores_good_cells_and_refuses_the_bad_one(client, org, table):
    # A block pasted from Excel reaches the server as one save per cell (grid.js): the
    # good cells are stored, the bad one says why and changes nothing.
    client.force_login(org.staff)
    rate, relative = _crit(table, "I.2"), _crit(table, "I.3")
    block = [
        (rate, org.leader_unit, "95"),
        (relative, org.leader_unit, "90,5"),
        (rate, org.deputy_unit, "120"),
        (relative, org.deputy_unit, "88"),
    ]

    statuses = [
        client.post(_save_url(org, table, c, u), {"value": v, "version": "0"}).status_code
        for c, u, v in block
    ]

    assert statuses == [200, 200, 422, 200]
    assert _targets(table) == {
        ("I.2", "L1"): D(95),
        ("I.3", "L1"): D("90.5"),
        ("I.3", "D1"): D(88),
    }


# --- History ----------------------------------------------------------------------------------


def test_targets_history_shows_who_when_before_and_after(client, org, table):
    rate = _crit(table, "I.2")
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(90), user=org.staff)
    unit_target_save(criterion=rate, unit=org.member_unit, target=D(85), user=org.admin)
    unit_target_save(criterion=rate, unit=org.member_unit, target=None, user=org.staff)
    client.force_login(org.staff)

    response = client.get(reverse("table_targets_history", args=[org.campaign.pk, table.pk]))

    events = [
        (e["record"].history_type, e["record"].history_user, e["before"], e["after"])
        for e in response.context["events"]
    ]
    assert events == [
        ("-", org.staff, "85", ""),
        ("~", org.admin, "90", "85"),
        ("+", org.staff, "", "90"),
    ]


def test_targets_history_roles(client, org, table, foreign_staff):
    url = reverse("table_targets_history", args=[org.campaign.pk, table.pk])
    client.force_login(org.member)
    assert client.get(url).status_code == 403
    client.force_login(foreign_staff)
    assert client.get(url).status_code == 404


# --- The Excel round trip ------------------------------------------------------------------


def _template(client, org, table) -> bytes:
    response = client.get(reverse("table_targets_xlsx", args=[org.campaign.pk, table.pk]))
    assert response.status_code == 200
    return response.content


def _cell_of(ws, unit_code: str, code: str):
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == unit_code)
    col = next(c for c in range(5, ws.max_column + 1) if ws.cell(1, c).value == code)
    return ws.cell(row, col)


def _upload(client, org, table, workbook, name="chi-tieu.xlsx"):
    stream = io.BytesIO()
    workbook.save(stream)
    upload = SimpleUploadedFile(name, stream.getvalue())
    return client.post(
        reverse("table_targets_upload", args=[org.campaign.pk, table.pk]), {"file": upload}
    )


def test_targets_template_has_hidden_keys_and_current_values(client, org, table):
    unit_target_save(criterion=_crit(table, "I.2"), unit=org.member_unit, target=D("92.5"))
    client.force_login(org.staff)

    ws = load_workbook(io.BytesIO(_template(client, org, table))).active

    assert ws.cell(1, 1).value == f"thidua.targets/1|2023|{table.version}|{table.title}"
    assert [ws.cell(1, c).value for c in range(2, 7)] == [
        "#unit",
        "#name",
        "#cluster",
        "I.2",
        "I.3",
    ]
    assert [ws.cell(r, 1).value for r in range(3, 7)] == ["L1", "D1", "M1", "O1"]
    assert ws.column_dimensions["A"].hidden is True
    assert ws.row_dimensions[1].hidden is True
    assert _cell_of(ws, "M1", "I.2").value == 92.5
    assert _cell_of(ws, "L1", "I.3").value is None
    assert ws.cell(2, 5).value == "I.2. Tiêu chí I.2 (%) — default target: 100"


def test_targets_upload_previews_changes_by_cell_and_stores_nothing(client, org, table):
    client.force_login(org.staff)
    workbook = load_workbook(io.BytesIO(_template(client, org, table)))
    ws = workbook.active
    _cell_of(ws, "M1", "I.2").value = 95
    _cell_of(ws, "L1", "I.3").value = "87,5"

    response = _upload(client, org, table, workbook)

    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(c.unit_code, c.code, c.old, c.new, c.cell) for c in plan.changes] == [
        ("L1", "I.3", "—", "87.5", "'Targets'!F3"),
        ("M1", "I.2", "—", "95", "'Targets'!E5"),
    ]
    assert response.context["confirm_url"]
    assert _targets(table) == {}


def test_targets_upload_lists_errors_by_cell_and_offers_no_confirmation(client, org, table):
    client.force_login(org.staff)
    workbook = load_workbook(io.BytesIO(_template(client, org, table)))
    ws = workbook.active
    _cell_of(ws, "M1", "I.2").value = 150
    _cell_of(ws, "L1", "I.3").value = "nhiều"
    _cell_of(ws, "D1", "I.2").value = "=A1*2"
    _cell_of(ws, "O1", "I.3").value = 75
    ws.cell(20, 5).value = 10  # a row added below the template

    response = _upload(client, org, table, workbook)

    assert response.status_code == 422
    plan = response.context["plan"]
    sheet = ws.title
    assert [(e.cell, e.message) for e in plan.errors] == [
        (f"'{sheet}'!F3", "I.3 · Phòng Đắk Mil: the target must be a number, not “nhiều”."),
        (f"'{sheet}'!E4", "A formula is not accepted; type the value itself."),
        (
            f"'{sheet}'!E5",
            f"I.2 · {org.member_unit.label}: this criterion is measured as a percentage; the "
            "target must be at most 100.",
        ),
        (f"'{sheet}'!B20", "This row was added to the template; its values are not read."),
    ]
    assert response.context["confirm_url"] == ""
    assert _targets(table) == {}


def test_targets_upload_refuses_a_file_that_is_not_a_workbook(client, org, table):
    client.force_login(org.staff)
    upload = SimpleUploadedFile("chi-tieu.xlsx", b"not a workbook")

    response = client.post(
        reverse("table_targets_upload", args=[org.campaign.pk, table.pk]), {"file": upload}
    )

    assert response.status_code == 422
    assert [e.message for e in response.context["plan"].errors] == [
        "The file is not an Excel workbook (.xlsx)."
    ]


def test_targets_upload_confirm_stores_all_changes_and_records_the_file(client, org, table):
    client.force_login(org.staff)
    workbook = load_workbook(io.BytesIO(_template(client, org, table)))
    ws = workbook.active
    _cell_of(ws, "M1", "I.2").value = 95
    _cell_of(ws, "O1", "I.3").value = 70
    preview = _upload(client, org, table, workbook, name="giao-chi-tieu.xlsx")

    response = client.post(preview.context["confirm_url"])

    assert response.status_code == 302
    assert response["Location"] == _page_url(org, table)
    assert _targets(table) == {("I.2", "M1"): D(95), ("I.3", "O1"): D(70)}
    reasons = set(UnitTarget.history.values_list("history_change_reason", "history_user"))
    assert reasons == {("Imported from Excel: giao-chi-tieu.xlsx", org.staff.pk)}


def test_targets_upload_confirm_stores_nothing_when_a_target_changed_since(client, org, table):
    client.force_login(org.staff)
    workbook = load_workbook(io.BytesIO(_template(client, org, table)))
    ws = workbook.active
    _cell_of(ws, "M1", "I.2").value = 95
    _cell_of(ws, "O1", "I.3").value = 70
    preview = _upload(client, org, table, workbook)
    unit_target_save(criterion=_crit(table, "I.3"), unit=org.outsider_unit, target=D(60))

    response = client.post(preview.context["confirm_url"])

    assert response.status_code == 409
    assert response.context["stale"] is True
    assert _targets(table) == {("I.3", "O1"): D(60)}


def test_targets_upload_confirm_is_all_or_nothing_when_a_unit_gets_locked(client, org, table):
    client.force_login(org.staff)
    workbook = load_workbook(io.BytesIO(_template(client, org, table)))
    ws = workbook.active
    _cell_of(ws, "M1", "I.2").value = 95
    _cell_of(ws, "O1", "I.3").value = 70
    preview = _upload(client, org, table, workbook)
    sheet = services.sheet_get_or_create(
        cluster=org.other_cluster, unit=org.outsider_unit, stage=Stage.FINAL
    )
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.LOCKED)

    response = client.post(preview.context["confirm_url"])

    assert response.status_code == 422
    assert _targets(table) == {}


def test_targets_upload_roles(client, org, table, foreign_staff):
    url = reverse("table_targets_upload", args=[org.campaign.pk, table.pk])
    client.force_login(org.leader)
    assert client.get(url).status_code == 403
    client.force_login(foreign_staff)
    assert client.get(url).status_code == 404
    client.force_login(org.staff)
    assert client.get(url).status_code == 200


def test_read_upload_refuses_a_template_of_another_table_version(org, table):
    content = excel_targets.template_xlsx(table=table)
    new = services.table_new_version(table=table)

    plan, _data = excel_targets.read_upload(
        table=new, upload=SimpleUploadedFile("old.xlsx", content)
    )

    assert [e.message for e in plan.errors] == [
        "This template belongs to another score table or version; download it again."
    ]


# --- Query counts -----------------------------------------------------------------------------


def _grow(org, table, n: int) -> None:
    """``n`` more member units with targets, in a new cluster the table applies to."""
    cluster = ClusterFactory(campaign=org.campaign, number=10 + n, code=f"G{n}")
    table.clusters.add(cluster)
    for i in range(n):
        unit = UnitFactory(code=f"G{n}U{i}", parent=org.province)
        MembershipFactory(cluster=cluster, unit=unit, role=MemberRole.MEMBER)
        for code in ("I.2", "I.3"):
            unit_target_save(criterion=_crit(table, code), unit=unit, target=D(50 + i))


def test_targets_page_query_count_same_at_two_sizes(client, org, table, django_assert_num_queries):
    client.force_login(org.staff)
    url = _page_url(org, table)
    _grow(org, table, 2)
    client.get(url)
    with django_assert_num_queries(TARGETS_PAGE_QUERIES):
        small = client.get(url)
    _grow(org, table, 12)
    with django_assert_num_queries(TARGETS_PAGE_QUERIES):
        big = client.get(url)

    assert (small.context["units"], big.context["units"]) == (6, 18)


TARGETS_PAGE_QUERIES = 13
