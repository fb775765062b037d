"""Write the example office score tables of docs/formats.md ("Score tables from Excel and
Word"): ``thang-bang-diem-cum-1.xlsx`` and ``thang-bang-diem-cum-1.docx``, the thang bảng
điểm of a provincial cluster as an office keeps it (agency and national motto lines, a
title, a merged header, a row of column numbers, sections, areas, criteria and sub-items,
bonus and deduction sections, a total row, the signature block).

    .venv/bin/python docs/examples/make_office_tables.py [FOLDER]

The files are committed; tests/scoring/test_office_import.py imports them. Run this again
only to change them (the content is ROWS below).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
AGENCY = ("CÔNG AN TỈNH ĐẮK NÔNG", "CỤM THI ĐUA SỐ 1")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLE = "THANG BẢNG ĐIỂM CHẤM THI ĐUA CỤM THI ĐUA SỐ 1 NĂM 2023"
SUBTITLE = "(Kèm theo Quy chế hoạt động của Cụm thi đua số 1 năm 2023)"
HEADER = ("STT", "Nội dung tiêu chí", "Điểm chuẩn", "Điểm tự chấm", "Điểm Cụm chấm", "Cách chấm")
# (numbering, content, points, guidance); points as an office writes them.
ROWS = [
    ("A", "PHẦN ĐIỂM CHUẨN", "100", ""),
    ("I", "CÔNG TÁC XÂY DỰNG ĐẢNG, XÂY DỰNG LỰC LƯỢNG", "30", ""),
    (
        "1",
        "Quán triệt, triển khai thực hiện nghị quyết, chỉ thị của Đảng, của Bộ Công an",
        "10",
        "Đầy đủ, kịp thời: 10 điểm; chậm triển khai: trừ 2 điểm/lần",
    ),
    ("2", "Công tác tổ chức cán bộ", "12", ""),
    ("a)", "Kiện toàn tổ chức bộ máy theo quy định", "6", ""),
    ("b)", "Đào tạo, bồi dưỡng cán bộ đạt chỉ tiêu được giao", "6", ""),
    ("3", "Không để xảy ra cán bộ vi phạm phải xử lý kỷ luật", "8", "Đạt: 8 điểm; không đạt: 0"),
    ("II", "CÔNG TÁC ĐẢM BẢO AN NINH, TRẬT TỰ", "50", ""),
    ("1", "Nắm tình hình, tham mưu giải quyết các vụ việc phức tạp", "15 điểm", ""),
    ("2", "Điều tra, khám phá án", "20", ""),
    ("2.1", "Tỷ lệ điều tra khám phá án hình sự đạt chỉ tiêu", "12", ""),
    ("2.2", "Tỷ lệ giải quyết tin báo, tố giác tội phạm", "8", ""),
    (
        "3",
        "Xây dựng mô hình phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "7,5",
        "2,5 điểm/mô hình được công nhận, tối đa 7,5 điểm",
    ),
    ("4", "Không để xảy ra điểm nóng về an ninh, trật tự", "7.5", ""),
    ("III", "CÔNG TÁC KHÁC", "20", ""),
    ("1", "Thực hiện chế độ thông tin, báo cáo", "10", ""),
    ("2", "Công tác hậu cần, tài chính", "10", ""),
    ("B", "ĐIỂM THƯỞNG (tối đa 5 điểm)", "", ""),
    ("1", "Được Bộ Công an tặng Cờ thi đua, Bằng khen", "", "1 điểm/lần"),
    ("2", "Có sáng kiến, đề tài khoa học được công nhận", "", "0,5 điểm/sáng kiến"),
    ("C", "ĐIỂM TRỪ", "", ""),
    ("1", "Để cán bộ vi phạm pháp luật bị khởi tố", "", "Trừ 5 điểm/trường hợp"),
    ("2", "Chậm gửi báo cáo định kỳ", "", "Trừ 0,5 điểm/lần, tối đa 5 điểm"),
    ("3", "Không để xảy ra oan sai, bức cung, nhục hình", "", "Vi phạm: trừ 10 điểm"),
    ("", "TỔNG CỘNG (A)", "100", ""),
]
SIGNATURE = ("TM. CỤM THI ĐUA SỐ 1", "CỤM TRƯỞNG")


def write_xlsx(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thang điểm"
    for row, (left, right) in enumerate(zip(AGENCY, MOTTO, strict=True), start=1):
        sheet.cell(row, 1, left)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.cell(row, 3, right)
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
    sheet.cell(4, 1, TITLE).font = Font(bold=True, size=14)
    sheet.merge_cells("A4:F4")
    sheet.cell(5, 1, SUBTITLE).font = Font(italic=True)
    sheet.merge_cells("A5:F5")
    for column, text in enumerate(HEADER, start=1):
        sheet.cell(7, column, text).font = Font(bold=True)
    for column in range(1, len(HEADER) + 1):
        sheet.cell(8, column, f"({column})").alignment = Alignment(horizontal="center")
    for offset, (number, content, points, guidance) in enumerate(ROWS):
        row = 9 + offset
        sheet.cell(row, 1, number)
        sheet.cell(row, 2, content)
        value: object = points
        if points and points.replace(".", "").isdigit():
            value = float(points) if "." in points else int(points)
        sheet.cell(row, 3, value if value != "" else None)
        sheet.cell(row, 6, guidance or None)
        if number.isalpha() and number.isupper():
            sheet.cell(row, 2).font = Font(bold=True)
    last = 9 + len(ROWS)
    sheet.cell(last + 2, 4, SIGNATURE[0])
    sheet.cell(last + 3, 4, SIGNATURE[1])
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["F"].width = 40
    workbook.properties.creator = "thidua"
    workbook.save(path)


def write_docx(path: Path) -> None:
    document = Document()
    document.core_properties.author = "thidua"
    motto = document.add_table(rows=2, cols=2)
    for row, (left, right) in enumerate(zip(AGENCY, MOTTO, strict=True)):
        motto.cell(row, 0).text = left
        motto.cell(row, 1).text = right
    for text, bold in ((TITLE, True), (SUBTITLE, False)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(13)
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for column, text in enumerate(HEADER):
        table.cell(0, column).text = text
    for number, content, points, guidance in ROWS:
        cells = table.add_row().cells
        cells[0].text = number
        cells[1].text = content
        cells[2].text = points
        cells[5].text = guidance
        if number.isalpha() and number.isupper():
            # A section's line spans the self and cluster score columns, as offices merge it.
            cells[3].merge(cells[4])
    document.add_paragraph()
    for text in SIGNATURE:
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(path)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "thang-bang-diem-cum-1.xlsx")
    write_docx(folder / "thang-bang-diem-cum-1.docx")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
