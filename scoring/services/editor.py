"""The score table editor's writes: a new table (blank, a copy, a new version of a
published one), and every change to a draft's tree, parameters, bands and bonus cap.

Each change to a draft names the table's ``revision`` that the editor showed. The revision
is checked and raised by one conditional UPDATE before anything else: when someone else
changed the table in between, ``StaleTable`` is raised and nothing changes. Every
criterion and table saved here records who did it and why: django-simple-history's
``history_user`` and ``history_change_reason`` (one of ``REASONS``' keys).

A published table is never changed here (``TableFrozen``): ``table_edit_published`` makes
its next version as a draft, and the sheets scored with it keep it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.models import Campaign, User
from scoring.enums import CriterionKind, Direction, Method, Metric, TableStatus
from scoring.models import Criterion, ScoreTable, UnitTarget
from scoring.services.pledge_links import pledge_links_copy
from scoring.services.specs import TableFrozen
from scoring.services.tables import table_publish

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

# The parameters each kind uses, beside code, title, guidance and kind (engine.py's
# _criterion_problems says the same from the other side: what must not be set).
PARAMETERS = (
    "max_points",
    "per_item",
    "metric",
    "direction",
    "method",
    "target",
    "deduct",
    "max_band",
    "excludes_leading",
)
APPLICABLE: dict[str, frozenset[str]] = {
    CriterionKind.GROUP: frozenset({"max_points"}),
    CriterionKind.MANUAL: frozenset({"max_points"}),
    CriterionKind.PASS_FAIL: frozenset({"max_points"}),
    CriterionKind.COUNT: frozenset({"max_points", "per_item"}),
    CriterionKind.TARGET: frozenset({"max_points", "metric", "direction", "method", "target"}),
    CriterionKind.BONUS: frozenset({"max_points", "per_item"}),
    CriterionKind.DEDUCTION: frozenset({"max_points", "per_item"}),
    CriterionKind.VETO: frozenset({"deduct", "max_band", "excludes_leading"}),
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


# --- New tables ---------------------------------------------------------------------------


def _check_new_title(campaign: Campaign, title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the table a title.")})
    if ScoreTable.objects.filter(campaign=campaign, title=title).exists():
        raise ValidationError(
            {
                "title": _(
                    "The campaign already has a table called “%(title)s”: choose another "
                    "title, or edit that table."
                )
                % {"title": title}
            }
        )
    return title


def _copy_criteria(source: ScoreTable, table: ScoreTable, user: User | None, reason: str):
    """Copy ``source``'s tree into ``table`` (parents first); {old id: new criterion}."""
    copied: dict[int, Criterion] = {}
    skip = {"id", "table", "parent"}
    fields = [f.name for f in Criterion._meta.concrete_fields if f.name not in skip]
    for old in source.criteria.order_by("position", "pk"):
        new = Criterion(
            table=table,
            parent=copied.get(old.parent_id),
            **{name: getattr(old, name) for name in fields},
        )
        _recorded(new, user, reason).save()
        copied[old.pk] = new
    return copied


@transaction.atomic
def table_create_blank(*, campaign: Campaign, user: User | None, title: str) -> ScoreTable:
    """A new, empty draft table of ``campaign``."""
    table = ScoreTable(campaign=campaign, title=_check_new_title(campaign, title))
    table.full_clean()
    _recorded(table, user, "created").save()
    return table


@transaction.atomic
def table_copy(
    *, source: ScoreTable, campaign: Campaign, user: User | None, title: str
) -> ScoreTable:
    """A new draft table of ``campaign`` holding a copy of ``source``'s criteria, bands and
    bonus cap (another table of the campaign, or last year's). Clusters and the units' own
    targets are not copied: they belong to the table they were set for."""
    table = ScoreTable(
        campaign=campaign,
        title=_check_new_title(campaign, title),
        bands=list(source.bands or []),
        bonus_cap=source.bonus_cap,
    )
    table.full_clean()
    _recorded(table, user, "copied").save()
    _copy_criteria(source, table, user, "copied")
    return table


