"""Past titles by hand and from Excel (issue 15 point 5): the template, the preview (rows to
add, rows already recorded, errors by row number), the confirmation (all or nothing, read
again), units of another organiser and unknown title codes refused; the pages that add,
correct and delete a past title with its reason and history."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from awards import past_titles, services, titles
from awards.enums import PastTitleSource
from awards.models import PastTitle
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
HEADINGS = ["Mã đơn vị", "Tên đơn vị", "Năm", "Mã danh hiệu", "Nguồn", "Ghi chú"]


def xlsx(*rows, headings=True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if headings:
        sheet.append(HEADINGS)
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, org, content: bytes, name="danh-hieu.xlsx"):
    return client.post(
        reverse("awards_past_titles_import"),
        {"organiser": org.province.pk, "file": SimpleUploadedFile(name, content)},
    )


def confirm(client, org, response):
    return client.post(response.context["confirm_url"], {"organiser": org.province.pk})


@pytest.fixture
def staff_client(org, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(org.staff)
    return client


@pytest.fixture
def recorded(org):
    """D1 held Tiên tiến in 2020 (recorded by hand)."""
    return titles.past_title_record(
        organiser=org.province,
        unit=org.deputy_unit,
        year=2020,
        code="advanced",
        name="Đơn vị Tiên tiến",
    )


# --- The template ----------------------------------------------------------------------------


def test_template_lists_headings_title_codes_and_units(org, staff_client):
    response = staff_client.get(
        reverse("awards_past_titles_template"), {"organiser": org.province.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="past-titles-CAT.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert [ws.title for ws in workbook.worksheets] == ["Past titles", "Title codes", "Units"]
    first = [[c.value for c in row] for row in workbook.worksheets[0].iter_rows()]
    assert first == [
        [
            "Unit code",
            "Unit name (for reading only)",
            "Year",
            "Title code",
            "Source or decision number",
            "Note",
        ]
    ]
    codes = [[c.value for c in row] for row in workbook.worksheets[1].iter_rows()]
    assert codes[0] == ["Title code", "Title"]
    assert ["ministry_flag", "Cờ thi đua của Bộ Công an"] in codes
    assert ["determined_to_win", "Đơn vị Quyết thắng"] in codes
    units = [row[0].value for row in workbook.worksheets[2].iter_rows(min_row=2)]
    assert units == ["CAT", "D1", "L1", "M1", "O1", "PX01"]


# --- The preview -----------------------------------------------------------------------------


def test_preview_rows_to_add_and_rows_already_recorded(org, recorded, staff_client):
    content = xlsx(
        ["M1", "tên bất kỳ", 2021, "determined_to_win", "QĐ 5/QĐ-CAT", "lưu trữ"],
        [],
        ["D1", "", 2020, "advanced", "", ""],
        ["L1", "", "2019", "ministry_flag", "", ""],
    )
    response = upload(staff_client, org, content)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.errors == []
    assert [
        (r.row, r.unit.code, r.year, r.code, r.name, r.reference, r.note) for r in plan.add
    ] == [
        (2, "M1", 2021, "determined_to_win", "Đơn vị Quyết thắng", "QĐ 5/QĐ-CAT", "lưu trữ"),
        (5, "L1", 2019, "ministry_flag", "Cờ thi đua của Bộ Công an", "", ""),
    ]
    assert [(r.row, r.unit.code) for r in plan.present] == [(4, "D1")]
    assert response.context["confirm_url"]
    assert PastTitle.objects.count() == 1  # nothing stored by the preview


def test_preview_errors_by_row_with_clear_messages(org, staff_client):
    other = UnitFactory(code="CAK", kind="province")
    UnitFactory(code="K9", name="Phòng khác", parent=other)
    content = xlsx(
        ["", "", 2021, "advanced", "", ""],
        ["ZZ9", "", 2021, "advanced", "", ""],
        ["K9", "", 2021, "advanced", "", ""],
        ["M1", "", 1800, "advanced", "", ""],
        ["M1", "", "hai nghìn", "advanced", "", ""],
        ["M1", "", 2021.5, "advanced", "", ""],
        ["M1", "", 2021, "co-gi-do", "", ""],
        ["M1", "", 2021, "", "", ""],
        ["M1", "", 2021, "advanced", "", ""],
        ["M1", "", 2021, "advanced", "bản sao", ""],
        ["M1", "", "=2000+21", "advanced", "", ""],
        ["M1", "", 2022, "advanced", "x" * 256, ""],
    )
    response = upload(staff_client, org, content)
    assert response.status_code == 422
    plan = response.context["plan"]
    assert [(e.row, e.message) for e in plan.errors] == [
        (2, "The unit code is empty."),
        (3, "No unit has the code “ZZ9”."),
        (4, "The unit “K9” belongs to another organiser, not to Công an tỉnh Thử."),
        (5, "The year “1800” is not a year from 1945 to 2100."),
        (6, "The year “hai nghìn” is not a year from 1945 to 2100."),
        (7, "The year “2021.5” is not a year from 1945 to 2100."),
        (8, "The title code “co-gi-do” is not known; use a code of the sheet “Title codes”."),
        (9, "The title code is empty."),
        (12, "“Year” holds a formula or a date; type the value itself."),
        (13, "The source is longer than 255 characters."),
        (11, "The same unit, year and title as row 10."),
    ]
    assert response.context["confirm_url"] == ""
    html = response.content.decode()
    assert 'data-row="4"' in html


def test_preview_of_a_file_that_is_not_a_workbook_or_empty(org, staff_client):
    response = upload(staff_client, org, b"not a workbook", name="x.xlsx")
    assert response.status_code == 422
    assert [e.message for e in response.context["plan"].errors] == [
        "The file is not an Excel workbook (.xlsx)."
    ]
    response = upload(staff_client, org, xlsx())
    assert [e.message for e in response.context["plan"].errors] == [
        "The file holds no past title: fill the rows below the headings."
    ]
    response = staff_client.post(
        reverse("awards_past_titles_import"), {"organiser": org.province.pk}
    )
    assert response.status_code == 422


def test_the_title_codes_of_the_organisers_campaigns_are_known(org, staff_client):
    services.award_type_upsert(campaign=org.campaign, code="co-cum", name="Cờ của cụm")
    response = upload(staff_client, org, xlsx(["M1", "", 2021, "co-cum", "", ""]))
    assert [(r.code, r.name) for r in response.context["plan"].add] == [("co-cum", "Cờ của cụm")]


# --- The confirmation ------------------------------------------------------------------------


def test_confirm_stores_every_row_as_imported_with_history(org, recorded, staff_client):
    content = xlsx(
        ["M1", "", 2021, "determined_to_win", "QĐ 5/QĐ-CAT", "lưu trữ"],
        ["D1", "", 2020, "advanced", "", ""],
        ["L1", "", 2019, "ministry_flag", "", ""],
    )
    response = confirm(staff_client, org, upload(staff_client, org, content))
    assert response.status_code == 302
    stored = [
        (p.unit.code, p.year, p.code, p.source, p.reference, p.note, p.organiser.code)
        for p in PastTitle.objects.order_by("year", "unit__code")
    ]
    assert stored == [
        ("L1", 2019, "ministry_flag", PastTitleSource.IMPORTED, "", "", "CAT"),
        ("D1", 2020, "advanced", PastTitleSource.ENTERED, "", "", "CAT"),  # left as it was
        (
            "M1",
            2021,
            "determined_to_win",
            PastTitleSource.IMPORTED,
            "QĐ 5/QĐ-CAT",
            "lưu trữ",
            "CAT",
        ),
    ]
    row = PastTitle.objects.get(unit=org.member_unit).history.get()
    assert (row.history_user, row.history_change_reason) == (
        org.staff,
        "Imported from Excel: danh-hieu.xlsx",
    )


def test_confirm_reads_the_file_again_and_answers_409_when_it_changed(org, staff_client):
    response = upload(staff_client, org, xlsx(["M1", "", 2021, "advanced", "", ""]))
    titles.past_title_record(
        organiser=org.province, unit=org.member_unit, year=2021, code="advanced", name="X"
    )
    again = confirm(staff_client, org, response)
    # The only row is now recorded: nothing left to add, the file's plan changed.
    assert again.status_code == 409
    assert again.context["stale"] is True
    assert PastTitle.objects.count() == 1


def test_confirm_all_or_nothing(org):
    rows = [
        past_titles.PastTitleRow(org.member_unit, 2021, "advanced", "Đơn vị Tiên tiến"),
        past_titles.PastTitleRow(org.leader_unit, 2021, "advanced", "Đơn vị Tiên tiến"),
    ]
    titles.past_title_record(
        organiser=org.province, unit=org.leader_unit, year=2021, code="advanced", name="X"
    )
    with pytest.raises(ValidationError):
        past_titles.past_titles_import(organiser=org.province, rows=rows)
    assert PastTitle.objects.filter(unit=org.member_unit).exists() is False


def test_confirm_with_an_unknown_token_or_another_organiser(org, staff_client):
    url = reverse("awards_past_titles_import_confirm", args=["bogus"])
    assert staff_client.post(url, {"organiser": org.province.pk}).status_code == 404
    other = UnitFactory(code="CAX", kind="province")
    assert staff_client.post(url, {"organiser": other.pk}).status_code == 404


def test_import_pages_refused_to_officers(org, client):
    client.force_login(org.member)
    assert client.get(reverse("awards_past_titles_import")).status_code == 403
    assert upload(client, org, xlsx(["M1", "", 2021, "advanced", "", ""])).status_code == 403
    assert client.get(reverse("awards_past_titles_template")).status_code == 403


# --- By hand ---------------------------------------------------------------------------------


def _form(org, unit, year=2019, code="advanced", **extra):
    data = {
        "organiser": org.province.pk,
        "unit": unit.pk,
        "year": year,
        "code": code,
        "reference": "QĐ 1/QĐ-CAT",
        "note": "",
        "reason": "Hồ sơ lưu trữ",
    }
    data.update(extra)
    return data


def test_add_by_hand_with_its_reason(org, staff_client):
    response = staff_client.post(reverse("awards_past_title_add"), _form(org, org.member_unit))
    assert response.status_code == 302
    past = PastTitle.objects.get()
    assert (past.unit, past.year, past.code, past.name, past.source, past.reference) == (
        org.member_unit,
        2019,
        "advanced",
        "Đơn vị Tiên tiến",
        PastTitleSource.ENTERED,
        "QĐ 1/QĐ-CAT",
    )
    assert past.history.get().history_change_reason == "Hồ sơ lưu trữ"


def test_add_refuses_a_record_that_exists_a_missing_reason_and_another_organisers_unit(
    org, recorded, staff_client
):
    url = reverse("awards_past_title_add")
    response = staff_client.post(url, _form(org, org.deputy_unit, year=2020))
    assert response.status_code == 400
    assert "already holds this title for 2020" in response.content.decode()
    assert staff_client.post(url, _form(org, org.member_unit, reason="")).status_code == 400
    stranger = UnitFactory(code="K9", parent=UnitFactory(code="CAK", kind="province"))
    assert staff_client.post(url, _form(org, stranger)).status_code == 400
    assert PastTitle.objects.count() == 1


def test_correct_moves_the_record_and_keeps_its_history(org, recorded, staff_client):
    url = reverse("awards_past_title_edit", args=[recorded.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url, _form(org, org.deputy_unit, year=2018, code="determined_to_win", reason="Sai năm")
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert (recorded.year, recorded.code, recorded.name, recorded.reference) == (
        2018,
        "determined_to_win",
        "Đơn vị Quyết thắng",
        "QĐ 1/QĐ-CAT",
    )
    reasons = list(
        recorded.history.order_by("history_date", "pk").values_list("history_change_reason", "year")
    )
    assert reasons == [(None, 2020), ("Sai năm", 2018)]
    page = staff_client.get(url).content.decode()
    assert "Sai năm" in page


def test_delete_needs_a_reason_and_keeps_it(org, recorded, staff_client):
    url = reverse("awards_past_title_delete", args=[recorded.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == 302
    assert PastTitle.objects.filter(pk=recorded.pk).exists()
    assert staff_client.post(url, {"reason": "Nhập nhầm"}).status_code == 302
    assert not PastTitle.objects.filter(pk=recorded.pk).exists()
    last = PastTitle.history.filter(id=recorded.pk).order_by("-history_date", "-pk").first()
    assert (last.history_type, last.history_change_reason, last.history_user) == (
        "-",
        "Nhập nhầm",
        org.staff,
    )
    assert staff_client.get(url).status_code == 405


def test_a_title_written_by_a_decision_changes_only_with_the_decision(org, staff_client):
    past = titles.past_title_record(
        organiser=org.province,
        unit=org.member_unit,
        year=2022,
        code="advanced",
        name="Đơn vị Tiên tiến",
        source=PastTitleSource.DECISION,
    )
    with pytest.raises(ValidationError):
        past_titles.past_title_delete(past=past, reason="x")
    page = staff_client.get(reverse("awards_past_title_edit", args=[past.pk]))
    assert page.context["editable"] is False
    response = staff_client.post(
        reverse("awards_past_title_edit", args=[past.pk]), _form(org, org.member_unit)
    )
    assert response.status_code == 400
    assert PastTitle.objects.get(pk=past.pk).year == 2022


def test_past_title_pages_scope(org, recorded, client):
    edit = reverse("awards_past_title_edit", args=[recorded.pk])
    client.force_login(org.member)
    assert client.get(reverse("awards_past_titles")).status_code == 403
    assert client.get(edit).status_code == 403
    # Whether a record exists is not told to someone who keeps no titles.
    missing = reverse("awards_past_title_edit", args=[recorded.pk + 1000])
    assert client.get(missing).status_code == 403
    ministry_staff_unit = UnitFactory(code="V03", parent=UnitFactory(code="BCA", kind="ministry"))
    staff_b = type(org.staff).objects.create_user("staff-b", unit=ministry_staff_unit)
    staff_b.groups.add(*org.staff.groups.all())
    client.force_login(staff_b)
    assert client.get(edit).status_code == 404
    response = client.get(reverse("awards_past_titles"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    client.force_login(org.staff)
    response = client.get(reverse("awards_past_titles"), {"year": 2020})
    assert [p.pk for p in response.context["page"].object_list] == [recorded.pk]
    # Their department (PX01) is on the way up to the province but keeps no titles.
    assert response.context["organisers"] == [org.province]
    assert response.context["organiser"] == org.province
