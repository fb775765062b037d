"""A sheet's figures from its leaf points: base, bonus, deduction, total, band, group
subtotals, completeness and exclusion from leading; the base normalised to the whole table
when some criteria are not assigned to the unit."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .kinds import BASE_KINDS, Band, CriterionSpec, Kind
from .numbers import ZERO_POINTS, cent, cents, decimal_context


@dataclass(frozen=True)
class SheetFigures:
    """Everything a sheet shows, computed from its leaf points. `base` is the normalised
    base (equal to `raw_base` where every criterion is assigned); `points` and `subtotals`
    leave the criteria in `not_assigned` out."""

    base: Decimal
    raw_base: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    band: str | None
    complete: bool
    excluded_from_leading: bool
    subtotals: dict[str, Decimal]
    points: dict[str, Decimal]
    not_assigned: frozenset[str] = field(default_factory=frozenset)


def unassigned_leaves(criteria: Sequence[CriterionSpec], marked: Collection[str]) -> frozenset[str]:
    """The codes of the base leaves not assigned to a unit, from the codes marked not
    assigned: a marked base leaf, and every base leaf under a marked group. Raises
    ValueError for an unknown code, and for a bonus, deduction or veto criterion (those are
    always assigned)."""
    by_code = {criterion.code: criterion for criterion in criteria}
    for code in marked:
        criterion = by_code.get(code)
        if criterion is None:
            raise ValueError(f"{code}: no such criterion to leave unassigned")
        if criterion.kind not in BASE_KINDS and criterion.kind != Kind.GROUP:
            raise ValueError(f"{code}: a {criterion.kind} criterion is always assigned")
    marked = set(marked)
    return frozenset(
        criterion.code
        for criterion in criteria
        if criterion.kind in BASE_KINDS
        and (criterion.code in marked or marked.intersection(_ancestors(criterion, by_code)))
    )


def normalised_base(raw_base: Decimal, table_max: Decimal, assigned_max: Decimal) -> Decimal:
    """The base of a unit some criteria are not assigned to, normalised to the whole table:
    raw base × table max / assigned max, exactly, then rounded to 2 decimals half up. Where
    everything is assigned (assigned max = table max) it is the raw base; so it is where
    nothing is (assigned max 0: there is nothing to scale, and the raw base is 0)."""
    if assigned_max == table_max or assigned_max <= 0:
        return cent(raw_base)
    return cents(Fraction(raw_base) * Fraction(table_max) / Fraction(assigned_max))


def sheet_figures(
    criteria: Sequence[CriterionSpec],
    points: Mapping[str, Decimal | None],
    violated: Mapping[str, bool],
    bands: Sequence[Band],
    bonus_cap: Decimal | None,
    not_assigned: Collection[str] = frozenset(),
) -> SheetFigures:
    """A sheet's base, bonus, deduction, total, band and subtotals.

    `points` holds the computed points per leaf code (None or absent = not entered); for vetoes
    `violated` is what counts (absent = not answered: incomplete, and not violated). `bands` are
    given best first. The table is assumed to pass check_table.

    `not_assigned` holds the codes of the base leaves not assigned to the unit (see
    unassigned_leaves): they count no points (whatever `points` holds for them), do not make
    the sheet incomplete, and are left out of `points` and the subtotals. The raw base is the
    sum of the assigned base leaves' points; the base is the raw base normalised to the whole
    table (normalised_base: × the sum of max of all base leaves / the sum of max of the base
    leaves assigned), and total, band, rank and leading use that base.
    """
    by_code = {criterion.code: criterion for criterion in criteria}
    unknown = sorted(set(points) - set(by_code))
    if unknown:
        raise ValueError(f"points given for unknown criteria: {', '.join(unknown)}")
    not_assigned = frozenset(not_assigned)
    misplaced = sorted(
        code for code in not_assigned if code not in by_code or by_code[code].kind not in BASE_KINDS
    )
    if misplaced:
        raise ValueError(f"only base leaves can be not assigned, not: {', '.join(misplaced)}")
    labels = [band.label for band in bands]
    counted: dict[str, Decimal] = {}
    subtotals: dict[str, Decimal] = {c.code: ZERO_POINTS for c in criteria if c.kind == Kind.GROUP}
    complete = True
    excluded = False
    band_caps: list[str] = []
    with decimal_context():
        base = bonus = deduction = ZERO_POINTS
        table_max = assigned_max = Decimal(0)
        for criterion in criteria:
            kind = criterion.kind
            if kind == Kind.GROUP:
                continue
            if kind in BASE_KINDS:
                table_max += criterion.max_points
                if criterion.code in not_assigned:
                    continue
                assigned_max += criterion.max_points
            if kind == Kind.VETO:
                state = violated.get(criterion.code)
                complete = complete and state is not None
                hit = state is True
                counted[criterion.code] = cent(criterion.deduct) if hit else ZERO_POINTS
                if hit:
                    deduction += counted[criterion.code]
                    excluded = excluded or criterion.excludes_leading
                    if criterion.max_band is not None:
                        band_caps.append(criterion.max_band)
                continue
            value = points.get(criterion.code)
            complete = complete and value is not None
            counted[criterion.code] = ZERO_POINTS if value is None else cent(value)
            if kind == Kind.BONUS:
                bonus += counted[criterion.code]
            elif kind == Kind.DEDUCTION:
                deduction += counted[criterion.code]
            else:
                base += counted[criterion.code]
                for ancestor in _ancestors(criterion, by_code):
                    subtotals[ancestor] += counted[criterion.code]
        if bonus_cap is not None:
            bonus = min(bonus, cent(bonus_cap))
        raw_base = base
        if not_assigned:
            base = normalised_base(raw_base, table_max, assigned_max)
        total = max(ZERO_POINTS, base + bonus - deduction)

    band = next((b.label for b in bands if b.min <= total), None)
    for cap in band_caps:
        if cap not in labels:
            raise ValueError(f"unknown band {cap!r} in a veto's max_band")
        # Bands are best first, so the worse of two is the one further down the list.
        if band is not None and labels.index(cap) > labels.index(band):
            band = cap
    return SheetFigures(
        base=base,
        raw_base=raw_base,
        bonus=bonus,
        deduction=deduction,
        total=total,
        band=band,
        complete=complete,
        excluded_from_leading=excluded,
        subtotals=subtotals,
        points=counted,
        not_assigned=not_assigned,
    )


def _ancestors(criterion: CriterionSpec, by_code: Mapping[str, CriterionSpec]) -> list[str]:
    found: list[str] = []
    parent = criterion.parent
    while parent is not None and parent in by_code and parent not in found:
        found.append(parent)
        parent = by_code[parent].parent
    return found
