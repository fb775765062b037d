"""The score sheet and the year-end minutes as Word files and print pages
(scoring/views/documents.py, scoring/documents.py)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from scoring import services, workflow
from scoring.enums import Stage
from scoring.models import ReviewMeeting
from scoring.services.meetings import meeting_record
from tests.factories import MembershipFactory, PledgeFactory, SignatureFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = Decimal
NOTE = "(Ký, ghi rõ họ tên, đóng dấu)"


def set_phase(org, phase):
    org.campaign.phase = phase
    org.campaign.save()


def fill(sheet, i1, *, bonus=0, deduction="0"):
    """Every leaf entered: I.1 = i1, I.2 and I.3 at 10/10, ``bonus`` items, a deduction."""
    values = {
        "I.1": {"points": D(i1)},
        "I.2": {"numerator": 10, "denominator": 10},
        "I.3": {"numerator": 10, "denominator": 10},
        "B": {"count": bonus},
        "T": {"points": D(deduction)},
        "V": {"violated": False},
    }
    for code, data in values.items():
        services.entry_update(entry=sheet.entries.get(criterion__code=code), values=data)
    sheet.refresh_from_db()
    return sheet


def docx_lines(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return lines


def table_rows(content: bytes, index: int) -> list[list[str]]:
    """The rows of the document's ``index``-th bordered table (0: the first after the header)."""
    document = docx.Document(io.BytesIO(content))
    grids = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    return [[c.text for c in row.cells] for row in grids[index].rows]


def signature_blocks(content: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(content))
    blocks = []
    for table in document.tables[1:]:
        if table.style is not None and table.style.name == "Table Grid":
            continue
        titles, names = table.rows
        for title, name in zip(titles.cells, names.cells, strict=True):
            lines = [p.text for p in [*title.paragraphs, *name.paragraphs] if p.text.strip()]
            if lines:
                blocks.append(lines)
    return blocks


@pytest.fixture
def heads(org):
    """The pledge's signatories: who heads the leader, deputy and member units."""
    pledge = PledgeFactory(cluster=org.cluster)
    names = {}
    for unit, name in [
        (org.leader_unit, "Đại tá Trần Văn An"),
        (org.deputy_unit, "Thượng tá Lê Văn Bình"),
        (org.member_unit, "Trung tá Phạm Văn Cường"),
    ]:
        SignatureFactory(pledge=pledge, unit=unit, signatory=name, position="Trưởng đơn vị")
        names[unit.code] = name
    return names


@pytest.fixture
def scored(org, table, sheets):
    """The member unit's cluster-stage sheet, complete: 18,5 + 20 + 20, bonus 2, minus 1,5."""
    set_phase(org, Phase.CLUSTER_SCORING)
    return fill(sheets["M1"], "18.5", bonus=2, deduction="1.5")


def sheet_url(name, sheet):
    return reverse(name, args=[sheet.pk])


# --- The score sheet ----------------------------------------------------------------------


def test_sheet_docx_has_header_title_unit_and_stage(client, org, scored, heads):
    client.force_login(org.leader)

    response = client.get(sheet_url("sheet_docx", scored))

    assert response["Content-Disposition"] == (
        'attachment; filename="phieu-cham-diem-m1-cluster-2023.docx"'
    )
    lines = docx_lines(response.content)
    for text in [
        "CÔNG AN TỈNH THỬ",
        "CỤM THI ĐUA SỐ 1",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thử, ngày ….. tháng ….. năm 2023",
        "PHIẾU CHẤM ĐIỂM THI ĐUA",
        f"Đơn vị: {org.member_unit.name}",
        "Cụm thi đua: Cụm thi đua số 1",
        "Giai đoạn: Cụm thi đua chấm điểm",
    ]:
        assert text in lines


def test_sheet_docx_lists_every_criterion_with_points_and_total(client, org, scored):
    client.force_login(org.leader)

    rows = table_rows(client.get(sheet_url("sheet_docx", scored)).content, 0)

    assert rows == [
        ["Mã", "Nội dung tiêu chí", "Điểm chuẩn", "Điểm đạt"],
        ["I", "Tiêu chí I", "60", "58,5"],
        ["I.1", "Tiêu chí I.1", "20", "18,5"],
        ["I.2", "Tiêu chí I.2", "20", "20"],
        ["I.3", "Tiêu chí I.3", "20", "20"],
        ["B", "Tiêu chí B", "+5", "2"],
        ["T", "Tiêu chí T", "−10", "−1,5"],
        ["V", "Tiêu chí V", "−5", "0"],
        ["", "Điểm cơ bản", "60", "58,5"],
        ["", "Điểm thưởng", "", "+2"],
        ["", "Điểm trừ", "", "−1,5"],
        ["", "TỔNG ĐIỂM", "", "59"],
        ["", "Xếp loại", "", "Xuất sắc"],
    ]


