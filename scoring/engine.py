"""The scoring rules of domain.md section 5, as pure Python.

No Django import and no I/O: plain values in (Decimal, small frozen dataclasses) and plain values
out, so every other part of the project (services, imports, exports, the grid) calls these
functions instead of re-implementing a formula. Where the domain text is ambiguous, the choice
made here is written down in docs/scoring.md.

Arithmetic: inputs and outputs are Decimal. Quotients (A / T, e / E, A / M...) are kept as exact
rationals (fractions.Fraction built exactly from the Decimals, never from binary floats) until the
single final rounding to 2 decimals, half up; so "x.xx5 exactly" rounds up however many divisions
lead to it. Sums of already rounded points are done on Decimals in a 50-digit local context.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


class Kind(enum.StrEnum):
    """What a criterion is, and so which inputs it takes."""

    GROUP = "group"
    MANUAL = "manual"
    PASS_FAIL = "pass_fail"
    COUNT = "count"
    TARGET = "target"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"


class Metric(enum.StrEnum):
    """How the measured number A of a `target` criterion is entered."""

    VALUE = "value"
    RATE = "rate"
    REDUCTION = "reduction"


class Direction(enum.StrEnum):
    """Whether a bigger or a smaller A is better."""

    HIGHER = "higher"
    LOWER = "lower"


class Method(enum.StrEnum):
    """How A is turned into points."""

    THRESHOLD = "threshold"
    PROPORTIONAL = "proportional"
    RELATIVE = "relative"


KINDS = frozenset(Kind)
METRICS = frozenset(Metric)
DIRECTIONS = frozenset(Direction)
METHODS = frozenset(Method)
# Base kinds make up a group's subtotal and the sheet's base; the others add or subtract.
BASE_KINDS = frozenset({Kind.MANUAL, Kind.PASS_FAIL, Kind.COUNT, Kind.TARGET})
LEAF_KINDS = KINDS - {Kind.GROUP}
ENTRY_FIELDS = (
    "points",
    "passed",
    "count",
    "actual",
    "numerator",
    "denominator",
    "baseline",
    "violated",
    "target",
    "override",
)

_ZERO_POINTS = Decimal("0.00")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion of a score table, with the parameters its kind uses."""

    code: str
    kind: str
    max_points: Decimal = Decimal(0)
    parent: str | None = None
    per_item: Decimal | None = None
    metric: str | None = None
    direction: str = "higher"
    method: str | None = None
    target: Decimal | None = None
    deduct: Decimal = Decimal(0)
    max_band: str | None = None
    excludes_leading: bool = True


@dataclass(frozen=True)
class EntryInput:
    """What one unit entered for one leaf at one stage; every field is optional."""

    points: Decimal | None = None
    passed: bool | None = None
    count: int | None = None
    actual: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    baseline: Decimal | None = None
    violated: bool | None = None
    target: Decimal | None = None
    override: Decimal | None = None


class InputError(ValueError):
    """A refused input. `code` names the criterion, `field` the EntryInput field, `reason` is a
    stable key (e.g. "above_max") a translated UI can map to its own wording."""

    def __init__(self, code: str, field: str | None, reason: str, message: str) -> None:
        self.code = code
        self.field = field
        self.reason = reason
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class Band:
    """A classification band; a sheet falls in the best band whose `min` ≤ its total."""

    label: str
    min: Decimal


@dataclass(frozen=True)
class SheetFigures:
    """Everything a sheet shows, computed from its leaf points."""

    base: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    band: str | None
    complete: bool
    excluded_from_leading: bool
    subtotals: dict[str, Decimal]
    points: dict[str, Decimal]


@dataclass(frozen=True)
class RankInput:
    """A sheet's figures that ranking needs."""

    total: Decimal
    excluded_from_leading: bool


@dataclass(frozen=True)
class RankResult:
    """A unit's place in its cluster at one stage."""

    rank: int
    leading: bool


# --- numbers ---------------------------------------------------------------------------------