@transaction.atomic
def table_edit_published(*, table: ScoreTable, user: User | None) -> ScoreTable:
    """The draft to edit instead of a published ``table``: its next version (criteria,
    clusters and units' own targets copied, version + 1), or the draft already made from it.
    The published table and the sheets scored with it do not change."""
    if table.status == TableStatus.DRAFT:
        return table
    existing = table.next_versions.filter(status=TableStatus.DRAFT).order_by("-version").first()
    if existing is not None:
        return existing
    latest = (
        ScoreTable.objects.filter(campaign=table.campaign_id, title=table.title)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    draft = ScoreTable(
        campaign_id=table.campaign_id,
        title=table.title,
        version=max(latest or 0, table.version) + 1,
        previous=table,
        bands=list(table.bands or []),
        bonus_cap=table.bonus_cap,
    )
    draft.full_clean()
    _recorded(draft, user, "new_version").save()
    draft.clusters.set(table.clusters.all())
    copied = _copy_criteria(table, draft, user, "new_version")
    UnitTarget.objects.bulk_create(
        UnitTarget(criterion=copied[t.criterion_id], unit_id=t.unit_id, target=t.target)
        for t in UnitTarget.objects.filter(criterion__table=table)
    )
    pledge_links_copy(source=table, target=draft)
    return draft


# --- The tree -------------------------------------------------------------------------------


@transaction.atomic
def criterion_add(
    *,
    table: ScoreTable,
    user: User | None,
    revision: int,
    parent: Criterion | None = None,
    after: Criterion | None = None,
    title: str = "",
    kind: str = CriterionKind.MANUAL,
) -> Criterion:
    """A new criterion: the last child of ``parent`` (which becomes a group if it was a
    leaf), or the sibling just below ``after``, or the last one at the top of the table.
    Its code is the next free one (I, II… at the top, ``<parent>.1``… below)."""
    _claim(table, revision)
    tree = Tree.load(table)
    if after is not None:
        after = tree.get(after)
        parent = None if after.parent_id is None else tree.by_pk[after.parent_id]
        index = tree.siblings(after).index(after) + 1
    else:
        parent = None if parent is None else tree.get(parent)
        index = len(tree.children[None if parent is None else parent.pk])
    if parent is not None:
        _make_group(parent, user)
    criterion = Criterion(
        table=table,
        parent=parent,
        code=_new_code(tree, parent),
        title=(title or "").strip() or _("New criterion"),
        kind=kind,
        order=index + 1,
    )
    criterion.full_clean()
    _recorded(criterion, user, "added").save()
    tree.criteria.append(criterion)
    tree.by_pk[criterion.pk] = criterion
    tree.children[criterion.parent_id].insert(index, criterion)
    tree.store_layout(table)
    return criterion


@transaction.atomic
def criterion_rename(
    *, criterion: Criterion, user: User | None, revision: int, title: str
) -> Criterion:
    """Change a criterion's title (its wording as units read it)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A criterion needs a title.")})
    _claim(criterion.table, revision)
    criterion.title = title
    _save_fields(criterion, user, "renamed", ["title"])
    return criterion


def _parameter_errors(criterion: Criterion, given: Mapping[str, object]) -> dict[str, str]:
    """Refusals of values that cannot be right for the criterion's kind, by field. What is
    merely missing is left to the publishing checks, shown beside the criterion."""
    errors: dict[str, str] = {}
    kind = criterion.kind
    applicable = APPLICABLE.get(kind, frozenset())
    labels = {f.name: str(f.verbose_name) for f in Criterion._meta.fields}
    for name, value in given.items():
        if name in PARAMETERS and name not in applicable and value != DEFAULTS[name]:
            errors[name] = _("%(field)s does not apply to a criterion of the kind “%(kind)s”.") % {
                "field": labels[name],
                "kind": CriterionKind(kind).label,
            }
    if "per_item" in applicable and criterion.per_item is not None and criterion.per_item <= 0:
        errors["per_item"] = _("Points per item must be greater than 0.")
    if "target" in applicable and criterion.target is not None and criterion.target < 0:
        errors["target"] = _("A target must not be negative.")
    if kind == CriterionKind.TARGET and criterion.direction == Direction.LOWER:
        if criterion.metric and criterion.metric != Metric.VALUE:
            errors["direction"] = _("“Lower is better” applies only to a value, not to a rate.")
        elif criterion.method == Method.RELATIVE:
            errors["direction"] = _(
                "The method relative to the cluster's best is for “higher is better” only."
            )
    if kind == CriterionKind.VETO and criterion.max_band:
        bands = [b.get("label") for b in criterion.table.bands or []]
        if criterion.max_band not in bands:
            errors["max_band"] = _("“%(band)s” is not a band of this table.") % {
                "band": criterion.max_band
            }
    return errors


@transaction.atomic
def criterion_update(
    *, criterion: Criterion, user: User | None, revision: int, values: Mapping[str, object]
) -> Criterion:
    """Change a criterion's code, title, guidance, kind and parameters at once. A new kind
    resets the parameters it does not use; a value its kind does not use, a negative or
    impossible value, is refused with the field it concerns and nothing changes."""
    unknown = set(values) - set(PARAMETERS) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    kind = values.get("kind", criterion.kind)
    if kind not in CriterionKind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    if kind != CriterionKind.GROUP and criterion.children.exists():
        raise ValidationError(
            {
                "kind": _(
                    "A criterion with sub-criteria stays a group: move or delete its "
                    "sub-criteria first."
                )
            }
        )
    if kind != criterion.kind:
        for name in PARAMETERS:
            if name not in APPLICABLE[kind]:
                setattr(criterion, name, DEFAULTS[name])
    for name, value in values.items():
        if isinstance(value, str) and name != "guidance":
            value = value.strip()
        setattr(criterion, name, value)
    if not criterion.code:
        raise ValidationError({"code": _("A criterion needs a code.")})
    if not criterion.title:
        raise ValidationError({"title": _("A criterion needs a title.")})
    errors = _parameter_errors(criterion, values)
    if errors:
        raise ValidationError(errors)
    criterion.full_clean()
    _claim(criterion.table, revision)
    _recorded(criterion, user, "changed").save()
    return criterion


MOVES = ("up", "down", "indent", "outdent")


@transaction.atomic
def criterion_move(
    *, criterion: Criterion, user: User | None, revision: int, action: str
) -> Criterion:
    """Move a criterion with everything under it: ``up`` or ``down`` among its siblings,
    ``indent`` (it becomes the last child of the sibling above, which becomes a group) or
    ``outdent`` (it becomes the sibling just below its parent)."""
    if action not in MOVES:
        raise ValidationError(_("Unknown move."))
    _claim(criterion.table, revision)
    tree = Tree.load(criterion.table)
    criterion = tree.get(criterion)
    siblings = tree.siblings(criterion)
    index = siblings.index(criterion)
    parent = None if criterion.parent_id is None else tree.by_pk[criterion.parent_id]
    if action in ("up", "down"):
        new_index = index - 1 if action == "up" else index + 1
        if not 0 <= new_index < len(siblings):
            raise ValidationError(
                _("%(code)s is already the first of its level.")
                if action == "up"
                else _("%(code)s is already the last of its level."),
                params={"code": criterion.code},
            )
        tree.detach(criterion)
        tree.attach(criterion, parent, new_index)
        reason = "moved_up" if action == "up" else "moved_down"
    elif action == "indent":
        if index == 0:
            raise ValidationError(
                _("%(code)s has no criterion above it at its level to go under."),
                params={"code": criterion.code},
            )
        new_parent = siblings[index - 1]
        tree.detach(criterion)
        tree.attach(criterion, new_parent, len(tree.children[new_parent.pk]))
        _make_group(new_parent, user)
        reason = "indented"
    else:
        if parent is None:
            raise ValidationError(
                _("%(code)s is already at the top level."), params={"code": criterion.code}
            )
        grandparent = None if parent.parent_id is None else tree.by_pk[parent.parent_id]
        tree.detach(criterion)
        tree.attach(criterion, grandparent, tree.siblings(parent).index(parent) + 1)
        reason = "outdented"
    tree.store_layout(criterion.table)
    _save_moved(criterion, user, reason)
    return criterion


PLACES = ("before", "after", "inside")


@transaction.atomic
def criterion_place(
    *, criterion: Criterion, user: User | None, revision: int, target: Criterion, place: str
) -> Criterion:
    """Move a criterion (dragged and dropped) with everything under it just ``before`` or
    ``after`` ``target``, or ``inside`` it as its last child (``target`` becomes a group).
    Refused onto itself or anything under it."""
    if place not in PLACES:
        raise ValidationError(_("Unknown place."))
    _claim(criterion.table, revision)
    tree = Tree.load(criterion.table)
    criterion, target = tree.get(criterion), tree.get(target)
    if target in tree.subtree(criterion):
        raise ValidationError(
            _("%(code)s cannot go under itself or one of its own sub-criteria."),
            params={"code": criterion.code},
        )
    tree.detach(criterion)
    if place == "inside":
        tree.attach(criterion, target, len(tree.children[target.pk]))
        _make_group(target, user)
    else:
        parent = None if target.parent_id is None else tree.by_pk[target.parent_id]
        index = tree.siblings(target).index(target) + (1 if place == "after" else 0)
        tree.attach(criterion, parent, index)
    tree.store_layout(criterion.table)
    _save_moved(criterion, user, "moved")
    return criterion


@transaction.atomic
def criterion_delete(
    *, criterion: Criterion, user: User | None, revision: int, with_children: bool = False
) -> list[int]:
    """Delete a criterion; one with sub-criteria only when ``with_children`` confirms it,
    and then all of them. Returns the ids deleted."""
    tree = Tree.load(criterion.table)
    criterion = tree.get(criterion)
    doomed = tree.subtree(criterion)
    if len(doomed) > 1 and not with_children:
        raise ValidationError(
            _("%(code)s has %(count)d sub-criteria: confirm to delete it with all of them."),
            params={"code": criterion.code, "count": len(doomed) - 1},
            code="confirm",
        )
    _claim(criterion.table, revision)
    try:
        for node in reversed(doomed):  # children first, each with its own history record
            _recorded(node, user, "deleted").delete()
    except ProtectedError as error:
        raise ValidationError(
            _("%(code)s is already used by score sheets and cannot be deleted."),
            params={"code": criterion.code},
        ) from error
    gone = {node.pk for node in doomed}
    tree.criteria = [c for c in tree.criteria if c.pk not in gone]
    tree.children[criterion.parent_id].remove(criterion)
    tree.store_layout(criterion.table)
    return sorted(gone)


# --- The table's own settings ---------------------------------------------------------------


def _band_errors(bands: list[dict]) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    previous: Decimal | None = None
    for band in bands:
        label, minimum = band["label"], band["min"]
        if label in seen:
            errors.append(_("Two bands are called “%(label)s”.") % {"label": label})
        seen.add(label)
        if minimum < 0:
            errors.append(_("Band “%(label)s”: the minimum must not be negative.") % band)
        if previous is not None and minimum >= previous:
            errors.append(
                _(
                    "Band “%(label)s”: its minimum %(min)s must be lower than the band above it "
                    "(best band first)."
                )
                % band
            )
        previous = minimum
    return errors


@transaction.atomic
def table_settings_update(
    *,
    table: ScoreTable,
    user: User | None,
    revision: int,
    title: str,
    bands: Iterable[tuple[str, Decimal]],
    bonus_cap: Decimal | None,
) -> ScoreTable:
    """Change a draft table's title, classification bands (best first: label and the
    lowest total that reaches it) and bonus cap (None: bonus points are not capped)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the table a title.")})
    if (
        title != table.title
        and ScoreTable.objects.filter(campaign_id=table.campaign_id, title=title).exists()
    ):
        raise ValidationError(
            {"title": _("The campaign already has a table called “%(title)s”.") % {"title": title}}
        )
    rows = [{"label": label.strip(), "min": minimum} for label, minimum in bands]
    errors = _band_errors(rows)
    if errors:
        raise ValidationError({"bands": errors})
    table.title = title
    table.bands = [{"label": r["label"], "min": f"{r['min']:.2f}"} for r in rows]
    table.bonus_cap = bonus_cap
    table.full_clean(exclude=["revision"])
    _claim(table, revision)
    _recorded(table, user, "settings").save(update_fields=["title", "bands", "bonus_cap"])
    return table


@transaction.atomic
def table_publish_checked(*, table: ScoreTable, user: User | None, revision: int) -> ScoreTable:
    """Publish the draft as the editor showed it, by the existing publishing path and its
    checks (``table_publish``); refused when someone changed it in between. A refusal
    rolls the revision back with everything else."""
    _claim(table, revision)
    return table_publish(table=_recorded(table, user, "published"))
