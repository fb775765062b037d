"""From the bytes of an office file to plain rows of text: which kind of file it is (by its
first bytes, not its name), refusals for what cannot be read, and the rows of every sheet of
a workbook or every table of a Word document, with the lines written above them."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .doc, .xls, encrypted
# Names of streams inside an OLE compound file (directory entries are UTF-16LE).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
UNPACKED_LIMIT = 100 * 1024 * 1024  # bytes, all parts of an .xlsx/.docx unpacked
ROW_LIMIT = 5000  # rows read from a sheet: a score table has a few hundred


class OfficeFileRefused(Exception):
    """The file cannot be read as a score table; ``message`` says why, in the user's
    language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """One row of a sheet or of a Word table: where it is, as the user finds it ("row 12",
    "table 2, row 5"), and each cell as text and (for a workbook's numbers) as a number."""

    where: str
    texts: list[str]
    numbers: list[Decimal | None]

    def text(self, column: int | None) -> str:
        if column is None or column >= len(self.texts):
            return ""
        return self.texts[column]

    def number(self, column: int | None) -> Decimal | None:
        if column is None or column >= len(self.numbers):
            return None
        return self.numbers[column]

    @property
    def empty(self) -> bool:
        return not any(self.texts)


@dataclass
class Grid:
    """A sheet or a Word table: its rows, the lines of text above it (title, motto) and its
    name as the preview shows it."""

    name: str
    rows: list[Row]
    lines_above: list[str] = field(default_factory=list)


def sniff(content: bytes, name: str) -> str:
    """ "xlsx" or "docx", from the file's content; refuses everything else with the reason."""
    suffix = Path(name).suffix.lower()
    if not content.strip():
        raise OfficeFileRefused(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        if _ENCRYPTED_STREAM in content:
            raise OfficeFileRefused(
                _(
                    "The file is protected by a password (encrypted). Open it in Excel or "
                    "Word, remove the password and save it again."
                )
            )
        if _WORD_STREAM in content or suffix == ".doc":
            raise OfficeFileRefused(
                _(
                    "The file is a Word 97-2003 document (.doc), an old format that is not "
                    "read. Open it in Word and save it as .docx."
                )
            )
        if any(stream in content for stream in _EXCEL_STREAMS) or suffix == ".xls":
            raise OfficeFileRefused(
                _(
                    "The file is an Excel 97-2003 workbook (.xls), an old format that is not "
                    "read. Open it in Excel and save it as .xlsx."
                )
            )
        raise OfficeFileRefused(
            _("The file is in an old Office format. Save it as .xlsx or .docx.")
        )
    if suffix in (".xls", ".doc"):
        raise OfficeFileRefused(
            _("Files of the old %(suffix)s format are not read. Save the file as .xlsx or .docx.")
            % {"suffix": suffix}
        )
    if not content.startswith(ZIP_MAGIC):
        raise OfficeFileRefused(
            _("The file is neither an Excel workbook (.xlsx) nor a Word document (.docx).")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _damaged() from exc
    if unpacked > UNPACKED_LIMIT:
        # A score table unpacks to a few MB; far more is a file built to exhaust memory.
        raise OfficeFileRefused(
            _("The file unpacks to more than %(mb)d MB; a score table is far smaller.")
            % {"mb": UNPACKED_LIMIT // (1024 * 1024)}
        )
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    raise OfficeFileRefused(
        _("The file is neither an Excel workbook (.xlsx) nor a Word document (.docx).")
    )


def _damaged() -> OfficeFileRefused:
    return OfficeFileRefused(
        _(
            "The file is damaged or incomplete (perhaps cut off while copying or "
            "downloading); it cannot be opened. Save it again from Excel or Word."
        )
    )


# Errors a damaged archive raises from inside openpyxl or python-docx.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    ParseError,
)


def _cell_text(value: object) -> tuple[str, Decimal | None]:
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int):
        return str(value), Decimal(value)
    if isinstance(value, float):
        # The shortest text that reads back as the same float (7.5, not 7.4999999…), after
        # rounding off binary noise a formula leaves (=0.1+0.2 is 0.30000000000000004).
        number = Decimal(repr(round(value, 9)))
        if number == number.to_integral_value():
            number = number.quantize(Decimal(1))
        return format(number, "f"), number
    return " ".join(str(value).split()), None


def xlsx_grids(content: bytes) -> list[Grid]:
    """Every visible sheet of the workbook (visible ones first), cached formula values
    read as values; merged cells hold their value in their first cell only."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), data_only=True, read_only=False)
    except (*_READ_ERRORS, InvalidFileException) as exc:
        raise _damaged() from exc
    sheets = sorted(workbook.worksheets, key=lambda ws: ws.sheet_state != "visible")
    grids = []
    for sheet in sheets:
        rows = []
        last = min(sheet.max_row, ROW_LIMIT)
        for number, cells in enumerate(sheet.iter_rows(max_row=last, values_only=True), start=1):
            pairs = [_cell_text(value) for value in cells]
            rows.append(
                Row(
                    where=_("row %(row)d") % {"row": number},
                    texts=[text for text, _n in pairs],
                    numbers=[n for _t, n in pairs],
                )
            )
        grids.append(Grid(name=sheet.title, rows=rows))
    workbook.close()
    return grids


def docx_grids(content: bytes) -> list[Grid]:
    """Every top-level table of the document, each with the paragraphs written above it.
    A cell merged across columns or rows gives its text once (in its first place)."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    try:
        document = Document(io.BytesIO(content))
    except (*_READ_ERRORS, PackageNotFoundError) as exc:
        raise _damaged() from exc
    grids = []
    paragraphs: list[str] = []
    tables = iter(document.tables)
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = " ".join("".join(t.text or "" for t in element.iter(qn("w:t"))).split())
            if text:
                paragraphs.append(text)
        elif element.tag == qn("w:tbl"):
            table = next(tables)
            index = len(grids) + 1
            grids.append(
                Grid(
                    name=_("table %(table)d") % {"table": index},
                    rows=_docx_rows(table, index),
                    lines_above=list(paragraphs),
                )
            )
    return grids


def _docx_rows(table, index: int) -> list[Row]:
    seen: set = set()  # the cells' XML elements, kept alive so identity holds
    rows = []
    for number, row in enumerate(table.rows, start=1):
        texts = []
        for cell in row.cells:
            if cell._tc in seen:
                texts.append("")
                continue
            seen.add(cell._tc)
            lines = [" ".join(p.text.split()) for p in cell.paragraphs]
            texts.append("\n".join(line for line in lines if line))
        rows.append(
            Row(
                where=_("table %(table)d, row %(row)d") % {"table": index, "row": number},
                texts=texts,
                numbers=[None] * len(texts),
            )
        )
    return rows


def read_grids(content: bytes, name: str) -> tuple[str, list[Grid]]:
    """The kind of file ("xlsx" or "docx") and its grids; OfficeFileRefused otherwise."""
    kind = sniff(content, name)
    try:
        grids = xlsx_grids(content) if kind == "xlsx" else docx_grids(content)
    except OfficeFileRefused:
        raise
    except _READ_ERRORS as exc:
        raise _damaged() from exc
    return kind, grids
