"""What every editor service shares: the reasons recorded in the history, the parameters of
each kind, the optimistic lock and the tree loaded once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.models import User
from scoring import engine
from scoring.enums import CriterionKind, Direction, TableStatus
from scoring.models import Criterion, ScoreTable
from scoring.services.specs import TableFrozen

# Why a history record was made (stored as the key; the history list shows the label).
REASONS = {
    "created": gettext_lazy("created"),
    "copied": gettext_lazy("copied"),
    "new_version": gettext_lazy("new version"),
    "added": gettext_lazy("added"),
    "renamed": gettext_lazy("renamed"),
    "changed": gettext_lazy("parameters changed"),
    "became_group": gettext_lazy("became a group"),
    "moved_up": gettext_lazy("moved up"),
    "moved_down": gettext_lazy("moved down"),
    "indented": gettext_lazy("indented"),
    "outdented": gettext_lazy("outdented"),
    "moved": gettext_lazy("moved"),
    "deleted": gettext_lazy("deleted"),
    "settings": gettext_lazy("title, bands or bonus cap changed"),
    "published": gettext_lazy("published"),
}

# The parameters each kind uses, beside code, title, guidance and kind: the engine's
# (engine.KIND_PARAMETERS; the model's fields have the same names).
PARAMETERS = engine.PARAMETERS
APPLICABLE: dict[str, frozenset[str]] = {
    kind: frozenset(names) for kind, names in engine.KIND_PARAMETERS.items()
}
# What a parameter holds when its kind does not use it.
DEFAULTS: dict[str, object] = {
    "max_points": Decimal(0),
    "per_item": None,
    "metric": "",
    "direction": Direction.HIGHER,
    "method": "",
    "target": None,
    "deduct": Decimal(0),
    "max_band": "",
    "excludes_leading": True,
}
TEXT_FIELDS = ("code", "title", "guidance", "kind")
ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


class StaleTable(ValidationError):
    """Someone else changed the table since the editor showed it; nothing was changed."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this table after you opened it, so your change was not "
                "saved. Reload the page to see the table as it is now."
            ),
            code="stale",
        )


# --- The lock and the tree --------------------------------------------------------------


def _claim(table: ScoreTable, revision: int) -> None:
    """Check and raise the table's revision in one statement (so two changes made from the
    same revision cannot both pass); refuse a published table."""
    claimed = ScoreTable.objects.filter(
        pk=table.pk, revision=revision, status=TableStatus.DRAFT
    ).update(revision=F("revision") + 1)
    if claimed:
        table.revision = revision + 1
        return
    status = ScoreTable.objects.filter(pk=table.pk).values_list("status", flat=True).first()
    if status != TableStatus.DRAFT:
        raise TableFrozen(
            _("The table %(table)s is published and frozen; make a new version to change it."),
            params={"table": str(table)},
        )
    raise StaleTable


def _recorded(obj, user: User | None, reason: str):
    """Mark ``obj`` so that its next history record names ``user`` and ``reason``."""
    obj._history_user = user
    obj._change_reason = reason
    return obj


@dataclass
class Tree:
    """A table's criteria loaded once, with each parent's children in order."""

    criteria: list[Criterion]
    by_pk: dict[int, Criterion]
    children: dict[int | None, list[Criterion]]
    original: dict[int, tuple[int | None, int, int, int]]

    @classmethod
    def load(cls, table: ScoreTable) -> Tree:
        criteria = list(table.criteria.order_by("position", "pk"))
        tree = cls(
            criteria=criteria,
            by_pk={c.pk: c for c in criteria},
            children=defaultdict(list),
            original={c.pk: (c.parent_id, c.order, c.position, c.depth) for c in criteria},
        )
        for criterion in sorted(criteria, key=lambda c: (c.order, c.pk)):
            tree.children[criterion.parent_id].append(criterion)
        return tree

    def get(self, criterion: Criterion) -> Criterion:
        found = self.by_pk.get(criterion.pk)
        if found is None:
            raise ValidationError(_("This criterion is no longer in the table."))
        return found

    def siblings(self, criterion: Criterion) -> list[Criterion]:
        return self.children[criterion.parent_id]

    def subtree(self, criterion: Criterion) -> list[Criterion]:
        """``criterion`` and everything under it, parents before children."""
        found, stack = [], [criterion]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(self.children[node.pk]))
        return found

    def detach(self, criterion: Criterion) -> None:
        self.children[criterion.parent_id].remove(criterion)

    def attach(self, criterion: Criterion, parent: Criterion | None, index: int) -> None:
        criterion.parent = parent
        criterion.parent_id = None if parent is None else parent.pk
        self.children[criterion.parent_id].insert(index, criterion)

    def store_layout(self, table: ScoreTable) -> None:
        """Number every parent's children 1..n and set reading positions and depths;
        write only the rows whose numbers changed (one statement)."""
        position = 0
        stack: list[tuple[Criterion, int]] = [(c, 0) for c in reversed(self.children[None])]
        for siblings in self.children.values():
            for order, criterion in enumerate(siblings, start=1):
                criterion.order = order
        while stack:
            criterion, depth = stack.pop()
            criterion.position, criterion.depth = position, depth
            position += 1
            stack.extend((c, depth + 1) for c in reversed(self.children[criterion.pk]))
        changed = [
            c
            for c in self.criteria
            if self.original.get(c.pk, (None, -1, -1, -1))[1:] != (c.order, c.position, c.depth)
        ]
        if changed:
            Criterion.objects.bulk_update(changed, ["order", "position", "depth"])


def _roman(number: int) -> str:
    text = ""
    for value, letters in ROMAN:
        while number >= value:
            text, number = text + letters, number - value
    return text


def _new_code(tree: Tree, parent: Criterion | None) -> str:
    """The next free code under ``parent``: I, II, III… at the top, ``<parent>.1``… below."""
    used = {c.code for c in tree.criteria}
    number = len(tree.children[None if parent is None else parent.pk]) + 1
    while True:
        code = _roman(number) if parent is None else f"{parent.code}.{number}"
        if code not in used:
            return code
        number += 1


def _make_group(criterion: Criterion, user: User | None) -> None:
    """A leaf that gains children becomes a group; the parameters of its old kind go."""
    if criterion.kind == CriterionKind.GROUP:
        return
    criterion.kind = CriterionKind.GROUP
    for name in PARAMETERS:
        if name not in APPLICABLE[CriterionKind.GROUP]:
            setattr(criterion, name, DEFAULTS[name])
    criterion.full_clean()
    _recorded(criterion, user, "became_group").save()


def _save_moved(criterion: Criterion, user: User | None, reason: str) -> None:
    _save_fields(criterion, user, reason, ["parent", "order"])


def _save_fields(criterion: Criterion, user: User | None, reason: str, names: list[str]):
    """Validate and store only the fields a change touched (the others were valid and
    have not moved), with its history record."""
    others = [f.name for f in Criterion._meta.concrete_fields if f.name not in names]
    criterion.full_clean(exclude=others)
    _recorded(criterion, user, reason).save(update_fields=names)
