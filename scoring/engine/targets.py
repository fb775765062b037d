"""Target criteria: the measured number A (value, rate, reduction), the assigned target T, and
the three methods that turn them into points (threshold and proportional per unit, relative
over a whole cluster)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from fractions import Fraction

from .entries import is_entered, raise_first, validate_entry
from .kinds import CriterionSpec, Direction, EntryInput, Key, Kind, Method, Metric
from .numbers import as_decimal, as_whole, cents, clamp


def assigned_target(criterion: CriterionSpec, entry: EntryInput) -> Fraction | None:
    """T: the unit's own assigned target, else the criterion's default, else none."""
    target = entry.target if entry.target is not None else criterion.target
    return None if target is None else Fraction(target)


def measure(
    criterion: CriterionSpec, entry: EntryInput, target: Fraction | None
) -> tuple[Fraction | None, Fraction | None]:
    """(A, fixed points). Fixed points are set where an edge rule decides the points whatever A:
    a rate with nothing to handle (full points) and a rise from a zero baseline (0 points)."""
    metric = criterion.metric
    if metric == Metric.VALUE:
        return Fraction(as_decimal(entry.actual)), None
    if metric == Metric.RATE:
        numerator, denominator = as_whole(entry.numerator), as_whole(entry.denominator)
        if denominator == 0:
            return None, Fraction(criterion.max_points)
        return Fraction(100 * numerator, denominator), None
    if metric == Metric.REDUCTION:
        baseline, actual = as_whole(entry.baseline), as_whole(entry.actual)
        if baseline == 0:
            # Nothing last period: none now exactly meets the target, any now fails.
            return (target, None) if actual == 0 else (None, Fraction(0))
        return Fraction(100 * (baseline - actual), baseline), None
    raise ValueError(f"{criterion.code}: unknown metric {metric!r}")


def target_points(criterion: CriterionSpec, entry: EntryInput) -> Fraction | None:
    """The exact, unclamped points of a threshold or proportional target criterion for one unit;
    None when the unit has no target (incomplete until overridden)."""
    target = assigned_target(criterion, entry)
    actual, fixed = measure(criterion, entry, target)
    if fixed is not None:
        return fixed
    if target is None or actual is None:
        return None  # no target under threshold/proportional: incomplete until overridden
    maximum = Fraction(criterion.max_points)
    lower = criterion.direction == Direction.LOWER
    if criterion.method == Method.THRESHOLD:
        achieved = actual <= target if lower else actual >= target
        return maximum if achieved else Fraction(0)
    if criterion.method == Method.PROPORTIONAL:
        if lower:
            # actual > target ≥ 0 here, so the division is safe; T = 0 with A > 0 gives 0.
            return maximum if actual <= target else maximum * target / actual
        return maximum if target == 0 else maximum * min(Fraction(1), actual / target)
    raise ValueError(f"{criterion.code}: unknown method {criterion.method!r}")


def relative_points(
    criterion: CriterionSpec,
    entries: Mapping[Key, EntryInput],
    not_assigned: Collection[Key] = frozenset(),
) -> dict[Key, Decimal | None]:
    """The `relative` method over one cluster at one stage: points per unit key.

    Units in `not_assigned` (the criterion is not assigned to them) get None whatever they
    hold, and take no part in finding E or M.

    Units with T > 0 are scored against the best relative excess E; units without a target
    (or T = 0) against the largest A, M. Units that have not entered get None. A rate with
    denominator 0 gets full points and a rise from a zero baseline gets 0; neither takes part
    in finding E or M. An override wins for its own unit, but the unit's measured A (if it
    entered one) still takes part in E and M: an override changes points, not the measurement.
    """
    if criterion.kind != Kind.TARGET or criterion.method != Method.RELATIVE:
        raise ValueError(f"{criterion.code}: not a relative target criterion")
    if criterion.direction != Direction.HIGHER:
        raise ValueError(f"{criterion.code}: the relative method is for direction higher only")
    if not_assigned:
        scored = {key: entry for key, entry in entries.items() if key not in not_assigned}
        points = relative_points(criterion, scored)
        return {key: points.get(key) for key in entries}
    for entry in entries.values():
        raise_first(validate_entry(criterion, entry))
    maximum = Fraction(criterion.max_points)
    computed: dict[Key, Fraction | None] = {}
    with_target: dict[Key, tuple[Fraction, Fraction]] = {}
    without_target: dict[Key, Fraction] = {}
    for key, entry in entries.items():
        computed[key] = None
        if not is_entered(criterion, entry):
            continue
        target = assigned_target(criterion, entry) or Fraction(0)
        actual, fixed = measure(criterion, entry, target)
        if fixed is not None:
            computed[key] = fixed
        elif target > 0:
            with_target[key] = (actual, target)
        else:
            without_target[key] = actual

    if with_target:
        # E only matters to units above their target, so whenever it is used E ≥ e > 0.
        best_excess = max((actual - target) / target for actual, target in with_target.values())
        for key, (actual, target) in with_target.items():
            excess = (actual - target) / target
            if actual <= target:  # covers A = T: 0.5 * max * 1
                computed[key] = maximum * actual / (2 * target)
            elif excess == best_excess:  # the leader; ties all get it
                computed[key] = maximum
            else:
                computed[key] = maximum / 2 * (1 + excess / best_excess)
    if without_target:
        best_actual = max(without_target.values())
        for key, actual in without_target.items():
            computed[key] = maximum * actual / best_actual if actual > 0 else Fraction(0)

    result: dict[Key, Decimal | None] = {}
    for key, entry in entries.items():
        value = computed[key]
        if entry.override is not None:
            result[key] = cents(Fraction(entry.override))
        else:
            result[key] = None if value is None else cents(clamp(value, criterion.max_points))
    return result
