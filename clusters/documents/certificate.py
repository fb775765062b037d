"""The layout of a certificate (giấy khen, bằng khen, giấy chứng nhận): A4 landscape, one
certificate per page, built from the shared helpers of clusters/documents/base.py (fonts,
paragraphs, the short rule under a heading, the national title and motto). Awards fills
in the data (awards/certificates.py); this module knows nothing of titles or decisions, so
any kind of certificate can use it.

The layout follows the usual form of the police's certificates: the national title and
motto at the top, the authority that grants it (its head, in upper case), the heading word
("BẰNG KHEN"), "Tặng" and the recipient in large bold capitals, the achievement, then at
the foot the decision's number and date on the left and, on the right, the place-and-date
line of the deciding authority, the signer's title, room to sign and the signer's name.
It has no page numbers and no "Nơi nhận": each page is a paper of its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from clusters.documents.base import (
    ALIGN,
    BODY_PT,
    FONT,
    MOTTO,
    NATIONAL_TITLE,
    _no_borders,
    _paragraph,
    _rule,
    _set_font,
    _widths,
)

# A4 landscape; the same margins all round, inside a double frame.
LANDSCAPE = {"width": 297, "height": 210, "margin": 18}
TEXT_WIDTH = LANDSCAPE["width"] - 2 * LANDSCAPE["margin"]  # 261 mm
HEADING_PT = 40
RECIPIENT_PT = 26
RED = RGBColor(0xC0, 0x00, 0x00)


@dataclass
class Certificate:
    """One certificate's words, as printed (Vietnamese, fixed by the form)."""

    authority: str  # who grants it, upper case: "GIÁM ĐỐC CÔNG AN TỈNH ĐẮK NÔNG"
    heading: str  # "GIẤY KHEN", "BẰNG KHEN", "GIẤY CHỨNG NHẬN"
    recipient: str  # "Công an huyện Đắk Mil"
    achievements: list[str] = field(default_factory=list)  # one paragraph each
    decision: str = ""  # "Quyết định số 15/QĐ-CAT ngày 25 tháng 01 năm 2024"
    place_date: str = ""  # "Đắk Nông, ngày 25 tháng 01 năm 2024"
    signer_title: str = ""  # "GIÁM ĐỐC"
    signer_name: str = ""  # "Đại tá Nguyễn Văn A"; blank: signed by hand

    @property
    def text(self) -> str:
        """Every word of the certificate, one line each (the print page and tests)."""
        lines = [NATIONAL_TITLE, MOTTO, self.authority, self.heading, "Tặng", self.recipient]
        lines += self.achievements
        lines += [self.decision, self.place_date, self.signer_title, self.signer_name]
        return "\n".join(line for line in lines if line)


def _frame(section) -> None:
    """A double line round the page (w:pgBorders), as printed certificates have."""
    sect_pr = section._sectPr
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for edge in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (
            ("w:val", "double"),
            ("w:sz", "12"),
            ("w:space", "24"),
            ("w:color", "C00000"),
        ):
            element.set(qn(key), value)
        borders.append(element)
    sect_pr.append(borders)


def _spaced(paragraph, before: float = 0, after: float = 0):
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _foot(doc, certificate: Certificate) -> None:
    """The decision on the left; place and date, signer's title, room to sign and name on
    the right (a borderless table of two columns, kept on the page)."""
    left_width = TEXT_WIDTH * 0.5
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [left_width, TEXT_WIDTH - left_width])
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.alignment = ALIGN["center"]
    _set_font(first.add_run(certificate.decision), 13, italic=True)
    first = right.paragraphs[0]
    first.alignment = ALIGN["center"]
    _set_font(first.add_run(certificate.place_date), BODY_PT, italic=True)
    _paragraph(right, certificate.signer_title, size=BODY_PT, bold=True)
    for _i in range(4):
        _paragraph(right, "", size=BODY_PT)
    _paragraph(right, certificate.signer_name or " ", size=BODY_PT, bold=True)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _certificate(doc, certificate: Certificate, *, first: bool) -> None:
    top = _paragraph(doc, NATIONAL_TITLE, size=13, bold=True)
    if not first:  # each certificate starts a page of its own
        top.paragraph_format.page_break_before = True
    _paragraph(doc, MOTTO, size=BODY_PT, bold=True)
    _rule(_paragraph(doc), 62, TEXT_WIDTH)
    _spaced(_paragraph(doc, certificate.authority, size=16, bold=True), before=24)
    heading = _spaced(_paragraph(doc), before=12, after=4)
    run = heading.add_run(certificate.heading)
    _set_font(run, HEADING_PT, bold=True)
    run.font.color.rgb = RED
    _spaced(_paragraph(doc, "Tặng", size=16, italic=True), after=4)
    _spaced(_paragraph(doc, certificate.recipient.upper(), size=RECIPIENT_PT, bold=True), after=12)
    for line in certificate.achievements:
        p = _spaced(_paragraph(doc, line, size=16), after=6)
        p.paragraph_format.left_indent = Mm(20)
        p.paragraph_format.right_indent = Mm(20)
    _spaced(_paragraph(doc, "", size=8), after=24)
    _foot(doc, certificate)


def certificates_to_docx(certificates: list[Certificate], *, title: str = "Giấy khen") -> bytes:
    """The certificates as one Word file, A4 landscape, one certificate per page."""
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Mm(LANDSCAPE["width"])
    section.page_height = Mm(LANDSCAPE["height"])
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(LANDSCAPE["margin"]))
    _frame(section)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    doc.core_properties.title = title
    for index, certificate in enumerate(certificates):
        _certificate(doc, certificate, first=index == 0)
    if not certificates:  # never an empty file: one line saying why
        _paragraph(doc, "Không có danh hiệu nào được tặng.", size=BODY_PT, italic=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
