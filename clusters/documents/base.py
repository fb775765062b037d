"""Shared building blocks of the official documents (Nghị định 30/2020/NĐ-CP layout): the
one module every document kind uses (pledge, score sheet, minutes, proposal list, submission;
the certificates' landscape layout, clusters/documents/certificate.py, takes its fonts, rule,
national title and date line from here) for the administrative header, the place-and-date
line (``date_line``, ``place_name``), the recipients ("Nơi nhận", ``Recipients``) and the
page numbers (``to_docx``). docs/documents.md lists the format rules applied.

A document is built once from the data as a small tree of dataclasses (``Document`` with
its ``Header``, a list of blocks and signature blocks) and written out twice: as a Word
file by ``to_docx`` and as a print page by the template ``documents_base.html``, so both
say exactly the same thing.

The documents' wording is Vietnamese whatever the interface language: the national title,
the motto and the formulas of an official paper are fixed by the decree, not interface
text, so they are constants here rather than translatable strings.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MOVEMENT = "Thực hiện phong trào thi đua “Vì an ninh Tổ quốc” năm {year}"
SIGN_NOTE = "(Ký, ghi rõ họ tên, đóng dấu)"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
TABLE_PT = 12
# A4; margins within the decree's ranges (top/bottom 20–25, left 30–35, right 15–20 mm).
PAGE = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH = PAGE["width"] - PAGE["left"] - PAGE["right"]  # 165 mm
HEADER_LEFT = 68  # mm; the right column takes the rest

PLACE_PREFIXES = (
    "công an thành phố trực thuộc trung ương ",
    "công an tỉnh ",
    "công an thành phố ",
    "công an huyện ",
    "công an quận ",
    "công an thị xã ",
    "công an ",
)


# --- Words and numbers -------------------------------------------------------------------


def place_name(unit) -> str:
    """The place in the date line (địa danh): the unit's own place name where one is set
    (Unit.place), else the organiser's province without "Công an tỉnh" (Công an tỉnh Đắk
    Nông → Đắk Nông); the Ministry dates its papers in Hà Nội, where it sits."""
    place = (getattr(unit, "place", "") or "").strip()
    if place:
        return place
    if getattr(unit, "kind", "") == "ministry":
        return "Hà Nội"
    name = unit.name.strip()
    for prefix in PLACE_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def vn_date(date: dt.date | None, year: int | None = None) -> str:
    """ "ngày 28 tháng 02 năm 2023" (days below 10 and months 1–2 written with a zero, as
    the decree asks); dotted blanks to fill by hand when there is no date yet."""
    if date is None:
        return f"ngày ….. tháng ….. năm {year or '……'}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def date_line(place: str, date: dt.date | None, year: int | None = None) -> str:
    return f"{place}, {vn_date(date, year)}"


def short_date(date: dt.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else ""


def number(value: Decimal | int | None) -> str:
    """Points as written in Vietnamese: decimal comma, no trailing zeros (18,5; 20)."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal("0.01"))
    text = format(value.normalize(), "f")
    if text in ("-0", "0E+2"):
        text = "0"
    return text.replace("-", "−").replace(".", ",")


def roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def upper(text: str) -> str:
    return text.upper()