def _decimal_context() -> AbstractContextManager[Context]:
    # An explicit context rather than the thread's current one, so a caller's settings (a low
    # precision, untrapped errors) can never change a score.
    return localcontext(
        Context(
            prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
        )
    )


def _cents(value: Fraction) -> Decimal:
    """Round an exact non-negative value to 2 decimals, half up, without any earlier rounding."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


def _round_decimal(value: Decimal) -> Decimal:
    with _decimal_context():
        return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _cent(value: Decimal) -> Decimal:
    """_round_decimal inside an active _decimal_context (sheet_figures rounds every leaf of
    a sheet: one context for all of them, not one each)."""
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _clamp(value: Fraction, maximum: Decimal) -> Fraction:
    return min(max(value, Fraction(0)), Fraction(maximum))


def _as_decimal(value: object) -> Decimal | None:
    """The value as a finite Decimal, or None when it is not one (floats are refused: never
    binary floating point for a score)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return None


def _as_whole(value: object) -> int | None:
    """The value as an int when it is a whole number (an int or an integral Decimal)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def _has_at_most_2_decimals(value: Decimal) -> bool:
    with _decimal_context():
        scaled = value * 100
        return scaled == scaled.to_integral_value()


# --- entries ---------------------------------------------------------------------------------


def _input_fields(criterion: CriterionSpec) -> tuple[str, ...]:
    """The inputs a criterion of this kind needs (all of them, for the entry to count)."""
    kind = criterion.kind
    if kind == Kind.GROUP:
        return ()
    if kind == Kind.MANUAL:
        return ("points",)
    if kind == Kind.PASS_FAIL:
        return ("passed",)
    if kind == Kind.COUNT:
        return ("count",)
    if kind in (Kind.BONUS, Kind.DEDUCTION):
        return ("count",) if criterion.per_item is not None else ("points",)
    if kind == Kind.VETO:
        return ("violated",)
    if kind == Kind.TARGET:
        if criterion.metric == Metric.VALUE:
            return ("actual",)
        if criterion.metric == Metric.RATE:
            return ("numerator", "denominator")
        if criterion.metric == Metric.REDUCTION:
            return ("baseline", "actual")
        raise ValueError(f"{criterion.code}: unknown metric {criterion.metric!r}")
    raise ValueError(f"{criterion.code}: unknown kind {kind!r}")


def input_fields(criterion: CriterionSpec) -> tuple[str, ...]:
    """The inputs a leaf of this kind takes (its EntryInput field names), in display order;
    empty for a group."""
    return _input_fields(criterion)


def _allowed_fields(criterion: CriterionSpec) -> set[str]:
    allowed = set(_input_fields(criterion))
    if criterion.kind == Kind.TARGET:
        allowed.add("target")
    # A veto has no points to override (its effect is `violated`); a group takes no input.
    if criterion.kind not in (Kind.GROUP, Kind.VETO):
        allowed.add("override")
    return allowed


_WHOLE_FIELDS = frozenset({"count", "numerator", "denominator", "baseline"})


def _field_problem(criterion: CriterionSpec, name: str, value: object) -> tuple[str, str] | None:
    """(reason, message) when one input field holds a bad value, else None."""
    if name in ("passed", "violated"):
        return None if isinstance(value, bool) else ("not_a_boolean", f"{name} must be yes or no")
    number = _as_decimal(value)
    if number is None:
        return "not_a_number", f"{name} must be a number"
    # Counts are whole; so are both counts of a reduction (last period's and this period's).
    whole = name in _WHOLE_FIELDS or (name == "actual" and criterion.metric == Metric.REDUCTION)
    if whole and number != number.to_integral_value():
        return "not_whole", f"{name} must be a whole number, not {number}"
    if number < 0:
        return "negative", f"{name} must not be negative ({number})"
    if name in ("points", "override"):
        if number > criterion.max_points:
            return "above_max", f"{name} {number} is above the maximum {criterion.max_points}"
        if not _has_at_most_2_decimals(number):
            return "too_many_decimals", f"{name} {number} has more than 2 decimals"
    return None


def validate_entry(criterion: CriterionSpec, entry: EntryInput) -> list[InputError]:
    """Every problem with `entry` for `criterion`, or [] when it is acceptable.

    An entry with no input at all is acceptable (the leaf is simply not entered yet). Inputs that
    do not belong to the criterion's kind, and half-given pairs (a numerator without its
    denominator), are refused. Raises ValueError when the criterion itself is malformed.
    """
    errors: list[InputError] = []
    required = _input_fields(criterion)
    allowed = _allowed_fields(criterion)
    given = {
        name: getattr(entry, name) for name in ENTRY_FIELDS if getattr(entry, name) is not None
    }
    for name, value in given.items():
        if name not in allowed:
            message = f"{name} does not apply to this {criterion.kind} criterion"
            errors.append(InputError(criterion.code, name, "not_applicable", message))
            continue
        problem = _field_problem(criterion, name, value)
        if problem is not None:
            errors.append(InputError(criterion.code, name, *problem))
    if any(name in given for name in required):
        for name in required:
            if name not in given:
                message = f"{name} is missing ({' and '.join(required)} go together)"
                errors.append(InputError(criterion.code, name, "missing", message))
    numerator = _as_whole(given.get("numerator"))
    denominator = _as_whole(given.get("denominator"))
    if numerator is not None and denominator is not None and 0 <= denominator < numerator:
        message = f"numerator {numerator} must not exceed denominator {denominator}"
        errors.append(
            InputError(criterion.code, "numerator", "numerator_above_denominator", message)
        )
    return errors


def is_entered(criterion: CriterionSpec, entry: EntryInput) -> bool:
    """True when every input the criterion's kind needs is present (a group is never entered:
    it takes no input)."""
    required = _input_fields(criterion)
    return bool(required) and all(getattr(entry, name) is not None for name in required)


def _raise_first(errors: list[InputError]) -> None:
    if errors:
        raise errors[0]


# --- leaf points -----------------------------------------------------------------------------


def _assigned_target(criterion: CriterionSpec, entry: EntryInput) -> Fraction | None:
    """T: the unit's own assigned target, else the criterion's default, else none."""
    target = entry.target if entry.target is not None else criterion.target
    return None if target is None else Fraction(target)


def _measure(
    criterion: CriterionSpec, entry: EntryInput, target: Fraction | None
) -> tuple[Fraction | None, Fraction | None]:
    """(A, fixed points). Fixed points are set where an edge rule decides the points whatever A:
    a rate with nothing to handle (full points) and a rise from a zero baseline (0 points)."""
    metric = criterion.metric
    if metric == Metric.VALUE:
        return Fraction(_as_decimal(entry.actual)), None
    if metric == Metric.RATE:
        numerator, denominator = _as_whole(entry.numerator), _as_whole(entry.denominator)
        if denominator == 0:
            return None, Fraction(criterion.max_points)
        return Fraction(100 * numerator, denominator), None
    if metric == Metric.REDUCTION:
        baseline, actual = _as_whole(entry.baseline), _as_whole(entry.actual)
        if baseline == 0:
            # Nothing last period: none now exactly meets the target, any now fails.
            return (target, None) if actual == 0 else (None, Fraction(0))
        return Fraction(100 * (baseline - actual), baseline), None
    raise ValueError(f"{criterion.code}: unknown metric {metric!r}")


def _target_points(criterion: CriterionSpec, entry: EntryInput) -> Fraction | None:
    target = _assigned_target(criterion, entry)
    actual, fixed = _measure(criterion, entry, target)
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
    _raise_first(validate_entry(criterion, entry))
    _check_leaf_criterion(criterion)
    if criterion.kind == Kind.TARGET and criterion.method == Method.RELATIVE:
        raise ValueError(f"{criterion.code}: relative points need the cluster: relative_points")
    if entry.override is not None:
        return _cents(Fraction(entry.override))
    if not is_entered(criterion, entry):
        return None
    kind = criterion.kind
    if kind == Kind.VETO:
        return _cents(Fraction(criterion.deduct)) if entry.violated else _ZERO_POINTS
    value: Fraction | None
    if kind == Kind.MANUAL:
        value = Fraction(entry.points)
    elif kind == Kind.PASS_FAIL:
        value = Fraction(criterion.max_points) if entry.passed else Fraction(0)
    elif kind in (Kind.COUNT, Kind.BONUS, Kind.DEDUCTION):
        if criterion.per_item is None:
            value = Fraction(entry.points)
        else:
            value = _as_whole(entry.count) * Fraction(criterion.per_item)
    else:
        value = _target_points(criterion, entry)
    return None if value is None else _cents(_clamp(value, criterion.max_points))


def relative_points(
    criterion: CriterionSpec, entries: Mapping[Key, EntryInput]
) -> dict[Key, Decimal | None]:
    """The `relative` method over one cluster at one stage: points per unit key.

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
    for entry in entries.values():
        _raise_first(validate_entry(criterion, entry))
    maximum = Fraction(criterion.max_points)
    computed: dict[Key, Fraction | None] = {}
    with_target: dict[Key, tuple[Fraction, Fraction]] = {}
    without_target: dict[Key, Fraction] = {}
    for key, entry in entries.items():
        computed[key] = None
        if not is_entered(criterion, entry):
            continue
        target = _assigned_target(criterion, entry) or Fraction(0)
        actual, fixed = _measure(criterion, entry, target)
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
            result[key] = _cents(Fraction(entry.override))
        else:
            result[key] = None if value is None else _cents(_clamp(value, criterion.max_points))
    return result


