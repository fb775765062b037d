"""From the rows of a sheet or Word table to a tree of criteria (services.CriterionData):
the header row, the numbering, sections, groups and kinds, codes, the total row; every row
that is not understood is kept with its place and the reason."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from scoring.enums import CriterionKind
from scoring.interchange.office import words
from scoring.interchange.office.files import Grid, OfficeFileRefused, Row
from scoring.services import CriterionData

CODE_LENGTH = 32  # Criterion.code
# The code of a bonus, deduction or veto section that has no numbering of its own.
SECTION_CODES = {"bonus": "DT", "deduction": "DTR", "veto": "KDXR"}
BASE_KINDS = (CriterionKind.MANUAL, CriterionKind.PASS_FAIL, CriterionKind.COUNT)


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


@dataclass
class Reading:
    """What was read from one grid."""

    grid: Grid
    title: str
    criteria: list[CriterionData]
    bonus_cap: Decimal | None
    places: dict[str, str]  # criterion code → where its row is
    notes: list[RowNote]  # rows not understood
    problems: list[RowNote]  # totals that do not add up, numbering repeated


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


def _title(grid: Grid, header: int) -> str:
    lines = [*grid.lines_above, *(t for row in grid.rows[:header] for t in row.texts if t)]
    for line in lines:
        for part in line.split("\n"):
            if words.is_title(part):
                return " ".join(_clean(part).split())[:255]
    return ""


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
                % {"value": points},
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


class TreeBuilder:
    """Turns the placed rows into CriterionData: kinds, maxima, codes."""

    def __init__(self, reader: TreeReader) -> None:
        self.reader = reader
        self.used: dict[str, str] = {}  # code → where
        self.problems: list[RowNote] = []
        self.notes: list[RowNote] = []
        self.bonus_caps: list[Decimal] = []
        self.bonus_without_cap = False
        self.deductions: list[tuple[Node, Decimal | None, Decimal | None]] = []

    def build(self) -> tuple[list[CriterionData], Decimal | None]:
        criteria = self._level(self.reader.roots, context=None, anchor="")
        base = sum((self._base_max(c) for c in criteria), Decimal(0))
        criteria = [self._fill_deduction(c, base) for c in criteria]
        self._check_sections(self.reader.roots)
        self._check_totals(base)
        cap = sum(self.bonus_caps, Decimal(0)) if self.bonus_caps else None
        if self.bonus_without_cap:
            cap = None
        return [c for c in criteria if c is not None], cap

    # --- codes -------------------------------------------------------------------------

    def _code(self, node: Node, anchor: str) -> str:
        numbering = node.numbering
        label = numbering.label
        if numbering.style == "roman" or (numbering.style == "section" and not anchor):
            code = label
        elif numbering.style == "dotted":
            prefix, _sep, last = label.rpartition(".")
            parent = node.parent
            while parent is not None and not (
                parent.numbering and parent.numbering.label == prefix and parent.code
            ):
                parent = parent.parent
            code = f"{parent.code}.{last}" if parent else (f"{anchor}.{label}" if anchor else label)
        elif numbering.style == "bullet":
            siblings = (
                [c for c in node.parent.children if c.numbering.style == "bullet"]
                if (node.parent)
                else [node]
            )
            index = siblings.index(node) + 1
            code = f"{anchor}.{index}" if anchor else str(index)
        else:
            code = f"{anchor}.{label}" if anchor else label
        code = code[:CODE_LENGTH] or "?"
        if code in self.used:
            unique = code
            suffix = 2
            while unique in self.used:
                unique = f"{code[: CODE_LENGTH - 3]}-{suffix}"
                suffix += 1
            self.problems.append(
                RowNote(
                    where=node.where,
                    text=node.title[:120],
                    reason=_(
                        "the numbering gives the code %(code)s, already used by %(other)s; "
                        "it is stored as %(unique)s"
                    )
                    % {"code": code, "other": self.used[code], "unique": unique},
                )
            )
            code = unique
        self.used[code] = node.where
        return code

    # --- kinds -------------------------------------------------------------------------

    def _level(self, nodes: list[Node], *, context: str | None, anchor: str) -> list:
        result: list = []
        for node in nodes:
            result.extend(self._node(node, context=context, anchor=anchor))
        return result

    def _node(self, node: Node, *, context: str | None, anchor: str) -> list:
        if node.transparent:
            inner = node.section or context
            if node.numbering.style == "section" and not node.numbering.label:
                label = SECTION_CODES.get(node.section or "", "S")
                node.numbering = words.Numbering("section", label)
            if node.section == "bonus":
                node.cap = words.cap_of(node.text) or node.points
                if node.cap is not None:
                    self.bonus_caps.append(node.cap)
                else:
                    self.bonus_without_cap = True
            if not node.children and node.section is None:
                # A lettered line with nothing under it: an area that is itself scored.
                node.numbering = words.Numbering("roman", node.numbering.label)
                return self._node(node, context=context, anchor=anchor)
            node.code = self._code(node, anchor)
            if node.children:
                return self._level(node.children, context=inner, anchor=node.code)
            return [self._leaf(node, context=inner, anchor=anchor, coded=True)]
        if node.children and context in (None, "base"):
            node.code = self._code(node, anchor)
            children = self._level(node.children, context=context, anchor=node.code)
            children = [c for c in children if c is not None]
            if not children:
                return [self._leaf(node, context=context, anchor=anchor, coded=True)]
            total = sum(
                (c.max_points for c in children if c.kind in (*BASE_KINDS, "group")), Decimal(0)
            )
            return [
                CriterionData(
                    code=node.code,
                    title=node.title,
                    kind=CriterionKind.GROUP,
                    guidance="\n".join(node.guidance),
                    max_points=node.points if node.points is not None else total,
                    children=tuple(children),
                )
            ]
        if node.children:
            # Inside a bonus, deduction or veto section a heading only groups its lines.
            node.code = self._code(node, anchor)
            return self._level(node.children, context=context, anchor=node.code)
        return [self._leaf(node, context=context, anchor=anchor)]

    def _leaf(self, node: Node, *, context: str | None, anchor: str, coded: bool = False):
        code = node.code if coded else self._code(node, anchor)
        node.code = code
        text = node.text
        per_item = words.per_item_of(text, deducted=context not in (None, "base"))
        cap = words.cap_of(text)
        common = {"code": code, "title": node.title, "guidance": "\n".join(node.guidance)}
        kind = context or "base"
        if kind == "base" and words.must_not_happen(text) and node.points is None:
            kind = "veto"
        if kind == "deduction" and words.must_not_happen(text):
            kind = "veto"
        if kind == "veto":
            deduct = node.points if node.points is not None else words.deduct_of(text)
            return CriterionData(kind=CriterionKind.VETO, deduct=deduct or Decimal(0), **common)
        if kind == "bonus":
            section_cap = self._section_cap(node)
            maximum = node.points if node.points is not None else (cap or section_cap)
            if maximum is None:
                self._unread(node, _("the bonus has no points and its section no cap"))
                return None
            return CriterionData(
                kind=CriterionKind.BONUS, max_points=maximum, per_item=per_item, **common
            )
        if kind == "deduction":
            fixed = words.deduct_of(text) if per_item is None else None
            maximum = node.points if node.points is not None else (cap or fixed)
            data = CriterionData(
                kind=CriterionKind.DEDUCTION,
                max_points=maximum or Decimal(0),
                per_item=per_item,
                **common,
            )
            if maximum is None:
                self.deductions.append((node, per_item, self._section_max(node)))
            return data
        maximum = node.points if node.points is not None else cap
        if maximum is None:
            self._unread(node, _("the criterion has no points"))
            return None
        if per_item is not None:
            return CriterionData(
                kind=CriterionKind.COUNT, max_points=maximum, per_item=per_item, **common
            )
        if words.must_not_happen(text):
            return CriterionData(kind=CriterionKind.PASS_FAIL, max_points=maximum, **common)
        return CriterionData(kind=CriterionKind.MANUAL, max_points=maximum, **common)

    def _unread(self, node: Node, reason: str) -> None:
        self.used.pop(node.code, None)
        self.notes.append(RowNote(where=node.where, text=node.title[:120], reason=reason))

    def _section_cap(self, node: Node) -> Decimal | None:
        parent = node.parent
        while parent is not None:
            if parent.section == "bonus":
                return getattr(parent, "cap", None)
            parent = parent.parent
        return None

    def _section_max(self, node: Node) -> Decimal | None:
        parent = node.parent
        while parent is not None:
            if parent.section == "deduction":
                return words.cap_of(parent.text) or parent.points
            parent = parent.parent
        return None

    def _fill_deduction(self, criterion: CriterionData | None, base: Decimal):
        """A deduction without a maximum of its own may take away its section's maximum,
        else the whole base."""
        if criterion is None:
            return None
        if criterion.children:
            kids = tuple(self._fill_deduction(c, base) for c in criterion.children)
            return _replace(criterion, children=kids)
        for node, _per_item, section_max in self.deductions:
            if node.code == criterion.code:
                return _replace(criterion, max_points=section_max or base)
        return criterion

    def _base_max(self, criterion: CriterionData | None) -> Decimal:
        if criterion is None:
            return Decimal(0)
        if criterion.kind in (*BASE_KINDS, CriterionKind.GROUP):
            return criterion.max_points
        return Decimal(0)

    # --- sums ----------------------------------------------------------------------------

    def _check_sections(self, nodes: list[Node]) -> None:
        """A base section's (A, B…) own points against what it holds."""
        for node in nodes:
            if (
                node.numbering
                and node.numbering.style == "section"
                and node.section is None
                and node.points is not None
                and node.children
            ):
                total = self._points_under(node)
                if total != node.points:
                    self.problems.append(
                        RowNote(
                            where=node.where,
                            text=node.title[:120],
                            reason=_(
                                "the section shows %(shown)s points but its criteria add "
                                "up to %(total)s"
                            )
                            % {"shown": node.points, "total": total},
                        )
                    )
            self._check_sections(node.children)

    def _points_under(self, node: Node) -> Decimal:
        total = Decimal(0)
        for child in node.children:
            if child.transparent:
                if child.section is None:
                    total += self._points_under(child)
            elif child.points is not None:
                total += child.points
            elif child.children:
                total += self._points_under(child)
        return total

    def _check_totals(self, base: Decimal) -> None:
        cap = sum(self.bonus_caps, Decimal(0))
        for row, value in self.reader.totals:
            if value is None:
                continue
            if value != base and value != base + cap:
                self.problems.append(
                    RowNote(
                        where=row.where,
                        text=" | ".join(t for t in row.texts if t)[:120],
                        reason=_(
                            "the total row shows %(shown)s points but the criteria read add "
                            "up to %(total)s"
                        )
                        % {"shown": value, "total": base},
                    )
                )


