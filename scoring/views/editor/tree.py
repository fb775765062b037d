"""What the editor shows of a table: its tree with the sums and the publishing checks,
and what a change altered (the fragments to send again)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache

from scoring.enums import CriterionKind
from scoring.models import Criterion, ScoreTable
from scoring.services.checks import TableCheck
from scoring.services.specs import TableSpec, criterion_spec, table_bands
from scoring.services.tables import table_checks

BASE_KINDS = {
    CriterionKind.MANUAL,
    CriterionKind.PASS_FAIL,
    CriterionKind.COUNT,
    CriterionKind.TARGET,
    CriterionKind.GROUP,
}

# --- What the editor shows ----------------------------------------------------------------

# How long the state a page shows is remembered (a person edits for a while, then stops).
SNAPSHOT_SECONDS = 30 * 60


def problems_by_code(checks: Iterable[TableCheck]) -> tuple[dict[str, list[str]], list[str]]:
    """The publishing checks (``table_checks``, in the user's language) split into those
    about one criterion ({code: [message]}) and the others (bands, the bonus cap, an empty
    table), shown with their place. The one place the editor reads the checks."""
    by_code: dict[str, list[str]] = {}
    general: list[str] = []
    for check in checks:
        if check.criterion is not None:
            by_code.setdefault(check.criterion, []).append(check.message)
        elif check.reason != "no_criteria":  # an empty tree says so itself
            general.append(str(check))
    return by_code, general


@dataclass
class Node:
    """A criterion as a row of the editor's tree."""

    criterion: Criterion
    children: list[Node] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    level: int = 1
    index: int = 1
    count: int = 1

    @property
    def pk(self) -> int:
        return self.criterion.pk

    @property
    def is_group(self) -> bool:
        return self.criterion.kind == CriterionKind.GROUP

    @property
    def sum(self) -> Decimal:
        """The sum of the maxima of the children that make up a group's points."""
        return sum(
            (c.criterion.max_points for c in self.children if c.criterion.kind in BASE_KINDS),
            Decimal(0),
        )

    @property
    def sum_differs(self) -> bool:
        return self.is_group and bool(self.children) and self.sum != self.criterion.max_points

    def signature(self) -> tuple:
        """What the row shows: a row whose signature changed is sent again."""
        c = self.criterion
        return (
            c.code,
            c.title,
            c.kind,
            c.max_points,
            c.per_item,
            c.deduct,
            c.metric,
            c.method,
            self.sum if self.is_group else None,
            tuple(self.problems),
        )


@dataclass
class EditorState:
    """A table's tree with its sums and checks, read in two queries."""

    table: ScoreTable
    roots: list[Node]
    nodes: dict[int, Node]
    general: list[str]
    problem_count: int

    @classmethod
    def load(cls, table: ScoreTable) -> EditorState:
        criteria = list(table.criteria.order_by("position", "pk"))
        codes = {c.pk: c.code for c in criteria}
        loaded = TableSpec(
            table=table,
            criteria=criteria,
            specs={c.pk: criterion_spec(c, codes.get(c.parent_id)) for c in criteria},
            bands=table_bands(table),
        )
        by_code, general = problems_by_code(table_checks(table, loaded))
        nodes = {c.pk: Node(criterion=c, problems=by_code.get(c.code, [])) for c in criteria}
        roots: list[Node] = []
        for criterion in sorted(criteria, key=lambda c: (c.order, c.pk)):
            node = nodes[criterion.pk]
            parent = nodes.get(criterion.parent_id)
            (parent.children if parent else roots).append(node)
        stack = [(roots, 1)]
        while stack:
            siblings, level = stack.pop()
            for index, node in enumerate(siblings, start=1):
                node.level, node.index, node.count = level, index, len(siblings)
                stack.append((node.children, level + 1))
        count = sum(len(n.problems) for n in nodes.values()) + len(general)
        return cls(table=table, roots=roots, nodes=nodes, general=general, problem_count=count)

    @property
    def total(self) -> Decimal:
        """The table's maximum: the maxima of its top-level base criteria and groups."""
        return sum(
            (n.criterion.max_points for n in self.roots if n.criterion.kind in BASE_KINDS),
            Decimal(0),
        )

    @property
    def with_problems(self) -> list[Node]:
        return [n for n in self.ordered() if n.problems]

    def ordered(self) -> list[Node]:
        found: list[Node] = []
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found

    def child_ids(self) -> dict[int | None, list[int]]:
        result: dict[int | None, list[int]] = {None: [n.pk for n in self.roots]}
        for node in self.nodes.values():
            result[node.pk] = [c.pk for c in node.children]
        return result

    def ancestors(self, pk: int) -> list[int]:
        found = []
        parent = self.nodes[pk].criterion.parent_id
        while parent is not None and parent in self.nodes:
            found.append(parent)
            parent = self.nodes[parent].criterion.parent_id
        return found


@dataclass(frozen=True)
class Snapshot:
    """What a state showed, enough to tell what a change altered: each parent's children
    in order and each row's signature."""

    children: dict[int | None, list[int]]
    signatures: dict[int, tuple]

    @classmethod
    def of(cls, state: EditorState) -> Snapshot:
        return cls(
            children=state.child_ids(),
            signatures={pk: node.signature() for pk, node in state.nodes.items()},
        )


def _snapshot_key(table: ScoreTable) -> str:
    # The revision moves with every change made in the editor; the table's creation time
    # tells apart two tables that ever had the same id; bands and bonus cap change checks.
    bands = json.dumps(table.bands or [], sort_keys=True, default=str)
    digest = hashlib.sha256(f"{bands}|{table.bonus_cap}".encode()).hexdigest()[:16]
    created = table.created_at.isoformat() if table.created_at else ""
    return f"scoring:editor:{table.pk}:{created}:{table.revision}:{digest}"


def remember(table: ScoreTable, state: EditorState) -> None:
    """Keep what the page now shows, so that the next change need not read it again."""
    cache.set(_snapshot_key(table), Snapshot.of(state), SNAPSHOT_SECONDS)


def shown_before(table: ScoreTable) -> Snapshot:
    """What the page showed at the table's current revision: remembered from the last
    answer or page, else read from the database (another process, or an expired entry)."""
    found = cache.get(_snapshot_key(table))
    return found if isinstance(found, Snapshot) else Snapshot.of(EditorState.load(table))


def changes(before: Snapshot, after: EditorState) -> tuple[bool, list[Node], list[Node]]:
    """What to send again after a change: (the whole tree?, the subtrees whose children's
    order changed, the single rows whose content changed outside those subtrees)."""
    old, new = before.children, after.child_ids()
    moved = {pk for pk, ids in new.items() if old.get(pk) != ids}
    moved |= {pk for pk in new if pk is not None and pk not in old}  # new criteria
    if None in moved:
        return True, [], []
    # A new or moved criterion is drawn with its parent's list.
    lists = {after.nodes[pk].criterion.parent_id for pk in moved if pk not in old}
    lists |= {pk for pk in moved if pk in old}
    lists = {pk for pk in lists if pk is None or pk in after.nodes}
    if None in lists:
        return True, [], []
    outer = {pk for pk in lists if not set(after.ancestors(pk)) & lists}
    inside = set()
    for pk in outer:
        inside |= {n.pk for n in _subtree(after.nodes[pk])}
    rows = [
        node
        for node in after.ordered()
        if node.pk not in inside and before.signatures.get(node.pk) != node.signature()
    ]
    return (
        False,
        [after.nodes[pk] for pk in sorted(outer, key=lambda p: after.nodes[p].level)],
        rows,
    )


def _subtree(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found
