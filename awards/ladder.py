"""The title ladder as pure Python (no Django import): for every unit and title of a
campaign, each condition of the title's rules with pass/fail and the figure behind it
(docs/awards.md).

Plain values in (``TitleSpec`` with its ``RuleSpec``s, ``UnitFacts`` per unit, the year),
plain values out (``Condition`` per rule, in the rules' order). Decisions, so they are made
once:

- A unit is eligible for a title when every condition passes; a title with no rule is open
  to every unit with a published result.
- "Held this year" (``requires_title``, ``excludes``): the unit is eligible for that title
  this year, or holds it for the year already (a past title of the campaign's year, e.g.
  granted by a decision). Titles are evaluated so that a title comes after the titles its
  rules name; in a cycle, a title not evaluated yet counts only through past titles.
- Past years (``past_titles``, ``past_bands``): the ``years`` years before the campaign's
  year (a 2023 rule over 2 years reads 2021 and 2022). The unit must meet it in every one
  of them, or in at least ``at_least`` of them. A year with no record fails.
- Bands compare by the order of the table's bands (best first): a band the table does not
  list, or no band, is below every band.
- ``figure_share``: count / headcount against the share (a fraction, exact: count ≥ share ×
  headcount); only figures checked by staff count; a headcount of 0 fails.
- ``quota``: among the units that pass every other condition of the title, a unit keeps
  its place when fewer than the limit rank strictly better (per cluster: by the cluster's
  rank; per campaign: by total, higher first); units tied at the limit all keep their
  place. The limit is the number, or the share × the number of units in the scope (the
  cluster's members, the campaign's members) rounded down, at least 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MIN_BAND = "min_band"
LEADING = "leading"
REQUIRES_TITLE = "requires_title"
PAST_TITLES = "past_titles"
PAST_BANDS = "past_bands"
QUOTA = "quota"
EXCLUDES = "excludes"
NO_RESTRICTION = "no_restriction"
FIGURE_SHARE = "figure_share"

CLUSTER = "cluster"
CAMPAIGN = "campaign"
AT_LEAST = "at_least"
AT_MOST = "at_most"
PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    band: str = ""
    titles: tuple[str, ...] = ()
    years: int | None = None
    at_least: int | None = None
    scope: str = CLUSTER
    number: int | None = None
    share: Decimal | None = None
    figure: str = ""
    comparison: str = AT_LEAST
    article: str = ""
    implicit: bool = False  # from the award type's own settings, not a rule of its own


@dataclass(frozen=True)
class TitleSpec:
    code: str
    rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class Result:
    """A unit's published year-end result: band, total, rank in its cluster, leading."""

    total: Decimal
    band: str = ""
    rank: int | None = None
    leading: bool = False
    bands: tuple[str, ...] = ()  # its table's bands, best first


@dataclass(frozen=True)
class Figures:
    headcount: int
    counts: dict[str, int]  # by figure: advanced_soldiers, emulation_soldiers, disciplined
    checked: bool = False


@dataclass(frozen=True)
class UnitFacts:
    unit_id: int
    cluster_id: int | None
    result: Result | None = None
    restrictions: tuple[tuple[str, str], ...] = ()  # (kind, reason)
    titles_by_year: dict[int, frozenset[str]] = field(default_factory=dict)
    results_by_year: dict[int, Result] = field(default_factory=dict)
    figures: Figures | None = None


@dataclass(frozen=True)
class Condition:
    """One rule for one unit: ``passed`` and ``values``, the figure behind it (plain
    values, named per kind: see each ``_check_*``)."""

    rule: RuleSpec
    passed: bool
    values: dict


@dataclass
class Outcome:
    unit_id: int
    code: str
    conditions: list[Condition] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.conditions)

    @property
    def failed(self) -> list[Condition]:
        return [c for c in self.conditions if not c.passed]


def at_or_above(band: str, min_band: str, bands: Iterable[str]) -> bool:
    """Whether ``band`` is ``min_band`` or better (``bands`` best first)."""
    bands = list(bands)
    if not min_band:
        return True
    if band not in bands or min_band not in bands:
        return False
    return bands.index(band) <= bands.index(min_band)


