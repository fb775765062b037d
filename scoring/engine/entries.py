"""A unit's entry for one leaf: which inputs each kind takes, and what is wrong with an entry."""

from __future__ import annotations

from .kinds import ENTRY_FIELDS, CriterionSpec, EntryInput, Kind, Metric
from .numbers import as_decimal, as_whole, has_at_most_2_decimals


class InputError(ValueError):
    """A refused input. `code` names the criterion, `field` the EntryInput field, `reason` is a
    stable key (e.g. "above_max") a translated UI can map to its own wording."""

    def __init__(self, code: str, field: str | None, reason: str, message: str) -> None:
        self.code = code
        self.field = field
        self.reason = reason
        self.message = message
        super().__init__(f"{code}: {message}")


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
    number = as_decimal(value)
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
        if not has_at_most_2_decimals(number):
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
    numerator = as_whole(given.get("numerator"))
    denominator = as_whole(given.get("denominator"))
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


def raise_first(errors: list[InputError]) -> None:
    """Raise the first of `errors`, if any (the point functions refuse a bad entry)."""
    if errors:
        raise errors[0]