def points_for_cluster(
    criterion: CriterionSpec, entries: Mapping[Key, EntryInput]
) -> dict[Key, Decimal | None]:
    """Points of one leaf for every unit of a cluster at one stage (relative or not)."""
    if criterion.kind == Kind.TARGET and criterion.method == Method.RELATIVE:
        return relative_points(criterion, entries)
    return {key: leaf_points(criterion, entry) for key, entry in entries.items()}


# --- sheets and ranking ----------------------------------------------------------------------


def sheet_figures(
    criteria: Sequence[CriterionSpec],
    points: Mapping[str, Decimal | None],
    violated: Mapping[str, bool],
    bands: Sequence[Band],
    bonus_cap: Decimal | None,
) -> SheetFigures:
    """A sheet's base, bonus, deduction, total, band and subtotals.

    `points` holds the computed points per leaf code (None or absent = not entered); for vetoes
    `violated` is what counts (absent = not answered: incomplete, and not violated). `bands` are
    given best first. The table is assumed to pass check_table.
    """
    by_code = {criterion.code: criterion for criterion in criteria}
    unknown = sorted(set(points) - set(by_code))
    if unknown:
        raise ValueError(f"points given for unknown criteria: {', '.join(unknown)}")
    labels = [band.label for band in bands]
    counted: dict[str, Decimal] = {}
    subtotals: dict[str, Decimal] = {c.code: _ZERO_POINTS for c in criteria if c.kind == Kind.GROUP}
    complete = True
    excluded = False
    band_caps: list[str] = []
    with _decimal_context():
        base = bonus = deduction = _ZERO_POINTS
        for criterion in criteria:
            kind = criterion.kind
            if kind == Kind.GROUP:
                continue
            if kind == Kind.VETO:
                state = violated.get(criterion.code)
                complete = complete and state is not None
                hit = state is True
                counted[criterion.code] = _cent(criterion.deduct) if hit else _ZERO_POINTS
                if hit:
                    deduction += counted[criterion.code]
                    excluded = excluded or criterion.excludes_leading
                    if criterion.max_band is not None:
                        band_caps.append(criterion.max_band)
                continue
            value = points.get(criterion.code)
            complete = complete and value is not None
            counted[criterion.code] = _ZERO_POINTS if value is None else _cent(value)
            if kind == Kind.BONUS:
                bonus += counted[criterion.code]
            elif kind == Kind.DEDUCTION:
                deduction += counted[criterion.code]
            else:
                base += counted[criterion.code]
                for ancestor in _ancestors(criterion, by_code):
                    subtotals[ancestor] += counted[criterion.code]
        if bonus_cap is not None:
            bonus = min(bonus, _cent(bonus_cap))
        total = max(_ZERO_POINTS, base + bonus - deduction)

    band = next((b.label for b in bands if b.min <= total), None)
    for cap in band_caps:
        if cap not in labels:
            raise ValueError(f"unknown band {cap!r} in a veto's max_band")
        # Bands are best first, so the worse of two is the one further down the list.
        if band is not None and labels.index(cap) > labels.index(band):
            band = cap
    return SheetFigures(
        base=base,
        bonus=bonus,
        deduction=deduction,
        total=total,
        band=band,
        complete=complete,
        excluded_from_leading=excluded,
        subtotals=subtotals,
        points=counted,
    )


