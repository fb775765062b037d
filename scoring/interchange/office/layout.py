"""The layout of an office's table: the header row and its columns, the title line, and
each data row read into a Node (numbering, title, points, guidance) placed under the row
left open above it; rows that are not understood are kept as RowNotes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from scoring.interchange.office import words
from scoring.interchange.office.files import Grid, Row


@dataclass(frozen=True)
class RowNote:
    """A row that was not understood (or a finding about it): its place, its text and why."""

    where: str
    text: str
    reason: str

    def __str__(self) -> str:
        if self.text:
            return f"{self.where}: {self.reason} ({self.text})"
        return f"{self.where}: {self.reason}"


@dataclass
class Columns:
    header: int  # index of the header row in the grid
    numbering: int | None
    content: int
    points: int | None
    guidance: int | None
    skip: int = 0  # rows under the header that belong to it (sub-header, column numbers)


@dataclass
class Node:
    """A row being placed in the tree."""

    where: str
    numbering: words.Numbering | None
    title: str
    guidance: list[str]
    points: Decimal | None
    text: str  # everything the row says, for the per-item and cap phrases
    section: str | None = None  # "bonus", "deduction", "veto" for such a section's row
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    code: str = ""
    cap: Decimal | None = None  # a bonus section's cap

    @property
    def rank(self) -> int:
        return self.numbering.rank if self.numbering else 0

    @property
    def transparent(self) -> bool:
        """Sections (A, B…) and bonus/deduction/veto headings are not criteria: what they
        hold takes their place."""
        return self.section is not None or (
            self.numbering is not None and self.numbering.style == "section"
        )


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def find_columns(grid: Grid) -> Columns | None:
    """The header row: the first row with a content column (Nội dung / Tiêu chí) and a
    numbering (TT/STT) or points (Điểm…) column. None when the grid has none."""
    for index, row in enumerate(grid.rows):
        roles: dict[str, int] = {}
        for column, text in enumerate(row.texts):
            role = words.header_role(text)
            if role and role not in roles:
                roles[role] = column
        if "content" in roles and ("numbering" in roles or "points" in roles):
            columns = Columns(
                header=index,
                numbering=roles.get("numbering"),
                content=roles["content"],
                points=roles.get("points"),
                guidance=roles.get("guidance"),
            )
            _header_rows_below(grid, columns)
            return columns
    return None


def _header_rows_below(grid: Grid, columns: Columns) -> None:
    """A second header row ("Chuẩn | Tự chấm" under a merged "Điểm") names the points
    column; a row of column numbers ("1 | 2 | 3" or "(1) | (2)") is skipped."""
    for row in grid.rows[columns.header + 1 : columns.header + 3]:
        cells = [(i, words.bare(t)) for i, t in enumerate(row.texts) if t]
        if not cells:
            return
        if all(re.fullmatch(r"\d{1,2}", text) for _i, text in cells) and len(cells) >= 2:
            columns.skip += 1
            continue
        content = words.bare(row.text(columns.content))
        numbering = row.text(columns.numbering).strip()
        sub = [i for i, text in cells if text in words.POINTS_SUBHEADERS]
        if sub and not content and not numbering:
            columns.points = sub[0]
            columns.skip += 1
            continue
        return


def title_of(grid: Grid, header: int) -> str:
    """The title line above the table: of the lines that say THANG BẢNG ĐIỂM…, the last one
    written in capitals (a Word regulation may name the table in its text too, "Điều 5.
    Thang bảng điểm …", before the title right above it), else the last one; "" if none."""
    lines = [*grid.lines_above, *(t for row in grid.rows[:header] for t in row.texts if t)]
    found = [
        " ".join(_clean(part).split())
        for line in lines
        for part in line.split("\n")
        if words.is_title(part)
    ]
    capitals = [line for line in found if line == line.upper()]
    chosen = (capitals or found or [""])[-1]
    return chosen[:255]


class TreeReader:
    """Reads the data rows of one grid under its header into a tree."""

    def __init__(self, grid: Grid, columns: Columns) -> None:
        self.grid = grid
        self.columns = columns
        self.notes: list[RowNote] = []
        self.problems: list[RowNote] = []
        self.roots: list[Node] = []
        self.stack: list[Node] = []
        self.last_section: str | None = None
        self.totals: list[tuple[Row, Decimal | None]] = []
        self.base_sum = Decimal(0)

    # --- rows ----------------------------------------------------------------------------

    def read(self) -> None:
        rows = self.grid.rows[self.columns.header + 1 + self.columns.skip :]
        rows = self._without_trailing_block(rows)
        for row in rows:
            if row.empty:
                continue
            self._row(row)

    def _structured(self, row: Row) -> bool:
        numbering = row.text(self.columns.numbering).strip()
        content = row.text(self.columns.content)
        return bool(
            numbering
            or self._points_cell(row)[0] is not None
            or words.is_total(content)
            or (content and words.split_leading_numbering(content))
            or (content and words.section_kind(content))
        )

    def _without_trailing_block(self, rows: list[Row]) -> list[Row]:
        """Rows after the table (signatures, "Nơi nhận"): everything after the first empty
        row that follows the last row with a numbering, points or a total."""
        last = max((i for i, row in enumerate(rows) if self._structured(row)), default=-1)
        for index in range(last + 1, len(rows)):
            if rows[index].empty:
                return rows[:index]
        return rows

    def _points_cell(self, row: Row) -> tuple[Decimal | None, str]:
        column = self.columns.points
        number = row.number(column)
        text = row.text(column)
        if number is not None:
            return number, text
        return (words.points_of(text) if text else None), text

    def _row(self, row: Row) -> None:
        cols = self.columns
        numbering_text = _clean(row.text(cols.numbering))
        content = _clean(row.text(cols.content))
        guidance = _clean(row.text(cols.guidance))
        points, points_text = self._points_cell(row)
        excerpt = " | ".join(t for t in row.texts if t)[:120]
        if not numbering_text and content:
            split = words.split_leading_numbering(content)
            if split and words.parse_numbering(split[0], self.last_section):
                numbering_text, content = split
        if not numbering_text and words.is_total(content):
            self.totals.append((row, points))
            return
        lines = [line for line in content.split("\n") if line.strip()]
        title = lines[0] if lines else ""
        extra = lines[1:]
        if title and points is None and not points_text:
            title, points = words.title_points(title)
        numbering = None
        if numbering_text:
            numbering = words.parse_numbering(numbering_text, self.last_section)
            if numbering is None:
                self._note(
                    row,
                    excerpt,
                    _("the numbering %(value)s is not understood")
                    % {"value": f"“{numbering_text}”"},
                )
                return
        section = words.section_kind(title) if title else None
        if section and numbering is not None and numbering.rank > 1:
            section = None  # "2. Điểm thưởng…" inside an area is a criterion, not a section
        if not title:
            self._note(row, excerpt, _("the row has no content (Nội dung) text"))
            return
        if points_text and points is None and not _rule_text(points_text):
            self._note(
                row,
                excerpt,
                _("the points %(value)s are not a number") % {"value": f"“{points_text}”"},
            )
            return
        if points is not None and (points < 0 or points != points.quantize(Decimal("0.01"))):
            self._note(
                row,
                excerpt,
                _("the points %(value)s are not a number of points with at most 2 decimals")
                % {"value": number_format(points)},
            )
            return
        if numbering is None and section is None:
            if points is None and not _rule_text(points_text) and self.stack:
                self.stack[-1].guidance.append(content)  # a line that explains the row above
                return
            self._note(row, excerpt, _("the row has no numbering (TT)"))
            return
        if numbering is None:
            numbering = words.Numbering("section", "")
        if numbering.style == "bullet" and points is None and not _rule_text(points_text):
            if self.stack:
                self.stack[-1].guidance.append(f"- {content}")
                return
            self._note(row, excerpt, _("the row has no numbering (TT)"))
            return
        if numbering.style == "section" and numbering.label:
            self.last_section = numbering.label
        node = Node(
            where=row.where,
            numbering=numbering,
            title=title,
            guidance=[*extra, *([guidance] if guidance else [])],
            points=points,
            text=" ".join([content, points_text, guidance]),
            section=section,
        )
        self._place(node)

    def _note(self, row: Row, excerpt: str, reason: str) -> None:
        self.notes.append(RowNote(where=row.where, text=excerpt, reason=reason))

    def _place(self, node: Node) -> None:
        rank = node.rank
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        if self.stack:
            node.parent = self.stack[-1]
            node.parent.children.append(node)
        else:
            self.roots.append(node)
        self.stack.append(node)


def _rule_text(text: str) -> bool:
    """Points written as a rule rather than a number ("2 điểm/lần", "tối đa 5 điểm")."""
    return bool(text) and (
        words.per_item_of(text) is not None
        or words.cap_of(text) is not None
        or words.deduct_of(text) is not None
    )
