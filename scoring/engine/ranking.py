"""Ranking the units of a cluster at one stage, and who leads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .kinds import Key


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
