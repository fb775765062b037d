"""A sheet's figures from its leaf points: base, bonus, deduction, total, band, group
subtotals, completeness and exclusion from leading."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .kinds import Band, CriterionSpec, Kind
from .numbers import ZERO_POINTS, cent, decimal_context


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
    subtotals: dict[str, Decimal] = {c.code: ZERO_POINTS for c in criteria if c.kind == Kind.GROUP}
    complete = True
    excluded = False
    band_caps: list[str] = []
    with decimal_context():
        base = bonus = deduction = ZERO_POINTS
        for criterion in criteria:
            kind = criterion.kind
            if kind == Kind.GROUP:
                continue
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
