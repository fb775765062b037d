"""Reading the office's own score table from .xlsx and .docx: one test per rule of
docs/formats.md ("Score tables from Excel and Word") and per refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from scoring.interchange import ScoringFileError
from scoring.interchange.office import office_document, office_read
from scoring.interchange.office.words import parse_numbering
from tests.scoring.office_files import MOTTO, TITLE, docx, xlsx

D = Decimal


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever catalogue is installed."""
    with translation.override("en"):
        yield


def flat(criteria, depth=0) -> list[tuple]:
    """(depth, code, kind, max, per_item) of every criterion in reading order."""
    rows = []
    for c in criteria:
        rows.append((depth, c.code, c.kind, c.max_points, c.per_item))
        rows += flat(c.children, depth + 1)
    return rows


def refusal(content: bytes, name: str = "bang.xlsx") -> list[str]:
    with pytest.raises(ScoringFileError) as caught:
        office_read(content, name=name)
    return caught.value.errors


SIMPLE = [
    ("I", "Công tác xây dựng lực lượng", 20, ""),
    ("1", "Tham mưu", 12, ""),
    ("2", "Tổ chức thực hiện", 8, ""),
]


# --- the header row --------------------------------------------------------------------


def test_header_found_after_motto_title_and_merged_lines():
    content = xlsx(SIMPLE, above=[*MOTTO, "", TITLE, "(Kèm theo Quy chế)"], merge_above=True)

    table = office_read(content, name="bang.xlsx")

    assert flat(table.criteria) == [
        (0, "I", "group", D(20), None),
        (1, "I.1", "manual", D(12), None),
        (1, "I.2", "manual", D(8), None),
    ]
    assert table.places == {"I": "row 7", "I.1": "row 8", "I.2": "row 9"}
    assert table.notes == []
    assert table.problems == []


def test_header_words_are_read_without_accents_or_case():
    header = ("số tt", "TIÊU CHÍ THI ĐUA", "ĐIỂM TỐI ĐA", "HƯỚNG DẪN CHẤM")
    rows = [("1", "Tham mưu", "10", "Đủ: 10 điểm")]

    table = office_read(xlsx(rows, header=header), name="bang.xlsx")

    assert flat(table.criteria) == [(0, "1", "manual", D(10), None)]
    assert table.criteria[0].guidance == "Đủ: 10 điểm"


def test_header_points_column_is_the_maximum_not_the_self_score():
    header = ("STT", "Nội dung", "Điểm tự chấm", "Điểm chuẩn")
    rows = [("1", "Tham mưu", "7", "10")]

    table = office_read(xlsx(rows, header=header), name="bang.xlsx")

    assert flat(table.criteria) == [(0, "1", "manual", D(10), None)]


def test_header_on_two_rows_and_column_numbers_row():
    header = ("TT", "Nội dung", "Điểm", "", "Cách chấm")
    rows = [
        ("", "", "Tự chấm", "Chuẩn", ""),
        ("(1)", "(2)", "(3)", "(4)", "(5)"),
        ("1", "Tham mưu", "", "10", ""),
    ]

    table = office_read(xlsx(rows, header=header), name="bang.xlsx")

    assert flat(table.criteria) == [(0, "1", "manual", D(10), None)]
    assert table.notes == []


def test_docx_reads_the_table_that_has_the_header():
    table = office_read(docx(SIMPLE), name="quy-che.docx")

    assert table.kind == "docx"
    assert table.place == "table 2"
    assert table.title == TITLE
    assert flat(table.criteria) == [
        (0, "I", "group", D(20), None),
        (1, "I.1", "manual", D(12), None),
        (1, "I.2", "manual", D(8), None),
    ]
    assert table.places["I.2"] == "table 2, row 4"


def test_docx_merged_cell_gives_its_text_once():
    content = docx([("1", "Tham mưu", "10", "")])
    # Merge the points and guidance cells of the criterion's row: one cell, one text.
    import io

    from docx import Document

    document = Document(io.BytesIO(content))
    row = document.tables[1].rows[1]
    row.cells[2].merge(row.cells[3])
    buffer = io.BytesIO()
    document.save(buffer)

    table = office_read(buffer.getvalue(), name="quy-che.docx")

    assert flat(table.criteria) == [(0, "1", "manual", D(10), None)]
    assert table.criteria[0].guidance == ""