def percent(count: int, whole: int) -> Decimal:
    """count / whole × 100, rounded half up to 2 decimals (for display)."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(count) * 100 / Decimal(whole)).quantize(PERCENT_PLACES, ROUND_HALF_UP)


def quota_limit(rule: RuleSpec, size: int) -> int:
    """The places of a quota: its number, or share × size rounded down, at least 0."""
    if rule.number is not None:
        return max(0, rule.number)
    share = rule.share if rule.share is not None else Decimal(0)
    return max(0, math.floor(share * size))


# --- One condition each ----------------------------------------------------------------------


def _result_values(result: Result | None) -> dict:
    if result is None:
        return {"band": "", "total": None, "rank": None, "leading": False}
    return {
        "band": result.band,
        "total": result.total,
        "rank": result.rank,
        "leading": result.leading,
    }


def check_min_band(rule: RuleSpec, facts: UnitFacts) -> Condition:
    """values: band, total, rank, leading, required (the rule's band)."""
    result = facts.result
    passed = result is not None and at_or_above(result.band, rule.band, result.bands)
    return Condition(rule, passed, {**_result_values(result), "required": rule.band})


def check_leading(rule: RuleSpec, facts: UnitFacts) -> Condition:
    """values: band, total, rank, leading."""
    result = facts.result
    return Condition(rule, bool(result and result.leading), _result_values(result))


def check_requires_title(rule: RuleSpec, facts: UnitFacts, held: frozenset[str]) -> Condition:
    """values: held (the required codes the unit holds this year), required."""
    found = [code for code in rule.titles if code in held]
    return Condition(rule, bool(found), {"held": found, "required": list(rule.titles)})


def check_excludes(rule: RuleSpec, facts: UnitFacts, held: frozenset[str]) -> Condition:
    """values: held (the excluded codes the unit holds this year), excluded."""
    found = [code for code in rule.titles if code in held]
    return Condition(rule, not found, {"held": found, "excluded": list(rule.titles)})


def _window(rule: RuleSpec, year: int) -> list[int]:
    return list(range(year - (rule.years or 0), year))


def _required(rule: RuleSpec, years: list[int]) -> int:
    return len(years) if rule.at_least is None else min(rule.at_least, len(years))


def check_past_titles(rule: RuleSpec, facts: UnitFacts, year: int) -> Condition:
    """values: years [(year, code held or "")], count, required."""
    years = _window(rule, year)
    found = []
    for y in years:
        held = facts.titles_by_year.get(y, frozenset())
        found.append((y, next((c for c in rule.titles if c in held), "")))
    count = sum(1 for _, code in found if code)
    required = _required(rule, years)
    return Condition(
        rule, count >= required, {"years": found, "count": count, "required": required}
    )


def check_past_bands(rule: RuleSpec, facts: UnitFacts, year: int) -> Condition:
    """values: years [(year, band or "", total or None, met)], count, required."""
    years = _window(rule, year)
    found = []
    for y in years:
        result = facts.results_by_year.get(y)
        met = result is not None and at_or_above(result.band, rule.band, result.bands)
        found.append((y, result.band if result else "", result.total if result else None, met))
    count = sum(1 for row in found if row[3])
    required = _required(rule, years)
    return Condition(
        rule, count >= required, {"years": found, "count": count, "required": required}
    )


def check_no_restriction(rule: RuleSpec, facts: UnitFacts) -> Condition:
    """values: restrictions [(kind, reason)]."""
    return Condition(rule, not facts.restrictions, {"restrictions": list(facts.restrictions)})


def check_figure_share(rule: RuleSpec, facts: UnitFacts) -> Condition:
    """values: state ("missing", "unchecked", "no_headcount" or "ok"), count, headcount,
    percent, required_percent, comparison."""
    share = rule.share if rule.share is not None else Decimal(0)
    values = {
        "state": "ok",
        "count": None,
        "headcount": None,
        "percent": None,
        "required_percent": (share * 100).quantize(PERCENT_PLACES, ROUND_HALF_UP),
        "comparison": rule.comparison,
        "figure": rule.figure,
    }
    figures = facts.figures
    if figures is None:
        return Condition(rule, False, {**values, "state": "missing"})
    count = figures.counts.get(rule.figure, 0)
    values.update(count=count, headcount=figures.headcount)
    if not figures.checked:
        return Condition(rule, False, {**values, "state": "unchecked"})
    if figures.headcount <= 0:
        return Condition(rule, False, {**values, "state": "no_headcount"})
    values["percent"] = percent(count, figures.headcount)
    # Exact: count / headcount ≥ share  ⇔  count ≥ share × headcount.
    if rule.comparison == AT_MOST:
        passed = Decimal(count) <= share * figures.headcount
    else:
        passed = Decimal(count) >= share * figures.headcount
    return Condition(rule, passed, values)


# --- A campaign ------------------------------------------------------------------------------


def _named(title: TitleSpec) -> set[str]:
    return {
        code
        for rule in title.rules
        if rule.kind in (REQUIRES_TITLE, EXCLUDES)
        for code in rule.titles
    }


def title_order(titles: list[TitleSpec]) -> list[TitleSpec]:
    """The titles so that each comes after the titles its same-year rules name (the given
    order otherwise; a cycle keeps the given order for its titles)."""
    codes = {t.code for t in titles}
    done: list[TitleSpec] = []
    placed: set[str] = set()
    pending = list(titles)
    while pending:
        for title in pending:
            if (_named(title) & codes) - placed - {title.code} == set():
                break
        else:  # a cycle: take the first one waiting
            title = pending[0]
        pending.remove(title)
        done.append(title)
        placed.add(title.code)
    return done


def _better_in_cluster(a: UnitFacts, b: UnitFacts) -> bool:
    ra = a.result.rank if a.result else None
    rb = b.result.rank if b.result else None
    if ra is None:
        return False
    return rb is None or ra < rb


def _better_in_campaign(a: UnitFacts, b: UnitFacts) -> bool:
    if a.result is None:
        return False
    return b.result is None or a.result.total > b.result.total


def evaluate(
    titles: list[TitleSpec], units: list[UnitFacts], year: int
) -> dict[tuple[int, str], Outcome]:
    """Every unit × title: its conditions, in each title's rule order. Keyed (unit id,
    title code)."""
    held: dict[int, set[str]] = {
        u.unit_id: set(u.titles_by_year.get(year, frozenset())) for u in units
    }
    cluster_sizes: dict[int | None, int] = {}
    for unit in units:
        cluster_sizes[unit.cluster_id] = cluster_sizes.get(unit.cluster_id, 0) + 1
    out: dict[tuple[int, str], Outcome] = {}
    for title in title_order(titles):
        pre: dict[int, list[Condition | None]] = {}
        for unit in units:
            now = frozenset(held[unit.unit_id])
            row: list[Condition | None] = []
            for rule in title.rules:
                row.append(_check(rule, unit, year, now))
            pre[unit.unit_id] = row
        candidates = [u for u in units if all(c is None or c.passed for c in pre[u.unit_id])]
        for unit in units:
            outcome = Outcome(unit.unit_id, title.code)
            for rule, condition in zip(title.rules, pre[unit.unit_id], strict=True):
                if condition is None:
                    condition = _check_quota(rule, unit, candidates, units, cluster_sizes)
                outcome.conditions.append(condition)
            out[(unit.unit_id, title.code)] = outcome
            if outcome.eligible:
                held[unit.unit_id].add(title.code)
    return out


def _check(rule: RuleSpec, unit: UnitFacts, year: int, held: frozenset[str]) -> Condition | None:
    """The condition of every kind but quota (None: decided once the others are)."""
    if rule.kind == MIN_BAND:
        return check_min_band(rule, unit)
    if rule.kind == LEADING:
        return check_leading(rule, unit)
    if rule.kind == REQUIRES_TITLE:
        return check_requires_title(rule, unit, held)
    if rule.kind == EXCLUDES:
        return check_excludes(rule, unit, held)
    if rule.kind == PAST_TITLES:
        return check_past_titles(rule, unit, year)
    if rule.kind == PAST_BANDS:
        return check_past_bands(rule, unit, year)
    if rule.kind == NO_RESTRICTION:
        return check_no_restriction(rule, unit)
    if rule.kind == FIGURE_SHARE:
        return check_figure_share(rule, unit)
    if rule.kind == QUOTA:
        return None
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def _check_quota(
    rule: RuleSpec,
    unit: UnitFacts,
    candidates: list[UnitFacts],
    units: list[UnitFacts],
    cluster_sizes: dict[int | None, int],
) -> Condition:
    """values: scope, size (units in the scope), limit, position (1 + the candidates
    strictly better; None when the unit is not a candidate), candidate."""
    if rule.scope == CAMPAIGN:
        size = len(units)
        rivals = candidates
        better = _better_in_campaign
    else:
        size = cluster_sizes.get(unit.cluster_id, 0)
        rivals = [u for u in candidates if u.cluster_id == unit.cluster_id]
        better = _better_in_cluster
    limit = quota_limit(rule, size)
    candidate = any(u.unit_id == unit.unit_id for u in rivals)
    position = 1 + sum(1 for other in rivals if better(other, unit)) if candidate else None
    values = {
        "scope": rule.scope,
        "size": size,
        "limit": limit,
        "position": position,
        "candidate": candidate,
        "number": rule.number,
        "share": rule.share,
    }
    passed = candidate and position is not None and position - 1 < limit
    return Condition(rule, passed, values)