def _ancestors(criterion: CriterionSpec, by_code: Mapping[str, CriterionSpec]) -> list[str]:
    found: list[str] = []
    parent = criterion.parent
    while parent is not None and parent in by_code and parent not in found:
        found.append(parent)
        parent = by_code[parent].parent
    return found


def rank_cluster(sheets: Mapping[Key, RankInput]) -> dict[Key, RankResult]:
    """Rank = 1 + the number of units with a strictly greater total (1, 2, 2, 4). Leading = the
    highest total among units no veto excludes, ties all leading; nobody if all are excluded.
    A leading unit is not necessarily ranked 1: an excluded unit may score higher."""
    ordered = sorted(sheets.items(), key=lambda item: item[1].total, reverse=True)
    ranks: dict[Key, int] = {}
    previous: Decimal | None = None
    rank = 0
    for index, (key, sheet) in enumerate(ordered):
        if sheet.total != previous:
            rank, previous = index + 1, sheet.total
        ranks[key] = rank
    eligible = [sheet.total for sheet in sheets.values() if not sheet.excluded_from_leading]
    top = max(eligible) if eligible else None
    return {
        key: RankResult(
            rank=ranks[key],
            leading=top is not None and not sheet.excluded_from_leading and sheet.total == top,
        )
        for key, sheet in sheets.items()
    }


