"""Changes to a draft's criteria: add, rename, parameters, move, place, delete."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from clusters.models import User
from scoring.enums import CriterionKind, Direction, Method, Metric
from scoring.models import Criterion, ScoreTable
from scoring.services.editor.common import (
    APPLICABLE,
    DEFAULTS,
    PARAMETERS,
    TEXT_FIELDS,
    Tree,
    _claim,
    _make_group,
    _new_code,
    _recorded,
    _save_fields,
    _save_moved,
)

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
