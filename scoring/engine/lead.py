"""What it takes to lead the cluster (issue 16 point 5): the gap to the leading unit and the
points each criterion still leaves open. Pure: Decimals in and out."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .kinds import BASE_KINDS, CriterionSpec, Kind
from .numbers import ZERO_POINTS, cent, decimal_context
from .ranking import RankInput


@dataclass(frozen=True)
class OpenPoints:
    """A criterion's room: ``open`` points still to gain (base and bonus leaves: max −
    points; a group: the sum over its base leaves), or ``suffered`` points lost (deduction
    leaves: their points; a violated veto: its deduction). Not-assigned leaves have neither."""

    open: Decimal = ZERO_POINTS
    suffered: Decimal = ZERO_POINTS


def open_points(
    criteria: Sequence[CriterionSpec],
    points: Mapping[str, Decimal | None],
    violated: Mapping[str, bool],
    not_assigned: Collection[str] = frozenset(),
) -> dict[str, OpenPoints]:
    """Per criterion code, what is still open or was suffered (see OpenPoints). A leaf with
    no input counts 0 points, so its whole maximum is open. Groups add up the open points of
    their base leaves, as their subtotal adds up their points."""
    by_code = {c.code: c for c in criteria}
    result: dict[str, OpenPoints] = {}
    group_open: dict[str, Decimal] = {c.code: ZERO_POINTS for c in criteria if c.kind == Kind.GROUP}
    with decimal_context():
        for criterion in criteria:
            kind = criterion.kind
            if kind == Kind.GROUP or criterion.code in not_assigned:
                continue
            value = points.get(criterion.code)
            got = ZERO_POINTS if value is None else cent(value)
            if kind == Kind.VETO:
                hit = violated.get(criterion.code) is True
                result[criterion.code] = OpenPoints(
                    suffered=cent(criterion.deduct) if hit else ZERO_POINTS
                )
            elif kind == Kind.DEDUCTION:
                result[criterion.code] = OpenPoints(suffered=got)
            else:
                room = max(ZERO_POINTS, cent(criterion.max_points) - got)
                result[criterion.code] = OpenPoints(open=room)
                if kind in BASE_KINDS:
                    parent = criterion.parent
                    seen: set[str] = set()
                    while parent is not None and parent in group_open and parent not in seen:
                        group_open[parent] += room
                        seen.add(parent)
                        parent = by_code[parent].parent
    for code, room in group_open.items():
        result[code] = OpenPoints(open=room)
    return result


def leader_total(sheets: Mapping[object, RankInput]) -> Decimal | None:
    """The total of the cluster's leading unit(s): the highest total among the units no veto
    excludes (engine.rank_cluster's rule); None when every unit is excluded."""
    eligible = [s.total for s in sheets.values() if not s.excluded_from_leading]
    return max(eligible) if eligible else None


def gap_to_lead(total: Decimal, leader: Decimal | None) -> Decimal | None:
    """Points the unit lacks to reach the leading total (0 when it leads or is level)."""
    if leader is None:
        return None
    with decimal_context():
        return max(ZERO_POINTS, cent(leader) - cent(total))
