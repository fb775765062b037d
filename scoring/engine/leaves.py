"""Points of one leaf for one unit, by criterion kind (manual, pass/fail, count, target,
bonus, deduction, veto), and of one leaf for every unit of a cluster."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from fractions import Fraction

from .entries import is_entered, raise_first, validate_entry
from .kinds import DIRECTIONS, CriterionSpec, Direction, EntryInput, Key, Kind, Method, Metric
from .numbers import ZERO_POINTS, as_whole, cents, clamp
from .targets import relative_points, target_points


def _check_leaf_criterion(criterion: CriterionSpec) -> None:
    if criterion.kind == Kind.GROUP:
        raise ValueError(f"{criterion.code}: a group has no points of its own")
    if criterion.kind == Kind.TARGET:
        if criterion.direction not in DIRECTIONS:
            raise ValueError(f"{criterion.code}: unknown direction {criterion.direction!r}")
        if criterion.direction == Direction.LOWER and criterion.metric != Metric.VALUE:
            raise ValueError(f"{criterion.code}: direction lower needs metric value")
    if criterion.kind == Kind.COUNT and criterion.per_item is None:
        raise ValueError(f"{criterion.code}: a count criterion needs per_item")


def leaf_points(criterion: CriterionSpec, entry: EntryInput) -> Decimal | None:
    """The points of one leaf for one unit, rounded to 2 decimals half up.

    None means incomplete: nothing entered yet, or a threshold/proportional target criterion
    for a unit without any target. A scorer's override wins whenever set. A veto's points are
    its `deduct` when violated, else 0 (as a positive number: the sheet subtracts them).
    Raises InputError on a bad entry, and ValueError for a group or a `relative` criterion
    (those need the whole cluster: use relative_points / points_for_cluster).
    """
    raise_first(validate_entry(criterion, entry))
    _check_leaf_criterion(criterion)
    if criterion.kind == Kind.TARGET and criterion.method == Method.RELATIVE:
        raise ValueError(f"{criterion.code}: relative points need the cluster: relative_points")
    if entry.override is not None:
        return cents(Fraction(entry.override))
    if not is_entered(criterion, entry):
        return None
    kind = criterion.kind
    if kind == Kind.VETO:
        return cents(Fraction(criterion.deduct)) if entry.violated else ZERO_POINTS
    value: Fraction | None
    if kind == Kind.MANUAL:
        value = Fraction(entry.points)
    elif kind == Kind.PASS_FAIL:
        value = Fraction(criterion.max_points) if entry.passed else Fraction(0)
    elif kind in (Kind.COUNT, Kind.BONUS, Kind.DEDUCTION):
        if criterion.per_item is None:
            value = Fraction(entry.points)
        else:
            value = as_whole(entry.count) * Fraction(criterion.per_item)
    else:
        value = target_points(criterion, entry)
    return None if value is None else cents(clamp(value, criterion.max_points))


def points_for_cluster(
    criterion: CriterionSpec,
    entries: Mapping[Key, EntryInput],
    not_assigned: Collection[Key] = frozenset(),
) -> dict[Key, Decimal | None]:
    """Points of one leaf for every unit of a cluster at one stage (relative or not).
    Units in `not_assigned` get None: their entry takes no input and counts no points (and
    takes no part in a relative criterion's E or M)."""
    if criterion.kind == Kind.TARGET and criterion.method == Method.RELATIVE:
        return relative_points(criterion, entries, not_assigned)
    return {
        key: None if key in not_assigned else leaf_points(criterion, entry)
        for key, entry in entries.items()
    }
