"""Points shown with a sign: a bonus adds ("+"), a deduction or a veto takes away ("−").

A group with no base leaf below it has no subtotal of base points to show (its subtotal in
sheet_figures is 0), so every page and document shows the sum of what its leaves count
instead, with the sign of those leaves: "+" when they are all bonuses, "−" when they are all
deductions or vetoes. A group mixing bonuses and deductions has no sign.
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


@dataclass(frozen=True)
class SignedGroup:
    """A group with no base leaf below it: the sign of its leaves ("" for a mix of bonuses and
    deductions) and the codes of every leaf below it, at any depth, in table order."""

    sign: str
    leaves: tuple[str, ...]

    def points(self, points: Mapping[str, Decimal | None]) -> Decimal:
        """What the group shows: the sum of its leaves' points (absent or None counts 0),
        exactly, as a positive number (the sign says whether it adds or takes away)."""
        with decimal_context():
            return sum((points.get(code) or ZERO_POINTS for code in self.leaves), ZERO_POINTS)


def signed_groups(
    criteria: Sequence[CriterionSpec], *, mixed: bool = True
) -> dict[str, SignedGroup]:
    """{group code: SignedGroup} for every group that has leaves below it, none of them a base
    leaf; without ``mixed``, only those with a sign (the groups mixing bonuses and deductions
    left out). Groups holding a base leaf anywhere below them, and groups with no leaf at all,
    are left out: they show their subtotal. No group is read twice up a broken parent
    chain.

    One rule, two ways of writing numbers, hence ``mixed``: the grid writes every figure
    without a sign (bonus, deduction and the groups' sums are magnitudes in columns named by
    their kind), so a mixed group is one more sum of magnitudes there (``mixed=True``, the
    grid and its cell saves). The sheet page, its preview and documents write "+" or "−"
    before a group's sum; a mixed group has no one sign, and an unsigned sum would read as
    a bonus, so they show its subtotal (0) instead (``mixed=False``, also the cluster
    report's areas). docs/scoring.md "Shown groups"."""
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
    groups = {
        code: SignedGroup(sign=points_sign(found), leaves=tuple(leaves[code]))
        for code, found in kinds.items()
        if not found & BASE_KINDS
    }
    return groups if mixed else {code: g for code, g in groups.items() if g.sign}
