"""A score table and its checks: every problem that stops a table from being published (codes,
kinds and their parameters, the tree, group maxima, bands and the bonus cap), each with a
stable reason a translated interface words in its own language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .kinds import (
    BASE_KINDS,
    DIRECTIONS,
    KINDS,
    METHODS,
    METRICS,
    Band,
    CriterionSpec,
    Direction,
    Kind,
    Method,
    Metric,
)
from .numbers import as_decimal, has_at_most_2_decimals

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
    number = as_decimal(value)
    reason = None
    if number is None:
        reason = "not_a_number"
    elif positive and number <= 0:
        reason = "not_positive"
    elif number < 0:
        reason = "negative"
    elif cents and not has_at_most_2_decimals(number):
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
            if any(as_decimal(kid.max_points) is None for kid in kids):
                continue  # already reported; the sum would be meaningless
            base_kids = [kid for kid in kids if kid.kind in BASE_KINDS or kid.kind == Kind.GROUP]
            total = sum((as_decimal(kid.max_points) for kid in base_kids), Decimal(0))
            declared = as_decimal(criterion.max_points)
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
        minimum = as_decimal(band.min)
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