# --- table checks ----------------------------------------------------------------------------

# The English wording of every table problem, by its stable reason. A translated interface
# maps the reason to its own wording (scoring/checks.py) and fills in the same params.
PROBLEM_MESSAGES: dict[str, str] = {
    "empty_code": "a criterion has an empty code ({value})",
    "duplicate_code": "duplicate code",
    "unknown_kind": "unknown kind {value}",
    "not_a_number": "{name} must be a decimal number",
    "not_positive": "{name} must be greater than 0",
    "negative": "{name} must not be negative",
    "too_many_decimals": "{name} must have at most 2 decimals",
    "veto_has_max": "a veto has no max_points (it subtracts deduct)",
    "count_needs_per_item": "a count criterion needs per_item",
    "not_applicable": "{name} does not apply to a {kind} criterion",
    "unknown_direction": "unknown direction {value}",
    "target_needs_metric": "a target criterion needs a metric",
    "unknown_metric": "unknown metric {value}",
    "target_needs_method": "a target criterion needs a method",
    "unknown_method": "unknown method {value}",
    "lower_needs_value": "direction lower is only allowed with metric value",
    "relative_needs_higher": "the relative method is for direction higher only",
    "unknown_band": "max_band {value} is not a band of the table",
    "missing_parent": "parent {parent} does not exist",
    "parent_cycle": "its parent chain loops back to itself",
    "group_without_children": "a group must have children",
    "group_sum": "declared max {declared} differs from the sum of its base children's max {total}",
    "leaf_with_children": "a {kind} criterion cannot have children",
    "band_empty_label": "a band has an empty label",
    "band_duplicate": "duplicate label",
    "band_min_not_number": "min must be a decimal number",
    "band_not_descending": (
        "min {min} must be lower than the previous band's {previous} "
        "(bands go best first, strictly descending)"
    ),
}