def test_sheet_docx_signed_by_the_unit_head_and_the_cluster_leader(client, org, scored, heads):
    client.force_login(org.leader)

    blocks = signature_blocks(client.get(sheet_url("sheet_docx", scored)).content)

    assert blocks == [
        [org.member_unit.name.upper(), "TRƯỞNG ĐƠN VỊ", NOTE, heads["M1"]],
        ["ĐẠI DIỆN CỤM TRƯỞNG", "PHÒNG ĐẮK MIL", NOTE, heads["L1"]],
    ]


def test_sheet_docx_of_the_leader_unit_is_signed_by_the_deputy(client, org, table, sheets, heads):
    set_phase(org, Phase.CLUSTER_SCORING)
    client.force_login(org.deputy)

    blocks = signature_blocks(client.get(sheet_url("sheet_docx", sheets["L1"])).content)

    assert blocks[1] == [
        "ĐẠI DIỆN CỤM PHÓ",
        org.deputy_unit.name.upper(),
        NOTE,
        heads["D1"],
    ]


def test_sheet_docx_of_a_self_assessment_is_issued_by_the_unit(client, org, table):
    set_phase(org, Phase.SELF_ASSESSMENT)
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    client.force_login(org.member)

    response = client.get(sheet_url("sheet_docx", sheet))

    lines = docx_lines(response.content)
    assert org.member_unit.name.upper() in lines
    assert "Giai đoạn: Đơn vị tự chấm điểm" in lines
    assert signature_blocks(response.content)[0] == ["NGƯỜI LẬP PHIẾU", "(Ký, ghi rõ họ tên)"]


def test_sheet_docx_reads_a_fixed_number_of_queries(client, org, scored):
    client.force_login(org.admin)
    with CaptureQueriesContext(connection) as small:
        client.get(sheet_url("sheet_docx", scored))
    table = scored.table
    group = table.criteria.get(code="I")
    for i in range(5):
        table.criteria.create(
            parent=group, code=f"I.{4 + i}", order=4 + i, title="Thêm", kind="manual"
        )
    services.table_renumber(table=table)

    with CaptureQueriesContext(connection) as large:
        response = client.get(sheet_url("sheet_docx", scored))

    assert len(table_rows(response.content, 0)) == 18
    assert len(large) == len(small)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 404),  # the cluster's scores of its own unit show from explanations on
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("name", ["sheet_docx", "sheet_print"])
def test_sheet_documents_follow_who_may_see_the_sheet(client, org, scored, role, status, name):
    client.force_login(getattr(org, role))

    response = client.get(sheet_url(name, scored))

    assert response.status_code == status


def test_sheet_documents_open_to_the_unit_once_explanations_open(client, org, scored):
    set_phase(org, Phase.EXPLANATION)
    client.force_login(org.member)

    assert client.get(sheet_url("sheet_docx", scored)).status_code == 200


@pytest.mark.parametrize("name", ["sheet_docx", "sheet_print"])
def test_sheet_documents_refuse_post(client, org, scored, name):
    client.force_login(org.admin)

    assert client.post(sheet_url(name, scored)).status_code == 405


def test_sheet_print_page_says_what_the_word_file_says(client, org, scored, heads):
    client.force_login(org.leader)

    html = client.get(sheet_url("sheet_print", scored)).content.decode()

    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "PHIẾU CHẤM ĐIỂM THI ĐUA",
        "Tiêu chí I.1",
        "18,5",
        "58,5",
        "−1,5",
        "TỔNG ĐIỂM",
        "Xuất sắc",
        heads["M1"],
        heads["L1"],
        sheet_url("sheet_docx", scored),
    ]:
        assert text in html
    assert "style=" not in html


# --- The minutes --------------------------------------------------------------------------