def test_docx_cell_merged_down_rows_gives_its_text_in_its_first_row():
    import io

    from docx import Document

    from scoring.interchange.office.files import docx_grids

    document = Document(io.BytesIO(docx([("1", "a", "10", ""), ("2", "b", "", "")])))
    table = document.tables[1]
    table.cell(1, 2).merge(table.cell(2, 2))  # the points of row 1 merged down into row 2
    buffer = io.BytesIO()
    document.save(buffer)

    rows = docx_grids(buffer.getvalue())[1].rows

    assert [row.texts for row in rows[1:]] == [["1", "a", "10", ""], ["2", "b", "", ""]]


# --- numbering, groups and codes --------------------------------------------------------


def test_numbering_sections_areas_criteria_and_sub_items_make_codes():
    rows = [
        ("A", "PHẦN ĐIỂM CHUẨN", 30, ""),
        ("I", "Xây dựng lực lượng", 30, ""),
        ("1", "Tổ chức bộ máy", 10, ""),
        ("a)", "Kiện toàn", 6, ""),
        ("b)", "Bổ sung", 4, ""),
        ("2", "Điều tra", 20, ""),
        ("2.1", "Khám phá án", 12, ""),
        ("2.2", "Tin báo", 8, ""),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria) == [
        (0, "I", "group", D(30), None),
        (1, "I.1", "group", D(10), None),
        (2, "I.1.a", "manual", D(6), None),
        (2, "I.1.b", "manual", D(4), None),
        (1, "I.2", "group", D(20), None),
        (2, "I.2.1", "manual", D(12), None),
        (2, "I.2.2", "manual", D(8), None),
    ]
    assert table.problems == []