def _replace(criterion: CriterionData, **changes) -> CriterionData:
    values = dict(criterion.__dict__)
    values.update(changes)
    return CriterionData(**values)


def places_of(criteria: list[CriterionData], reader: TreeReader) -> dict[str, str]:
    """Each stored code → the place of its row."""
    wheres: dict[str, str] = {}

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if node.code and not node.transparent:
                wheres.setdefault(node.code, node.where)
            walk(node.children)

    walk(reader.roots)
    result: dict[str, str] = {}

    def visit(items) -> None:
        for item in items:
            if item.code in wheres:
                result[item.code] = wheres[item.code]
            visit(item.children)

    visit(criteria)
    return result


def read_grid(grid: Grid, columns: Columns) -> Reading:
    reader = TreeReader(grid, columns)
    reader.read()
    builder = TreeBuilder(reader)
    criteria, cap = builder.build()
    return Reading(
        grid=grid,
        title=_title(grid, columns.header),
        criteria=criteria,
        bonus_cap=cap,
        places=places_of(criteria, reader),
        notes=sorted([*reader.notes, *builder.notes], key=lambda n: _order(grid, n.where)),
        problems=[*builder.problems, *reader.problems],
    )


def _order(grid: Grid, where: str) -> int:
    for index, row in enumerate(grid.rows):
        if row.where == where:
            return index
    return len(grid.rows)


def read_grids(grids: list[Grid]) -> Reading:
    """The score table of the first grid that has a header row with a points column;
    OfficeFileRefused saying what was missing when none has."""
    without_points: tuple[Grid, Columns] | None = None
    for grid in grids:
        columns = find_columns(grid)
        if columns is None:
            continue
        if columns.points is None:
            without_points = without_points or (grid, columns)
            continue
        return read_grid(grid, columns)
    if without_points is not None:
        grid, columns = without_points
        raise OfficeFileRefused(
            _(
                "No points column: the header row (%(where)s) names no column Điểm, "
                "Điểm chuẩn or Điểm tối đa."
            )
            % {"where": grid.rows[columns.header].where}
        )
    raise OfficeFileRefused(
        _(
            "No score table was found: no row names the columns TT (or STT), Nội dung (or "
            "Tiêu chí) and Điểm (or Điểm chuẩn, Điểm tối đa)."
        )
    )