@dataclass(frozen=True)
class TableProblem:
    """One reason a table cannot be published.

    ``criterion`` is the code of the criterion it concerns, ``band`` the label of the band it
    concerns, ``table`` is true for the table's own settings (the bonus cap); all three empty
    for a criterion or band that has no usable code or label. ``reason`` is a stable key of
    PROBLEM_MESSAGES and ``params`` the values its message names, already as text (a Decimal
    as written, a quoted value as ``repr`` shows it), so any language can word it.
    """

    reason: str
    criterion: str | None = None
    band: str | None = None
    table: bool = False
    params: tuple[tuple[str, str], ...] = ()

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def message(self) -> str:
        """The problem in English, without the place it concerns."""
        return PROBLEM_MESSAGES[self.reason].format(**self.values)

    def __str__(self) -> str:
        if self.criterion is not None:
            return f"{self.criterion}: {self.message}"
        if self.band is not None:
            return f"band {self.band}: {self.message}"
        if self.table:
            return f"table: {self.message}"
        return self.message


def _problem(reason: str, criterion: str | None = None, **params: object) -> TableProblem:
    return TableProblem(
        reason=reason, criterion=criterion, params=tuple((k, str(v)) for k, v in params.items())
    )


def _number_problems(
    code: str | None,
    name: str,
    value: object,
    *,
    cents: bool = True,
    positive: bool = False,
    table: bool = False,
) -> list[TableProblem]:
    number = _as_decimal(value)
    reason = None
    if number is None:
        reason = "not_a_number"
    elif positive and number <= 0:
        reason = "not_positive"
    elif number < 0:
        reason = "negative"
    elif cents and not _has_at_most_2_decimals(number):
        reason = "too_many_decimals"
    if reason is None:
        return []
    return [TableProblem(reason=reason, criterion=code, table=table, params=(("name", name),))]


def _criterion_problems(criterion: CriterionSpec, band_labels: Sequence[str]) -> list[TableProblem]:
    code, kind = criterion.code, criterion.kind
    if kind not in KINDS:
        return [_problem("unknown_kind", code, value=repr(kind))]
    problems = _number_problems(code, "max_points", criterion.max_points)
    if kind == Kind.VETO and not problems and criterion.max_points != 0:
        problems.append(_problem("veto_has_max", code))

    if kind == Kind.COUNT and criterion.per_item is None:
        problems.append(_problem("count_needs_per_item", code))
    if criterion.per_item is not None:
        if kind in (Kind.COUNT, Kind.BONUS, Kind.DEDUCTION):
            problems += _number_problems(code, "per_item", criterion.per_item, positive=True)
        else:
            problems.append(_problem("not_applicable", code, name="per_item", kind=kind))

    if criterion.direction not in DIRECTIONS:
        problems.append(_problem("unknown_direction", code, value=repr(criterion.direction)))
    if kind == Kind.TARGET:
        if criterion.metric is None:
            problems.append(_problem("target_needs_metric", code))
        elif criterion.metric not in METRICS:
            problems.append(_problem("unknown_metric", code, value=repr(criterion.metric)))
        if criterion.method is None:
            problems.append(_problem("target_needs_method", code))
        elif criterion.method not in METHODS:
            problems.append(_problem("unknown_method", code, value=repr(criterion.method)))
        if criterion.direction == Direction.LOWER:
            if criterion.metric != Metric.VALUE:
                problems.append(_problem("lower_needs_value", code))
            if criterion.method == Method.RELATIVE:
                problems.append(_problem("relative_needs_higher", code))
        if criterion.target is not None:
            problems += _number_problems(code, "target", criterion.target, cents=False)
    else:
        for name in ("metric", "method", "target"):
            if getattr(criterion, name) is not None:
                problems.append(_problem("not_applicable", code, name=name, kind=kind))
        if criterion.direction == Direction.LOWER:
            problems.append(_problem("not_applicable", code, name="direction", kind=kind))

    if kind == Kind.VETO:
        problems += _number_problems(code, "deduct", criterion.deduct)
        if criterion.max_band is not None and criterion.max_band not in band_labels:
            problems.append(_problem("unknown_band", code, value=repr(criterion.max_band)))
    else:
        if criterion.deduct != 0:
            problems.append(_problem("not_applicable", code, name="deduct", kind=kind))
        if criterion.max_band is not None:
            problems.append(_problem("not_applicable", code, name="max_band", kind=kind))
        if not criterion.excludes_leading:
            problems.append(_problem("not_applicable", code, name="excludes_leading", kind=kind))
    return problems


