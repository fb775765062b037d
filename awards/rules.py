"""The award rules as pure Python (no Django import): who may be proposed for each award
type of a cluster, and whether a vote passes (domain.md section 6).

Decisions, so they are made once:
- A restricted unit (under discipline or inspection) is never eligible; restrictions are
  checked first, so a restricted unit does not take one of the "N per cluster" places.
- ``leading_only``: only units marked leading in the published results.
- ``min_band``: units whose band is that band or a better one (``bands`` best first); a
  unit without a band, or with a band the table does not list, is below it.
- ``max_per_cluster`` N: among the units still eligible, by rank, a unit keeps its place
  when fewer than N eligible units rank strictly better. Units tied at the limit all keep
  their place and the vote decides (as with tied leading units), so a limit of 1 with two
  units tied first leaves both eligible.
- A vote passes when the share of votes for, rounded half up to 4 decimals (the precision
  of the configured share), is at least the pass share: with 2/3 stored as 0.6667, 2 votes
  of 3 pass and 5 of 8 do not. At exactly the share it passes (≥, not >).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SHARE_PLACES = Decimal("0.0001")

RESTRICTED = "restricted"
NOT_LEADING = "not_leading"
BELOW_BAND = "below_band"
BEYOND_LIMIT = "beyond_limit"


@dataclass(frozen=True)
class UnitResult:
    """A unit's published final result in its cluster."""

    unit_id: int
    rank: int | None
    total: Decimal
    band: str = ""
    leading: bool = False


@dataclass(frozen=True)
class AwardRule:
    code: str
    leading_only: bool = False
    min_band: str = ""
    max_per_cluster: int | None = None


@dataclass(frozen=True)
class Restriction:
    unit_id: int
    kind: str  # discipline | inspection
    reason: str


@dataclass(frozen=True)
class Exclusion:
    """Why a unit is not eligible: ``reason`` is one of the constants above; ``detail`` the
    band (below_band), the limit (beyond_limit) or the restriction's kind (restricted);
    ``text`` the restriction's written reason."""

    result: UnitResult
    reason: str
    detail: str = ""
    text: str = ""


@dataclass
class Eligibility:
    code: str
    eligible: list[UnitResult] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)


def _order(result: UnitResult) -> tuple:
    return (result.rank is None, result.rank or 0, -result.total, result.unit_id)


def at_or_above(band: str, min_band: str, bands: list[str]) -> bool:
    """Whether ``band`` is ``min_band`` or better (``bands`` best first)."""
    if not min_band:
        return True
    if band not in bands or min_band not in bands:
        return False
    return bands.index(band) <= bands.index(min_band)


def eligibility(
    results: list[UnitResult],
    bands: list[str],
    rule: AwardRule,
    restrictions: list[Restriction] = (),
) -> Eligibility:
    """The eligible units of one cluster for one award type, by rank, and the excluded ones
    with their reasons (also by rank)."""
    restricted: dict[int, Restriction] = {}
    for restriction in restrictions:
        restricted.setdefault(restriction.unit_id, restriction)
    out = Eligibility(code=rule.code)
    candidates: list[UnitResult] = []
    for result in sorted(results, key=_order):
        restriction = restricted.get(result.unit_id)
        if restriction is not None:
            out.excluded.append(Exclusion(result, RESTRICTED, restriction.kind, restriction.reason))
        elif rule.leading_only and not result.leading:
            out.excluded.append(Exclusion(result, NOT_LEADING))
        elif not at_or_above(result.band, rule.min_band, bands):
            out.excluded.append(Exclusion(result, BELOW_BAND, rule.min_band))
        else:
            candidates.append(result)
    limit = rule.max_per_cluster
    for result in candidates:
        better = sum(1 for other in candidates if _better(other, result))
        if limit is not None and better >= limit:
            out.excluded.append(Exclusion(result, BEYOND_LIMIT, str(limit)))
        else:
            out.eligible.append(result)
    out.excluded.sort(key=lambda e: _order(e.result))
    return out


def _better(a: UnitResult, b: UnitResult) -> bool:
    """Whether ``a`` ranks strictly better than ``b`` (lower rank; a unit without a rank
    is last)."""
    if a.rank is None:
        return False
    return b.rank is None or a.rank < b.rank


def vote_share(members_present: int, votes_for: int) -> Decimal:
    """votes for / members present, rounded half up to 4 decimals (0 with nobody present)."""
    if members_present <= 0:
        return Decimal(0)
    return (Decimal(votes_for) / Decimal(members_present)).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_UP
    )


def vote_passed(members_present: int, votes_for: int, pass_share: Decimal) -> bool:
    """A proposal passes when its share of votes is at least the pass share."""
    if members_present <= 0:
        return False
    return vote_share(members_present, votes_for) >= pass_share