@pytest.fixture
def published(org, table, sheets, heads):
    """Final results published: L1 59 (19 + 40), M1 54 (15 + 40 − 1), D1 44 (4 + 40)."""
    set_phase(org, Phase.CLUSTER_SCORING)
    fill(sheets["L1"], "19")
    fill(sheets["D1"], "4")
    fill(sheets["M1"], "15", deduction="1")
    set_phase(org, Phase.FINAL_REVIEW)
    workflow.stage_start(cluster=org.cluster, stage=Stage.FINAL, user=org.admin)
    return workflow.cluster_publish(cluster=org.cluster, user=org.admin)


def minutes_url(name, org, cluster=None):
    return reverse(name, args=[(cluster or org.cluster).pk])


def test_minutes_docx_ranks_the_units_with_their_totals(client, org, published):
    client.force_login(org.member)

    response = client.get(minutes_url("minutes_docx", org))

    assert response["Content-Disposition"] == 'attachment; filename="bien-ban-cum-1-2023.docx"'
    assert table_rows(response.content, 0) == [
        ["Hạng", "Đơn vị", "Tổng điểm", "Xếp loại", "Ghi chú"],
        ["1", "Phòng Đắk Mil", "59", "Xuất sắc", "Dẫn đầu"],
        ["2", org.member_unit.name, "54", "Xuất sắc", ""],
        ["3", org.deputy_unit.name, "44", "Khá", ""],
    ]


def test_minutes_docx_names_the_leading_unit_date_and_signatories(client, org, published, heads):
    meeting_record(cluster=org.cluster, period=None, held_on=dt.date(2023, 12, 5))
    client.force_login(org.leader)

    response = client.get(minutes_url("minutes_docx", org))

    lines = docx_lines(response.content)
    assert "Thử, ngày 05 tháng 12 năm 2023" in lines
    assert "BIÊN BẢN" in lines
    assert "Họp Cụm thi đua số 1 bình xét, xếp hạng thi đua năm 2023" in lines
    assert "Đơn vị dẫn đầu Cụm thi đua số 1 năm 2023: Phòng Đắk Mil." in lines
    assert f"+ {org.member_unit.name};" in lines
    assert any("tặng Cờ thi đua cho Phòng Đắk Mil" in line for line in lines)
    assert signature_blocks(response.content) == [
        ["THƯ KÝ", org.deputy_unit.name.upper(), NOTE, heads["D1"]],
        ["CHỦ TRÌ", "PHÒNG ĐẮK MIL", NOTE, heads["L1"]],
    ]


def test_minutes_docx_before_publication_is_the_cluster_stage_draft(client, org, scored):
    client.force_login(org.leader)

    response = client.get(minutes_url("minutes_docx", org))

    lines = docx_lines(response.content)
    assert any("Căn cứ kết quả chấm điểm của Cụm thi đua số 1" in line for line in lines)
    assert "Thử, ngày ….. tháng ….. năm 2023" in lines


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 403),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("name", ["minutes_docx", "minutes_print"])
def test_minutes_before_publication_for_managers_and_leaders(
    client, org, scored, role, status, name
):
    set_phase(org, Phase.EXPLANATION)
    client.force_login(getattr(org, role))

    response = client.get(minutes_url(name, org))

    assert response.status_code == status


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "deputy", "member"])
def test_minutes_once_published_open_to_every_member(client, org, published, role):
    client.force_login(getattr(org, role))

    assert client.get(minutes_url("minutes_print", org)).status_code == 200


@pytest.mark.parametrize("name", ["minutes_docx", "minutes_print"])
def test_minutes_refuse_post(client, org, published, name):
    client.force_login(org.admin)

    assert client.post(minutes_url(name, org)).status_code == 405


def test_minutes_reads_a_fixed_number_of_queries(client, org, table, published):
    client.force_login(org.admin)
    with CaptureQueriesContext(connection) as small:
        client.get(minutes_url("minutes_docx", org))
    for i in range(4):
        unit = UnitFactory(code=f"X{i}", parent=org.province)
        MembershipFactory(cluster=org.cluster, unit=unit, role=MemberRole.MEMBER)
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.FINAL)

    with CaptureQueriesContext(connection) as large:
        response = client.get(minutes_url("minutes_docx", org))

    assert len(table_rows(response.content, 0)) == 8
    assert len(large) == len(small)