def _tree_problems(criteria: Sequence[CriterionSpec]) -> list[TableProblem]:
    by_code: dict[str, CriterionSpec] = {}
    for criterion in criteria:
        by_code.setdefault(criterion.code, criterion)
    children: dict[str, list[CriterionSpec]] = {code: [] for code in by_code}
    problems: list[TableProblem] = []
    for criterion in criteria:
        parent = criterion.parent
        if parent is None:
            continue
        if parent not in by_code:
            problems.append(_problem("missing_parent", criterion.code, parent=parent))
        else:
            children[parent].append(criterion)
    for code in by_code:
        # A criterion is in a cycle when walking up from its parent leads back to it.
        seen: set[str] = set()
        parent = by_code[code].parent
        while parent is not None and parent in by_code and parent not in seen and parent != code:
            seen.add(parent)
            parent = by_code[parent].parent
        if parent == code:
            problems.append(_problem("parent_cycle", code))
    for code, criterion in by_code.items():
        kids = children[code]
        if criterion.kind == Kind.GROUP:
            if not kids:
                problems.append(_problem("group_without_children", code))
                continue
            if any(_as_decimal(kid.max_points) is None for kid in kids):
                continue  # already reported; the sum would be meaningless
            base_kids = [kid for kid in kids if kid.kind in BASE_KINDS or kid.kind == Kind.GROUP]
            total = sum((_as_decimal(kid.max_points) for kid in base_kids), Decimal(0))
            declared = _as_decimal(criterion.max_points)
            if declared is not None and declared != total:
                problems.append(_problem("group_sum", code, declared=declared, total=total))
        elif kids and criterion.kind in KINDS:
            problems.append(_problem("leaf_with_children", code, kind=criterion.kind))
    return problems


def _band_problems(bands: Sequence[Band]) -> list[TableProblem]:
    problems: list[TableProblem] = []
    seen: set[str] = set()
    previous: Decimal | None = None
    for band in bands:
        label = band.label
        if not band.label:
            problems.append(TableProblem(reason="band_empty_label"))
        elif band.label in seen:
            problems.append(TableProblem(reason="band_duplicate", band=label))
        seen.add(band.label)
        minimum = _as_decimal(band.min)
        if minimum is None:
            problems.append(TableProblem(reason="band_min_not_number", band=label))
            continue
        if previous is not None and minimum >= previous:
            problems.append(
                TableProblem(
                    reason="band_not_descending",
                    band=label,
                    params=(("min", str(minimum)), ("previous", str(previous))),
                )
            )
        previous = minimum
    return problems


def table_problems(
    criteria: Sequence[CriterionSpec], bands: Sequence[Band], bonus_cap: Decimal | None
) -> list[TableProblem]:
    """Every problem that stops a table from being published, all at once ([] when none):
    codes, kinds and their parameters, the tree, group maxima, bands and the bonus cap.
    Each names the criterion (or band) it concerns and a stable reason."""
    problems: list[TableProblem] = []
    seen: set[str] = set()
    for criterion in criteria:
        if not isinstance(criterion.code, str) or not criterion.code.strip():
            problems.append(_problem("empty_code", value=repr(criterion.code)))
        elif criterion.code in seen:
            problems.append(_problem("duplicate_code", criterion.code))
        seen.add(criterion.code)
    band_labels = [band.label for band in bands]
    for criterion in criteria:
        problems += _criterion_problems(criterion, band_labels)
    problems += _tree_problems(criteria)
    problems += _band_problems(bands)
    if bonus_cap is not None:
        problems += _number_problems(None, "bonus_cap", bonus_cap, table=True)
    return problems


def check_table(
    criteria: Sequence[CriterionSpec], bands: Sequence[Band], bonus_cap: Decimal | None
) -> list[str]:
    """table_problems as English lines ("I.2: a group must have children")."""
    return [str(problem) for problem in table_problems(criteria, bands, bonus_cap)]
