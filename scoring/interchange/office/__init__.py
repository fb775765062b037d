"""The office's own score table (thang bảng điểm) from an Excel workbook (.xlsx) or a Word
document (.docx), as docs/formats.md ("Score tables from Excel and Word") describes.

:func:`office_read` reads the file into a ``thidua.scoretable/1`` tree without writing
anything: every row that was not understood is kept with its place (``notes``), totals
that do not add up and repeated numbering as ``problems``. :func:`office_document` makes
the ``thidua.scoretable/1`` document of it for a campaign's year and clusters, so storing
goes through the very service JSON files use (:func:`scoretable_import`, all or nothing);
:func:`office_import` does that, and :func:`office_preview` does it inside a transaction
that is rolled back, to show what would happen and what would stop publication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from scoring import services
from scoring.enums import CriterionKind
from scoring.interchange.common import FORMAT_SCORETABLE, ScoringFileError, decimal_text
from scoring.interchange.office.files import OfficeFileRefused, read_grids
from scoring.interchange.office.reading import Reading, RowNote
from scoring.interchange.office.reading import read_grids as read_table
from scoring.interchange.tables import TableImportSummary, scoretable_import

OFFICE_SUFFIXES = (".xlsx", ".docx", ".xls", ".doc")

__all__ = [
    "OFFICE_SUFFIXES",
    "OfficeFileRefused",
    "OfficePreview",
    "OfficeTable",
    "RowNote",
    "is_office_file",
    "office_document",
    "office_import",
    "office_preview",
    "office_read",
]


def is_office_file(name: str, content: bytes = b"") -> bool:
    """Whether ``name`` (or, for an unknown suffix, ``content``) is an office file rather
    than a JSON one."""
    suffix = Path(name).suffix.lower()
    if suffix in OFFICE_SUFFIXES:
        return True
    if suffix == ".json":
        return False
    return content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))


@dataclass
class OfficeTable:
    """A score table read from an office file, not stored."""

    name: str  # the file's name
    kind: str  # "xlsx" or "docx"
    reading: Reading

    @property
    def title(self) -> str:
        """The title line (THANG BẢNG ĐIỂM …), else the file's name without its suffix."""
        return self.reading.title or Path(self.name).stem[:255]

    @property
    def place(self) -> str:
        """The sheet or Word table the criteria were read from."""
        return self.reading.grid.name

    @property
    def criteria(self) -> list[services.CriterionData]:
        return self.reading.criteria

    @property
    def notes(self) -> list[RowNote]:
        return self.reading.notes

    @property
    def problems(self) -> list[RowNote]:
        return self.reading.problems

    @property
    def bonus_cap(self) -> Decimal | None:
        return self.reading.bonus_cap

    @property
    def places(self) -> dict[str, str]:
        return self.reading.places

    def findings(self) -> list[str]:
        """Every row not understood and every problem, as lines."""
        return [str(note) for note in [*self.notes, *self.problems]]


def _refused(name: str, message: str) -> ScoringFileError:
    return ScoringFileError([_("%(file)s: %(message)s") % {"file": name, "message": message}])


def office_read(content: bytes, *, name: str) -> OfficeTable:
    """Read an office file's score table; ScoringFileError with the reason when the file
    is refused (not a score table, no points column, damaged, encrypted, old format,
    empty). Writes nothing."""
    try:
        kind, grids = read_grids(content, name)
        reading = read_table(grids)
    except OfficeFileRefused as refusal:
        raise _refused(name, refusal.message) from refusal
    if not reading.criteria:
        lines = [
            _("No criterion could be read under the header row of %(place)s (see the rows listed).")
            % {"place": reading.grid.name}
        ]
        lines += [str(note) for note in reading.notes]
        raise ScoringFileError(
            [_("%(file)s: %(message)s") % {"file": name, "message": line} for line in lines]
        )
    return OfficeTable(name=name, kind=kind, reading=reading)


def _criterion_document(criterion: services.CriterionData) -> dict:
    document: dict = {"code": criterion.code, "title": criterion.title, "kind": criterion.kind}
    if criterion.guidance:
        document["guidance"] = criterion.guidance
    if criterion.kind == CriterionKind.VETO:
        document["deduct"] = decimal_text(criterion.deduct)
        document["excludes_leading"] = criterion.excludes_leading
        return document
    document["max"] = decimal_text(criterion.max_points)
    if criterion.per_item is not None:
        document["per_item"] = decimal_text(criterion.per_item)
    if criterion.kind == CriterionKind.GROUP:
        document["children"] = [_criterion_document(child) for child in criterion.children]
    return document


def office_document(
    table: OfficeTable, *, year: int, clusters: list[str], organiser: str | None = None
) -> dict:
    """The ``thidua.scoretable/1`` document of ``table`` for a year and clusters."""
    document = {
        "format": FORMAT_SCORETABLE,
        "year": year,
        "clusters": list(clusters),
        "title": table.title,
        "bonus_cap": decimal_text(table.bonus_cap),
        "bands": [],
        "criteria": [_criterion_document(c) for c in table.criteria],
    }
    if organiser:
        document["organiser"] = organiser
    return document


def office_import(
    table: OfficeTable,
    *,
    year: int,
    clusters: list[str],
    organiser: str | None = None,
    publish: bool = True,
    period: str = "year_end",
) -> TableImportSummary:
    """Store ``table`` through :func:`scoretable_import` (all or nothing; ``period`` as
    there: a new table of the six-month review with "six_month"). Publishing is
    refused while rows were not understood or a total does not add up: a table straight
    to publication must be read whole (a draft is stored and its findings shown)."""
    if publish and (table.notes or table.problems):
        raise ScoringFileError(
            [
                *(
                    _("%(file)s: %(message)s") % {"file": table.name, "message": line}
                    for line in table.findings()
                ),
                _(
                    "%(file)s: not published: rows were not understood or do not add up. "
                    "Correct the file, or import it as a draft and correct the table."
                )
                % {"file": table.name},
            ]
        )
    document = office_document(table, year=year, clusters=clusters, organiser=organiser)
    return scoretable_import(
        document, source=table.name, organiser=organiser, publish=publish, period=period
    )


@dataclass
class OfficePreview:
    """What importing would do: ``action`` as TableImportSummary's, the version it would
    make, and the checks that would stop the draft from being published."""

    action: str
    version: int
    checks: list[services.TableCheck] = field(default_factory=list)


class _RolledBack(Exception):
    pass


def office_preview(
    table: OfficeTable, *, year: int, clusters: list[str], organiser: str | None = None
) -> OfficePreview:
    """Import ``table`` as a draft inside a transaction that is rolled back: exactly what
    the import would do and find, nothing stored. ScoringFileError as the import's."""
    preview: OfficePreview | None = None
    try:
        with transaction.atomic():
            summary = office_import(
                table, year=year, clusters=clusters, organiser=organiser, publish=False
            )
            checks = summary.checks if not summary.published else []
            preview = OfficePreview(
                action=summary.action, version=summary.table.version, checks=checks
            )
            raise _RolledBack
    except _RolledBack:
        pass
    return preview