def test_minutes_print_page_says_what_the_word_file_says(client, org, published, heads):
    client.force_login(org.member)

    html = client.get(minutes_url("minutes_print", org)).content.decode()

    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BIÊN BẢN",
        "Đơn vị dẫn đầu Cụm thi đua số 1 năm 2023: Phòng Đắk Mil.",
        "Dẫn đầu",
        heads["L1"],
        heads["D1"],
        minutes_url("minutes_docx", org),
    ]:
        assert text in html
    ranking = html[html.index("Tổng điểm") :]
    order = [ranking.index(u.name) for u in (org.leader_unit, org.member_unit, org.deputy_unit)]
    assert order == sorted(order)
    assert "style=" not in html


# --- The meeting the minutes record ---------------------------------------------------------


def test_minutes_without_a_meeting_are_dated_in_blanks_not_the_day_published(
    client, org, published
):
    client.force_login(org.leader)

    lines = docx_lines(client.get(minutes_url("minutes_docx", org)).content)

    assert "Thử, ngày ….. tháng ….. năm 2023" in lines
    assert any(
        line.startswith("Hôm nay, ngày ….. tháng ….. năm 2023, tại trụ sở Phòng Đắk Mil")
        for line in lines
    )


def test_minutes_meeting_recorded_by_the_leader_dates_the_minutes(client, org, published):
    client.force_login(org.leader)

    response = client.post(
        minutes_url("minutes_meeting", org),
        {"held_on": "2024-01-08", "place": "Hội trường Công an tỉnh"},
    )

    assert response.status_code == 302
    assert response["Location"] == minutes_url("minutes_print", org)
    lines = docx_lines(client.get(minutes_url("minutes_docx", org)).content)
    assert "Thử, ngày 08 tháng 01 năm 2024" in lines
    assert (
        "Hôm nay, ngày 08 tháng 01 năm 2024, tại Hội trường Công an tỉnh, Cụm thi đua số 1 tổ "
        "chức họp tổng kết, bình xét thi đua phong trào “Vì an ninh Tổ quốc” năm 2023."
    ) in lines


def test_minutes_meeting_a_second_time_corrects_the_first(client, org, published):
    meeting_record(cluster=org.cluster, period=None, held_on=dt.date(2023, 12, 5), place="A")
    client.force_login(org.staff)

    client.post(minutes_url("minutes_meeting", org), {"held_on": "2023-12-06", "place": ""})

    assert list(ReviewMeeting.objects.values_list("held_on", "place")) == [
        (dt.date(2023, 12, 6), "")
    ]


def test_minutes_meeting_outside_the_year_is_refused_and_nothing_stored(client, org, published):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages are asserted in English
    client.force_login(org.leader)

    response = client.post(minutes_url("minutes_meeting", org), {"held_on": "2021-12-20"})

    assert response.status_code == 400
    assert "The meeting of a 2023 review is held in 2023 or 2024." in response.content.decode()
    assert ReviewMeeting.objects.count() == 0


def test_minutes_meeting_without_a_day_is_refused(client, org, published):
    client.force_login(org.leader)

    response = client.post(minutes_url("minutes_meeting", org), {"held_on": ""})

    assert response.status_code == 400
    assert ReviewMeeting.objects.count() == 0


def test_minutes_meeting_form_shown_to_heads_not_to_members(client, org, published):
    client.force_login(org.leader)
    leader_page = client.get(minutes_url("minutes_print", org)).content.decode()
    client.force_login(org.member)
    member_page = client.get(minutes_url("minutes_print", org)).content.decode()

    assert 'name="held_on"' in leader_page
    assert 'name="held_on"' not in member_page


def test_minutes_meeting_refused_to_a_member_who_reads_the_minutes(client, org, published):
    client.force_login(org.member)

    response = client.post(minutes_url("minutes_meeting", org), {"held_on": "2023-12-20"})

    assert response.status_code == 403
    assert ReviewMeeting.objects.count() == 0


def test_minutes_meeting_refuses_get(client, org, published):
    client.force_login(org.leader)

    assert client.get(minutes_url("minutes_meeting", org)).status_code == 405


def test_minutes_print_page_has_the_recipients_of_the_word_file(client, org, published):
    client.force_login(org.leader)

    html = client.get(minutes_url("minutes_print", org)).content.decode()

    assert '<p class="doc-recipients-heading">Nơi nhận:</p>' in html
    assert (
        "<p>- Thường trực Hội đồng Thi đua - Khen thưởng Công an tỉnh Thử;</p>"
        "<p>- Các đơn vị thành viên Cụm thi đua số 1;</p><p>- Lưu: VT, Cụm trưởng.</p>"
    ) in html