def test_numbering_written_in_the_content_cell():
    rows = [("", "I. Xây dựng lực lượng", 10, ""), ("", "1. Tham mưu", 10, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria) == [
        (0, "I", "group", D(10), None),
        (1, "I.1", "manual", D(10), None),
    ]
    assert table.criteria[0].title == "Xây dựng lực lượng"


def test_numbering_criteria_directly_under_a_section_take_its_letter():
    rows = [("A", "PHẦN ĐIỂM CHUẨN", 10, ""), ("1", "Tham mưu", 6, ""), ("2", "Báo cáo", 4, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria) == [
        (0, "A.1", "manual", D(6), None),
        (0, "A.2", "manual", D(4), None),
    ]


def test_numbering_styles():
    assert [
        (n.style, n.label)
        for n in (
            parse_numbering("II.", None),
            parse_numbering("B", None),
            parse_numbering("3)", None),
            parse_numbering("(4)", None),
            parse_numbering("1.2.", None),
            parse_numbering("c)", None),
            parse_numbering("-", None),
            parse_numbering("Phần II", None),
        )
    ] == [
        ("roman", "II"),
        ("section", "B"),
        ("arabic", "3"),
        ("arabic", "4"),
        ("dotted", "1.2"),
        ("letter", "c"),
        ("bullet", "-"),
        ("section", "II"),
    ]
    # "I" is a Roman numeral, unless it follows the section H.
    assert parse_numbering("I", None).style == "roman"
    assert parse_numbering("I", "H").style == "section"
    assert parse_numbering("x.y", None) is None


def test_group_without_points_takes_the_sum_of_its_children():
    rows = [("I", "Xây dựng lực lượng", "", ""), ("1", "a", 6, ""), ("2", "b", 4.5, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria)[0] == (0, "I", "group", D("10.5"), None)


def test_group_points_kept_as_written_even_when_the_children_differ():
    rows = [("I", "Xây dựng lực lượng", 30, ""), ("1", "a", 6, ""), ("2", "b", 4, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    # The engine's checks report the difference (see test_office_import); the reader keeps
    # what the office wrote.
    assert flat(table.criteria)[0] == (0, "I", "group", D(30), None)


def test_codes_repeated_by_the_numbering_are_made_unique_and_reported():
    rows = [("I", "A", 20, ""), ("1", "a", 10, ""), ("1", "b", 10, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [c[1] for c in flat(table.criteria)] == ["I", "I.1", "I.1-2"]
    assert [str(p) for p in table.problems] == [
        "row 5: the numbering gives the code I.1, already used by row 4; it is stored as I.1-2 (b)"
    ]


# --- points ----------------------------------------------------------------------------


def test_points_as_numbers_decimal_comma_and_text():
    rows = [
        ("1", "a", 10, ""),
        ("2", "b", 7.5, ""),
        ("3", "c", "8,5", ""),
        ("4", "d", "8 điểm", ""),
        ("5", "e", "(2,25đ)", ""),
        ("6", "f (4 điểm)", "", ""),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [(c[1], c[3]) for c in flat(table.criteria)] == [
        ("1", D(10)),
        ("2", D("7.5")),
        ("3", D("8.5")),
        ("4", D(8)),
        ("5", D("2.25")),
        ("6", D(4)),
    ]
    assert table.criteria[5].title == "f"


def test_points_per_item_make_a_count_criterion():
    rows = [("1", "Mô hình", "7,5", "2,5 điểm/mô hình, tối đa 7,5 điểm")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria) == [(0, "1", "count", D("7.5"), D("2.5"))]


def test_points_taken_off_per_item_in_the_guidance_keep_a_manual_criterion():
    rows = [("1", "Quán triệt", 10, "Chậm: trừ 2 điểm/lần")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria) == [(0, "1", "manual", D(10), None)]


# --- bonus, deduction, veto -----------------------------------------------------------


def test_bonus_section_cap_and_per_item():
    rows = [
        ("I", "Xây dựng lực lượng", 10, ""),
        ("1", "a", 10, ""),
        ("B", "ĐIỂM THƯỞNG (tối đa 5 điểm)", "", ""),
        ("1", "Bằng khen", "", "1 điểm/lần"),
        ("2", "Sáng kiến", 2, "0,5 điểm/sáng kiến"),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria)[2:] == [
        (0, "B.1", "bonus", D(5), D(1)),
        (0, "B.2", "bonus", D(2), D("0.5")),
    ]
    assert table.bonus_cap == D(5)


def test_bonus_section_named_diem_cong_without_items_is_one_bonus():
    rows = [("1", "a", 10, ""), ("II", "Điểm cộng", "3", "Mỗi lần được khen cộng 1 điểm")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria)[1] == (0, "II", "bonus", D(3), D(1))
    assert table.bonus_cap == D(3)


def test_deduction_section_per_case_and_maximum():
    rows = [
        ("I", "Xây dựng lực lượng", 40, ""),
        ("1", "a", 40, ""),
        ("C", "ĐIỂM TRỪ (tối đa 10 điểm)", "", ""),
        ("1", "Vi phạm kỷ luật", "", "trừ 2 điểm/trường hợp"),
        ("2", "Chậm báo cáo", "", "Trừ 0,5 điểm/lần, tối đa 3 điểm"),
        ("3", "Bị phê bình", "", "trừ 1 điểm"),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria)[2:] == [
        (0, "C.1", "deduction", D(10), D(2)),
        (0, "C.2", "deduction", D(3), D("0.5")),
        (0, "C.3", "deduction", D(1), None),
    ]


def test_deduction_without_any_maximum_may_take_the_whole_base():
    rows = [("1", "a", 60, ""), ("2", "b", 40, ""), ("C", "Điểm trừ", "", "")]
    rows.append(("1", "Vi phạm", "", "trừ 5 điểm/vụ"))

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria)[2] == (0, "C.1", "deduction", D(100), D(5))


def test_must_not_happen_conditions_are_vetoes():
    rows = [
        ("1", "Không để xảy ra điểm nóng", 10, ""),
        ("2", "Không để xảy ra cháy nổ", "", ""),
        ("C", "ĐIỂM TRỪ", "", ""),
        ("1", "Không để xảy ra oan sai", "", "Vi phạm: trừ 10 điểm"),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    kinds = [(c.code, c.kind, c.max_points, c.deduct) for c in table.criteria]
    assert kinds == [
        ("1", "pass_fail", D(10), D(0)),
        ("2", "veto", D(0), D(0)),
        ("C.1", "veto", D(0), D(10)),
    ]
    assert table.criteria[2].excludes_leading is True


def test_section_of_conditions_holds_vetoes():
    rows = [("1", "a", 10, ""), ("D", "CÁC ĐIỀU KIỆN XÉT THI ĐUA", "", "")]
    rows.append(("1", "Đơn vị có cán bộ bị truy cứu trách nhiệm hình sự", "", ""))

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert (table.criteria[1].code, table.criteria[1].kind) == ("D.1", "veto")


# --- total, title, rows not understood -------------------------------------------------


def test_total_row_matching_the_sum_is_checked_and_not_imported():
    rows = [("1", "a", 6, ""), ("2", "b", 4, ""), ("", "Tổng cộng", 10, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [c[1] for c in flat(table.criteria)] == ["1", "2"]
    assert table.problems == []


def test_total_row_that_differs_is_a_problem():
    rows = [("1", "a", 6, ""), ("2", "b", 4, ""), ("", "TỔNG CỘNG", "12", "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [str(p) for p in table.problems] == [
        "row 5: the total row shows 12 points but the criteria read add up to 10 (TỔNG CỘNG | 12)"
    ]


def test_base_section_points_checked_against_its_criteria():
    rows = [("A", "PHẦN ĐIỂM CHUẨN", 100, ""), ("I", "x", 60, ""), ("1", "a", 60, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [str(p) for p in table.problems] == [
        "row 3: the section shows 100 points but its criteria add up to 60 (PHẦN ĐIỂM CHUẨN)"
    ]


def test_title_is_the_capitals_line_right_above_the_table():
    above = ["Điều 5. Thang bảng điểm được áp dụng như sau:", TITLE, "(Kèm theo bảng điểm)"]

    table = office_read(docx(SIMPLE, above=above), name="quy-che.docx")

    assert table.title == TITLE


def test_points_of_a_formula_lose_their_binary_noise():
    table = office_read(xlsx([("1", "a", 0.1 + 0.2, "")]), name="bang.xlsx")

    assert flat(table.criteria) == [(0, "1", "manual", D("0.3"), None)]


def test_title_from_the_title_line_else_the_file_name():
    with_title = office_read(xlsx(SIMPLE, above=[*MOTTO, TITLE]), name="bang.xlsx")
    without = office_read(xlsx(SIMPLE, above=["CÔNG AN TỈNH THỬ"]), name="/tmp/cum-2.xlsx")

    assert with_title.title == TITLE
    assert without.title == "cum-2"


def test_rows_not_understood_are_listed_with_their_row_number():
    rows = [
        ("1", "a", 10, ""),
        ("x.y", "b", 5, ""),
        ("2", "c", "nhiều", ""),
        ("3", "d", "", ""),
        ("", "e", 4, ""),
        ("4", "", 4, ""),
        ("5", "f", 1.234, ""),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [c[1] for c in flat(table.criteria)] == ["1"]
    assert [str(n) for n in table.notes] == [
        "row 4: the numbering “x.y” is not understood (x.y | b | 5)",
        "row 5: the points “nhiều” are not a number (2 | c | nhiều)",
        "row 6: the criterion has no points (d)",
        "row 7: the row has no numbering (TT) (e | 4)",
        "row 8: the row has no content (Nội dung) text (4 | 4)",
        "row 9: the points 1.234 are not a number of points with at most 2 decimals "
        "(5 | f | 1.234)",
    ]


def test_lines_without_points_explain_the_row_above_and_the_signature_is_ignored():
    rows = [
        ("1", "Tham mưu", 10, ""),
        ("-", "Đủ, đúng hạn: 10 điểm", "", ""),
        ("", "Chậm: 5 điểm", "", ""),
        ("", "", "", ""),
        ("", "", "TM. CỤM THI ĐUA", ""),
        ("", "", "Cụm trưởng", ""),
    ]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert table.criteria[0].guidance == "- Đủ, đúng hạn: 10 điểm\nChậm: 5 điểm"
    assert table.notes == []


def test_bullets_with_points_are_sub_items():
    rows = [("1", "Tham mưu", 10, ""), ("-", "Đúng hạn", 6, ""), ("+", "Chất lượng", 4, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert flat(table.criteria) == [
        (0, "1", "group", D(10), None),
        (1, "1.1", "manual", D(6), None),
        (1, "1.2", "manual", D(4), None),
    ]


def test_document_is_a_scoretable_file():
    table = office_read(xlsx([("1", "a", 10, "")]), name="bang.xlsx")

    document = office_document(table, year=2023, clusters=["C1"], organiser="CAT")

    assert document == {
        "format": "thidua.scoretable/1",
        "organiser": "CAT",
        "year": 2023,
        "clusters": ["C1"],
        "title": TITLE,
        "bonus_cap": None,
        "bands": [],
        "criteria": [{"code": "1", "title": "a", "kind": "manual", "max": "10.00"}],
    }


# --- refusals ----------------------------------------------------------------------------


def test_refused_without_a_header_row():
    content = xlsx([("1", "a", 10)], header=None)

    assert refusal(content) == [
        "bang.xlsx: No score table was found: no row names the columns TT (or STT), Nội dung "
        "(or Tiêu chí) and Điểm (or Điểm chuẩn, Điểm tối đa)."
    ]


def test_refused_without_a_points_column():
    content = xlsx([("1", "a", "ghi chú")], header=("TT", "Nội dung", "Ghi chú"))

    assert refusal(content) == [
        "bang.xlsx: No points column: the header row (row 2) names no column Điểm, Điểm "
        "chuẩn or Điểm tối đa."
    ]


def test_refused_docx_without_such_a_table():
    content = docx([("a", "b")], header=("Họ và tên", "Chức vụ"))

    assert refusal(content, "quy-che.docx") == [
        "quy-che.docx: No score table was found: no row names the columns TT (or STT), Nội "
        "dung (or Tiêu chí) and Điểm (or Điểm chuẩn, Điểm tối đa)."
    ]


DAMAGED = (
    "The file is damaged or incomplete (perhaps cut off while copying or downloading); it "
    "cannot be opened. Save it again from Excel or Word."
)


def test_refused_truncated_file():
    content = xlsx(SIMPLE)

    assert refusal(content[: len(content) // 2]) == [f"bang.xlsx: {DAMAGED}"]


def test_refused_corrupt_part_inside_the_archive():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not xml")

    assert refusal(buffer.getvalue()) == [f"bang.xlsx: {DAMAGED}"]


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def test_refused_encrypted_file_posing_as_xlsx():
    content = OLE + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")

    assert refusal(content) == [
        "bang.xlsx: The file is protected by a password (encrypted). Open it in Excel or "
        "Word, remove the password and save it again."
    ]


def test_refused_old_xls_and_doc():
    xls = OLE + "Workbook".encode("utf-16-le")
    doc = OLE + "WordDocument".encode("utf-16-le")

    assert refusal(xls, "bang.xls") == [
        "bang.xls: The file is an Excel 97-2003 workbook (.xls), an old format that is not "
        "read. Open it in Excel and save it as .xlsx."
    ]
    assert refusal(doc, "quy-che.xlsx") == [
        "quy-che.xlsx: The file is a Word 97-2003 document (.doc), an old format that is not "
        "read. Open it in Word and save it as .docx."
    ]
    assert refusal(b"<html>table</html>", "bang.xls") == [
        "bang.xls: Files of the old .xls format are not read. Save the file as .xlsx or .docx."
    ]


def test_refused_empty_file_and_other_content():
    assert refusal(b"") == ["bang.xlsx: The file is empty."]
    assert refusal(b"STT;Noi dung;Diem\n") == [
        "bang.xlsx: The file is neither an Excel workbook (.xlsx) nor a Word document (.docx)."
    ]


def test_refused_when_no_criterion_can_be_read():
    assert refusal(xlsx([("1", "a", "nhiều", "")])) == [
        "bang.xlsx: No criterion could be read under the header row of Sheet (see the rows "
        "listed).",
        "bang.xlsx: row 3: the points “nhiều” are not a number (1 | a | nhiều)",
    ]


def test_refused_archive_that_unpacks_too_large(monkeypatch):
    import io
    import zipfile

    from scoring.interchange.office import files

    monkeypatch.setattr(files, "UNPACKED_LIMIT", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))

    assert refusal(buffer.getvalue()) == [
        "bang.xlsx: The file unpacks to more than 1 MB; a score table is far smaller."
    ]


def test_rows_past_the_limit_of_a_sheet_are_not_read(monkeypatch):
    from scoring.interchange.office import files

    monkeypatch.setattr(files, "ROW_LIMIT", 4)
    rows = [("1", "a", 1, ""), ("2", "b", 2, ""), ("3", "c", 3, "")]

    table = office_read(xlsx(rows), name="bang.xlsx")

    assert [c[1] for c in flat(table.criteria)] == ["1", "2"]
