"""Small office files for the import tests: a workbook or a Word document holding rows."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from openpyxl import Workbook

TITLE = "THANG BẢNG ĐIỂM THI ĐUA NĂM 2023"
HEADER = ("TT", "Nội dung", "Điểm", "Cách chấm")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    above: Sequence[str] = (TITLE,),
    header: Sequence[str] | None = HEADER,
    merge_above: bool = False,
) -> bytes:
    """A workbook whose first sheet holds ``above`` (one line per row, in column A), the
    header, then ``rows``; with ``merge_above`` every line above is merged across A:D."""
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append([line])
        if merge_above:
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4
            )
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx(
    rows: Sequence[Sequence[str]],
    *,
    above: Sequence[str] = (TITLE,),
    header: Sequence[str] | None = HEADER,
    motto_table: bool = True,
) -> bytes:
    """A Word document: a borderless agency/motto table (with ``motto_table``), the
    paragraphs ``above``, then a table of the header and ``rows``."""
    document = Document()
    if motto_table:
        motto = document.add_table(rows=2, cols=2)
        for index, line in enumerate(MOTTO):
            motto.cell(index, 0).text = "CÔNG AN TỈNH THỬ"
            motto.cell(index, 1).text = line
    for line in above:
        document.add_paragraph(line)
    width = len(header) if header is not None else max(len(r) for r in rows)
    table = document.add_table(rows=0, cols=width)
    for row in [*([header] if header is not None else []), *rows]:
        cells = table.add_row().cells
        for index, text in enumerate(row):
            cells[index].text = str(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
