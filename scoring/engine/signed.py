"""Points shown with a sign: a bonus adds ("+"), a deduction or a veto takes away ("−").

A group with no base leaf below it has no subtotal of base points to show (its subtotal in
sheet_figures is 0), so every page and document shows what its leaves do to the total
instead: their NET effect, the bonuses minus the deductions and vetoes, written with "+"
when it adds, "−" when it takes away and no sign at 0. One rule for every group: all
bonuses (a positive net), all deductions (a negative net) or a mix of both (either).
docs/scoring.md "Shown groups".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .kinds import BASE_KINDS, CriterionSpec, Kind
from .numbers import ZERO_POINTS, decimal_context

PLUS = "+"
MINUS = "−"  # U+2212, the minus sign, as every page and document writes it
# Kinds whose points are taken away from the total.
MINUS_KINDS = frozenset({Kind.DEDUCTION, Kind.VETO})


def points_sign(kinds: Iterable[str]) -> str:
    """The sign written before points made of leaves of these kinds: "+" when they are all
    bonuses, "−" when they are all deductions or vetoes, "" otherwise (base points, a mix,
    or no leaf at all)."""
    found = set(kinds)
    if found == {Kind.BONUS}:
        return PLUS
    if found and found <= MINUS_KINDS:
        return MINUS
    return ""


def signed_sign(net: Decimal) -> str:
    """The sign written before a net effect: "+" when it adds, "−" when it takes away, ""
    at 0."""
    if net > 0:
        return PLUS
    if net < 0:
        return MINUS
    return ""


@dataclass(frozen=True)
class SignedGroup:
    """A group with no base leaf below it: the codes of every leaf below it, at any depth, in
    table order, and those of them that take away (deductions and vetoes)."""

    leaves: tuple[str, ...]
    minus: frozenset[str] = frozenset()

    @property
    def mixed(self) -> bool:
        """Bonuses and deductions (or vetoes) together below the group."""
        return bool(self.minus) and len(self.minus) < len(set(self.leaves))

    @property
    def kinds_sign(self) -> str:
        """The sign of its leaves' kinds, whatever their points: "+" all bonuses, "−" all
        deductions or vetoes, "" a mix (a column heading's sign)."""
        if not self.minus:
            return PLUS
        return "" if self.mixed else MINUS

    def net(self, points: Mapping[str, Decimal | None]) -> Decimal:
        """What the group does to the total: its bonuses' points minus its deductions' and
        vetoes' (each leaf's points a magnitude; absent or None counts 0), exactly."""
        with decimal_context():
            total = ZERO_POINTS
            for code in self.leaves:
                value = points.get(code) or ZERO_POINTS
                total = total - value if code in self.minus else total + value
            return total

    def points(self, points: Mapping[str, Decimal | None]) -> Decimal:
        """The net effect's magnitude, what is written after ``sign``."""
        net = self.net(points)
        with decimal_context():
            return abs(net)

    def sign(self, points: Mapping[str, Decimal | None]) -> str:
        """The sign written before ``points``: "+", "−", or "" when the net is 0."""
        return signed_sign(self.net(points))


def signed_groups(criteria: Sequence[CriterionSpec]) -> dict[str, SignedGroup]:
    """{group code: SignedGroup} for every group that has leaves below it, none of them a base
    leaf: bonuses only, deductions and vetoes only, or a mix (shown by its net effect, see
    the module). Groups holding a base leaf anywhere below them, and groups with no leaf at
    all, are left out: they show their subtotal. No group is read twice up a broken parent
    chain."""
    by_code = {criterion.code: criterion for criterion in criteria}
    kinds: dict[str, set[str]] = {}
    leaves: dict[str, list[str]] = {}
    for leaf in criteria:
        if leaf.kind == Kind.GROUP:
            continue
        seen: set[str] = set()
        parent = leaf.parent
        while parent is not None and parent in by_code and parent not in seen:
            seen.add(parent)
            kinds.setdefault(parent, set()).add(leaf.kind)
            leaves.setdefault(parent, []).append(leaf.code)
            parent = by_code[parent].parent
    kind_of = {c.code: c.kind for c in criteria}
    return {
        code: SignedGroup(
            leaves=tuple(leaves[code]),
            minus=frozenset(c for c in leaves[code] if kind_of[c] in MINUS_KINDS),
        )
        for code, found in kinds.items()
        if not found & BASE_KINDS
    }
