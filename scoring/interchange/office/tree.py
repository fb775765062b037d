"""From the placed rows to services.CriterionData: kinds and maxima (sections, groups,
bonus, deduction, veto, per-item points and caps), codes from the numbering, sections'
and totals' sums."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from scoring.enums import CriterionKind
from scoring.interchange.office import words
from scoring.interchange.office.layout import Node, RowNote, TreeReader
from scoring.services import CriterionData

CODE_LENGTH = 32  # Criterion.code
# The code of a bonus, deduction or veto section that has no numbering of its own.
SECTION_CODES = {"bonus": "DT", "deduction": "DTR", "veto": "KDXR"}
BASE_KINDS = (CriterionKind.MANUAL, CriterionKind.PASS_FAIL, CriterionKind.COUNT)


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
                            % {"shown": number_format(node.points), "total": number_format(total)},
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
                        % {"shown": number_format(value), "total": number_format(base)},
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