def ascii_slug(text: str) -> str:
    """A file name part without diacritics: "Cụm số 4" → "cum-so-4" (đ → d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- The document model --------------------------------------------------------------------


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Para:
    """A paragraph of runs. ``align``: justify, center, left or right; ``indent``: the
    first line indented (body text); ``heading``: a section heading (kept with the next)."""

    runs: list[Run]
    align: str = "justify"
    indent: bool = True
    heading: bool = False
    kind: str = "para"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def para(text: str, **kwargs) -> Para:
    style = {k: kwargs.pop(k) for k in ("bold", "italic") if k in kwargs}
    return Para([Run(text, **style)], **kwargs)


def labelled(label: str, value: str) -> Para:
    """ "Label: value" with the value in bold."""
    return Para([Run(f"{label}: "), Run(value, bold=True)], indent=True)


def heading(text: str) -> Para:
    return Para([Run(text, bold=True)], heading=True)


@dataclass
class Column:
    label: str
    width: int  # mm
    align: str = "left"

    @property
    def percent(self) -> int:
        """The column's share of the text width, for the print page's <col width>."""
        return round(100 * self.width / TEXT_WIDTH)


@dataclass
class Cell:
    text: str
    indent: int = 0  # levels of the criteria tree


@dataclass
class TableRow:
    cells: list[Cell]
    bold: bool = False
    italic: bool = False


@dataclass
class Table:
    columns: list[Column]
    rows: list[TableRow]
    kind: str = "table"

    @property
    def body(self) -> list[tuple[TableRow, list[tuple[Cell, Column]]]]:
        """Each row with its cells paired with their columns (the print page's alignment)."""
        return [(row, list(zip(row.cells, self.columns, strict=True))) for row in self.rows]


@dataclass
class Signer:
    """One signature block: who signs for what, then their rank and name."""

    role: str  # "ĐẠI DIỆN CÔNG AN HUYỆN ĐẮK MIL" (written in upper case)
    position: str = ""  # "TRƯỞNG CÔNG AN HUYỆN" (upper case)
    name: str = ""  # "Thượng tá Trần Văn B"; blank: signed by hand
    note: str = SIGN_NOTE
    date: str = ""  # "Ký ngày 25/02/2023"


@dataclass
class Signatures:
    signers: list[Signer]
    per_row: int = 2
    center_last: bool = False
    kind: str = "signatures"

    @property
    def rows(self) -> list[list[Signer | None]]:
        """Signers in rows of ``per_row``. A short last row is centred (``center_last``: a
        list of units) or filled from the right (None on the left: a single signatory
        signs on the right, as the head of a body does)."""
        rows: list[list[Signer | None]] = []
        for i in range(0, len(self.signers), self.per_row):
            row: list[Signer | None] = list(self.signers[i : i + self.per_row])
            while len(row) < self.per_row and not self.center_last:
                row.insert(0, None)
            rows.append(row)
        return rows


@dataclass
class Header:
    organiser: str  # the body above, upper case: "CÔNG AN TỈNH ĐẮK NÔNG"
    issuer: str  # the issuing body, upper case: "CỤM THI ĐUA SỐ 4"
    place_date: str  # "Đắk Nông, ngày 28 tháng 02 năm 2023"
    number: str = ""  # "Số: ……/BB-CTĐ" where the paper has one


@dataclass
class Recipients:
    """The "Nơi nhận" block: who receives the paper, one line each ("- Name;"), and the
    archive line last ("- Lưu: VT, <drafting office>."), as the decree writes it."""

    names: list[str]
    archive: str = "VT"

    HEADING = "Nơi nhận:"

    @property
    def lines(self) -> list[str]:
        return [f"- {name};" for name in self.names] + [f"- Lưu: {self.archive}."]


@dataclass
class Document:
    header: Header
    title: str  # upper case
    subtitles: list[str] = field(default_factory=list)
    blocks: list = field(default_factory=list)
    file_name: str = "van-ban.docx"
    recipients: Recipients | None = None

    @property
    def recipients_beside(self) -> bool:
        """Whether "Nơi nhận" sits beside the last signature, on its left, level with the
        signer's title (a paper signed by one person, as the decree lays it out); otherwise
        it follows the signatures (several signers side by side leave no room)."""
        if self.recipients is None or not self.blocks:
            return False
        last = self.blocks[-1]
        return isinstance(last, Signatures) and last.rows[-1][0] is None


# --- Word ------------------------------------------------------------------------------------

ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _set_font(run, size: int, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # Word picks the font of Vietnamese letters from the east-Asian and complex-script
    # slots too; without these some letters fall back to another face.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _paragraph(
    container, text: str = "", *, size=BODY_PT, bold=False, italic=False, align="center"
):
    p = container.add_paragraph()
    p.alignment = ALIGN[align]
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    if text:
        _set_font(p.add_run(text), size, bold, italic)
    return p


def _rule(paragraph, width_mm: float, cell_width_mm: float) -> None:
    """A short centred line under a heading line: the top border of an empty paragraph
    indented to ``width_mm``."""
    side = max(0.0, (cell_width_mm - width_mm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Mm(side)
    fmt.right_indent = Mm(side)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    p_pr.append(borders)
    for run in paragraph.runs:
        run.font.size = Pt(2)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)
    for column, width in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width)


def _keep_row_together(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def _cell_text(cell, text: str, *, size, bold=False, italic=False, align="left", indent=0):
    p = cell.paragraphs[0]
    p.alignment = ALIGN[align]
    fmt = p.paragraph_format
    fmt.space_before = Pt(2)
    fmt.space_after = Pt(2)
    if indent:
        fmt.left_indent = Mm(4 * indent)
    _set_font(p.add_run(text), size, bold, italic)


def _header(doc, header: Header) -> None:
    right = TEXT_WIDTH - HEADER_LEFT
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [HEADER_LEFT, right])
    left_cell, right_cell = table.rows[0].cells
    left_cell.paragraphs[0].text = ""
    first = left_cell.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(first.add_run(header.organiser), HEADER_PT)
    _paragraph(left_cell, header.issuer, size=HEADER_PT, bold=True)
    _rule(_paragraph(left_cell), min(HEADER_LEFT - 10, 2.3 * len(header.issuer)), HEADER_LEFT)
    if header.number:
        _paragraph(left_cell, header.number, size=HEADER_PT)
    first = right_cell.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(first.add_run(NATIONAL_TITLE), 12, bold=True)
    _paragraph(right_cell, MOTTO, size=BODY_PT, bold=True)
    _rule(_paragraph(right_cell), 62, right)
    _paragraph(right_cell, header.place_date, size=BODY_PT, italic=True)
    for cell in (left_cell, right_cell):
        for p in cell.paragraphs:
            p.paragraph_format.space_before = Pt(0)
            p.paragraph_format.space_after = Pt(0)


def _para(doc, block: Para) -> None:
    p = doc.add_paragraph()
    p.alignment = ALIGN[block.align]
    fmt = p.paragraph_format
    fmt.space_before = Pt(6 if block.heading else 0)
    fmt.space_after = Pt(4)
    fmt.line_spacing = 1.15
    if block.indent and block.align == "justify":
        fmt.first_line_indent = Mm(10)
    if block.heading:
        fmt.keep_with_next = True
    for run in block.runs:
        _set_font(p.add_run(run.text), BODY_PT, run.bold, run.italic)


def _table(doc, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, column in zip(head.cells, block.columns, strict=True):
        _cell_text(cell, column.label, size=TABLE_PT, bold=True, align="center")
    for row in block.rows:
        cells = table.add_row().cells
        for cell, value, column in zip(cells, row.cells, block.columns, strict=True):
            _cell_text(
                cell,
                value.text,
                size=TABLE_PT,
                bold=row.bold,
                italic=row.italic,
                align=column.align,
                indent=value.indent,
            )
    for row in table.rows:
        _keep_row_together(row)
    _widths(table, [c.width for c in block.columns])
    _paragraph(doc, "", size=6)


def _recipients(container, recipients: Recipients, *, first=None) -> None:
    """ "Nơi nhận:" in bold italic 12 pt, then one line per recipient in upright 11 pt, flush
    left (Nghị định 30/2020/NĐ-CP, Phụ lục I: nơi nhận)."""
    p = first if first is not None else _paragraph(container, align="left")
    p.alignment = ALIGN["left"]
    p.paragraph_format.keep_with_next = True
    _set_font(p.add_run(Recipients.HEADING), 12, bold=True, italic=True)
    for line in recipients.lines:
        _paragraph(container, line, size=11, align="left").paragraph_format.keep_with_next = True


def _signatures(doc, block: Signatures, recipients: Recipients | None = None) -> None:
    """Each row of signers as a borderless table of two rows: who signs (role, position,
    note, date) above, the space to sign and the name below, so that the names of a row
    line up even when one role takes more lines; both rows stay on one page. ``recipients``
    go in the empty cell left of the last row's signer."""
    width = TEXT_WIDTH / block.per_row
    if doc.paragraphs:  # the closing sentence goes with the first signatures, never alone
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    rows = block.rows
    for index, row_signers in enumerate(rows):
        spacer = _paragraph(doc, "", size=8)
        spacer.paragraph_format.keep_with_next = True
        table = doc.add_table(rows=2, cols=len(row_signers))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _widths(table, [width] * len(row_signers))
        titles, names = table.rows
        for row in (titles, names):
            _keep_row_together(row)
        last = index == len(rows) - 1
        for title, name, signer in zip(titles.cells, names.cells, row_signers, strict=True):
            if signer is None:
                if recipients is not None and last:
                    _recipients(title, recipients, first=title.paragraphs[0])
                    recipients = None
                continue
            first = title.paragraphs[0]
            first.alignment = WD_ALIGN_PARAGRAPH.CENTER
            first.paragraph_format.space_before = Pt(0)
            first.paragraph_format.space_after = Pt(0)
            first.paragraph_format.line_spacing = 1.0
            _set_font(first.add_run(signer.role), HEADER_PT, bold=True)
            if signer.position:
                _paragraph(title, signer.position, size=HEADER_PT, bold=True)
            _paragraph(title, signer.note, size=HEADER_PT, italic=True)
            if signer.date:
                _paragraph(title, signer.date, size=12, italic=True)
            for p in title.paragraphs:
                p.paragraph_format.keep_with_next = True
            name.paragraphs[0].paragraph_format.space_after = Pt(0)
            for _i in range(4):
                _paragraph(name, "", size=BODY_PT).paragraph_format.keep_with_next = True
            _paragraph(name, signer.name or " ", size=BODY_PT, bold=True)


def _field(paragraph, instruction: str, size: int) -> None:
    """A Word field (PAGE) in ``paragraph``: Word and LibreOffice fill in its value."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "2")):
        run = paragraph.add_run()
        _set_font(run, size)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    end = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    end._r.append(element)


def _page_numbers(section) -> None:
    """Page numbers in Arabic figures, 13 pt upright, centred in the top margin, not shown
    on the first page (Nghị định 30/2020/NĐ-CP, Phụ lục I: số trang văn bản)."""
    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = ALIGN["center"]
    _field(paragraph, "PAGE", HEADER_PT)
    first = section.first_page_header.paragraphs[0]
    first.text = ""


def to_docx(document: Document) -> bytes:
    """The document as a Word file (A4, Times New Roman, the decree's margins, page numbers
    from page 2, "Nơi nhận" at the foot)."""
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE["width"])
    section.page_height = Mm(PAGE["height"])
    section.top_margin = Mm(PAGE["top"])
    section.bottom_margin = Mm(PAGE["bottom"])
    section.left_margin = Mm(PAGE["left"])
    section.right_margin = Mm(PAGE["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    doc.core_properties.title = document.title
    doc.core_properties.author = document.header.issuer
    _header(doc, document.header)
    _paragraph(doc, "", size=10)
    title = _paragraph(doc, document.title, size=BODY_PT, bold=True)
    title.paragraph_format.space_before = Pt(12)
    for line in document.subtitles:
        _paragraph(doc, line, size=BODY_PT, bold=True)
    _paragraph(doc, "", size=8)
    _page_numbers(section)
    writers = {"para": _para, "table": _table}
    for i, block in enumerate(document.blocks):
        if block.kind == "signatures":
            last = i == len(document.blocks) - 1
            beside = document.recipients if last and document.recipients_beside else None
            _signatures(doc, block, beside)
        else:
            writers[block.kind](doc, block)
    if document.recipients is not None and not document.recipients_beside:
        _paragraph(doc, "", size=8).paragraph_format.keep_with_next = True
        _recipients(doc, document.recipients)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- Answers ---------------------------------------------------------------------------------


def docx_response(document: Document) -> HttpResponse:
    """The Word file as a download, under an ASCII file name (ban-giao-uoc-cum-4-2023.docx)."""
    response = HttpResponse(to_docx(document), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{document.file_name}"'
    return response


def print_context(document: Document, *, docx_url: str, back_url: str = "") -> dict:
    """What documents_base.html needs to show the document as a print page."""
    return {
        "document": document,
        "docx_url": docx_url,
        "back_url": back_url,
        "national_title": NATIONAL_TITLE,
        "motto": MOTTO,
    }
