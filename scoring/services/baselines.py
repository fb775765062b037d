"""Last year's figures that carry over (issue 14 point 2): a reduction criterion's baseline
(last year's count) and a target criterion's last-year figure (its value or rate).

For every target criterion of a table and every member unit of the clusters it applies to,
``baselines_carry`` looks for the unit's published final sheet of the year-end review of
the organiser's previous year with a criterion of the same code, and stores its figure with
where it came from (``UnitBaseline``: year, publication date, the units added up). A merged
unit (one that others name as their successor, ``Unit.successor``) takes the sum of its own
figure, if it had a sheet, and its predecessors'. Staff type a figure where none carries,
or correct one, with a reason (``baseline_set``); a typed figure is never overwritten by a
later carry.

The figure of each metric, read from last year's entry of the same code:
- ``reduction`` and ``value``: its ``actual`` (for a reduction, last year's count is this
  year's baseline); summed over the units added up.
- ``rate``: the sum of numerators over the sum of denominators × 100, rounded to 4 decimals
  half up (a sum of rates would mean nothing); none when the denominators add up to 0.
A unit whose sheet (or one of whose predecessors' sheets) has no such input carries nothing.

The baseline input of a unit's reduction entries follows the figure: an entry given this
year's count without a baseline takes it (``fill_carried_baseline``, called by every write
of entries), so the unit types only this year's count; and a changed figure replaces the
baseline of the unit's unlocked entries that held the old one (recorded in each entry's
history, points recomputed).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from clusters.enums import PeriodKind, Phase
from clusters.models import Campaign, Membership, Unit
from scoring.enums import BaselineSource, CriterionKind, Metric, SheetStatus, Stage
from scoring.models import (
    Criterion,
    Publication,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
    UnitBaseline,
)
from scoring.services.bulk import adapt, history_rows, insert_rows

FOUR = Decimal("0.0001")
DECIMALS = UnitBaseline._meta.get_field("value").decimal_places
WHOLE_DIGITS = UnitBaseline._meta.get_field("value").max_digits - DECIMALS


@dataclass(frozen=True)
class Carried:
    """A figure found in last year's published results."""

    value: Decimal
    year: int
    published_on: dt.date
    units: tuple[str, ...]


@dataclass
class CarryResult:
    """What ``baselines_carry`` did: figures stored (new or changed), kept as they were
    (typed, or carried and unchanged), and the (criterion code, unit) pairs nothing carried."""

    stored: int = 0
    kept: int = 0
    missing: list[tuple[str, Unit]] = field(default_factory=list)


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The organiser's campaign of the year before, if there is one."""
    return Campaign.objects.filter(
        organiser_id=campaign.organiser_id, year=campaign.year - 1
    ).first()


def _sources(units: Iterable[Unit]) -> dict[int, list[int]]:
    """Every unit's id with the ids of the units whose figures it takes: itself and, through
    the successor links, every unit merged into it (and the units merged into those)."""
    successor_of = dict(
        Unit.objects.filter(successor__isnull=False).values_list("pk", "successor_id")
    )
    merged_into: dict[int, list[int]] = defaultdict(list)
    for pk, successor in successor_of.items():
        merged_into[successor].append(pk)
    result = {}
    for unit in units:
        seen, todo = [], [unit.pk]
        while todo:
            pk = todo.pop()
            if pk in seen:
                continue
            seen.append(pk)
            todo.extend(merged_into.get(pk, []))
        result[unit.pk] = seen
    return result


@dataclass(frozen=True)
class _Row:
    """What last year's entry of a unit holds for one code."""

    unit_code: str
    cluster_id: int
    actual: Decimal | None
    numerator: int | None
    denominator: int | None


def _figure(metric: str, entries: list[_Row]) -> Decimal | None:
    if metric == Metric.RATE:
        if any(e.numerator is None or e.denominator is None for e in entries):
            return None
        denominator = sum(e.denominator for e in entries)
        if denominator == 0:
            return None
        rate = Decimal(sum(e.numerator for e in entries)) * 100 / Decimal(denominator)
        return rate.quantize(FOUR, rounding=ROUND_HALF_UP)
    if any(e.actual is None for e in entries):
        return None
    return sum((e.actual for e in entries), Decimal(0))


def last_year_figures(
    *, campaign: Campaign, criteria: Iterable[Criterion], units: Iterable[Unit]
) -> dict[tuple[int, int], Carried]:
    """{(criterion id, unit id): Carried} for the target criteria given, from the
    organiser's previous year; a pair with nothing to carry is left out. Five queries."""
    criteria = [c for c in criteria if c.kind == CriterionKind.TARGET]
    units = list(units)
    previous = previous_campaign(campaign)
    if previous is None or not criteria or not units:
        return {}
    sources = _sources(units)
    source_ids = {pk for ids in sources.values() for pk in ids}
    codes = {c.code for c in criteria}
    # Plain rows, not model instances: a province reads thousands.
    entries = ScoreEntry.objects.filter(
        sheet__cluster__campaign=previous,
        sheet__period__kind=PeriodKind.YEAR_END,
        sheet__stage=Stage.FINAL,
        sheet__status=SheetStatus.LOCKED,
        sheet__unit_id__in=source_ids,
        criterion__code__in=codes,
        criterion__kind=CriterionKind.TARGET,
    ).values_list(
        "criterion__code",
        "sheet__unit_id",
        "sheet__unit__code",
        "sheet__cluster_id",
        "actual",
        "numerator",
        "denominator",
    )
    found: dict[tuple[str, int], _Row] = {}
    for code, unit_id, unit_code, cluster_id, actual, numerator, denominator in entries:
        found[(code, unit_id)] = _Row(unit_code, cluster_id, actual, numerator, denominator)
    published: dict[int, dt.date] = {}
    for cluster_id, at in Publication.objects.filter(
        cluster__campaign=previous,
        period__kind=PeriodKind.YEAR_END,
        action=Publication.Action.PUBLISH,
    ).values_list("cluster_id", "at"):
        day = timezone.localdate(at)
        published[cluster_id] = max(day, published.get(cluster_id, day))
    result: dict[tuple[int, int], Carried] = {}
    for criterion in criteria:
        for unit in units:
            rows = [found[k] for pk in sources[unit.pk] if (k := (criterion.code, pk)) in found]
            if not rows:
                continue
            value = _figure(criterion.metric, rows)
            days = [published[e.cluster_id] for e in rows if e.cluster_id in published]
            if value is None or not days:
                continue
            result[(criterion.pk, unit.pk)] = Carried(
                value=value,
                year=previous.year,
                published_on=max(days),
                units=tuple(sorted(e.unit_code for e in rows)),
            )
    return result


def table_units(table: ScoreTable) -> list[Unit]:
    """The member units of the clusters ``table`` applies to, by code."""
    ids = Membership.objects.filter(cluster__score_tables=table).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("code"))


@transaction.atomic
def baselines_carry(
    *, table: ScoreTable, user=None, units: Iterable[Unit] | None = None
) -> CarryResult:
    """Store last year's figure of every target criterion of ``table`` for its units (or
    ``units``), from the previous year's published final results. A typed figure is kept;
    a carried one follows what last year's results say now. The unit's unlocked reduction
    entries take the new baseline (see the module). Bulk writes: the cost does not grow in
    queries with the number of units and criteria."""
    units = list(units) if units is not None else table_units(table)
    criteria = list(table.criteria.filter(kind=CriterionKind.TARGET).order_by("position"))
    figures = last_year_figures(campaign=table.campaign, criteria=criteria, units=units)
    existing = {
        (b.criterion_id, b.unit_id): b
        for b in UnitBaseline.objects.filter(criterion__in=criteria, unit__in=units)
    }
    who = user if user is not None and getattr(user, "is_authenticated", False) else None
    reason = _("Carried from last year's published results")
    result = CarryResult()
    new, changed, moved = [], [], []
    for criterion in criteria:
        for unit in units:
            key = (criterion.pk, unit.pk)
            carried, stored = figures.get(key), existing.get(key)
            if stored is not None and stored.source == BaselineSource.TYPED:
                result.kept += 1
                continue
            if carried is None:
                if stored is None:
                    result.missing.append((criterion.code, unit))
                else:
                    result.kept += 1
                continue
            values = {
                "value": carried.value,
                "source": BaselineSource.CARRIED,
                "source_year": carried.year,
                "source_published_on": carried.published_on,
                "source_units": ", ".join(carried.units),
                "reason": "",
            }
            if stored is None:
                # Values read from stored entries: no per-row validation (thousands of
                # queries for a province); the database's constraints still hold them. A
                # new figure has no entry to follow yet (fill_carried_baseline does it).
                new.append((criterion.pk, unit.pk, *(values[name] for name in BASELINE_FIELDS)))
                continue
            if all(getattr(stored, k) == v for k, v in values.items()):
                result.kept += 1
                continue
            moved.append((criterion, unit, stored.value, carried.value))
            for name, value in values.items():
                setattr(stored, name, value)
            stored.version += 1
            stored.updated_by = who
            changed.append(stored)
    if new:
        _insert_new(new, who=who, reason=reason)
    if changed:
        now = timezone.now()
        for row in changed:
            row.updated_at = now
        bulk_update_with_history(
            changed,
            UnitBaseline,
            [*BASELINE_FIELDS, "version", "updated_by", "updated_at"],
            default_user=who,
            default_change_reason=reason,
        )
    result.stored = len(new) + len(changed)
    _follow(moved, user=who, reason=reason)
    return result


def _insert_new(rows: list[tuple], *, who, reason: str) -> None:
    """Store new figures, (criterion id, unit id, *BASELINE_FIELDS) each, and their
    "created" history rows in a few statements (a province's copy carries thousands)."""
    before = UnitBaseline.objects.aggregate(m=Max("pk"))["m"] or 0
    now = adapt(timezone.now())
    who_id = who.pk if who is not None else None
    insert_rows(
        UnitBaseline,
        ["criterion_id", "unit_id", *BASELINE_FIELDS, "version", "updated_at", "updated_by_id"],
        [(*(adapt(v) for v in row), 1, now, who_id) for row in rows],
    )
    criteria = ", ".join(str(int(pk)) for pk in {row[0] for row in rows})
    history_rows(
        UnitBaseline,
        f"src.id > %s AND src.criterion_id IN ({criteria})",
        [before],
        when=timezone.now(),
        reason=reason,
        user_id=who_id,
    )


BASELINE_FIELDS = [
    "value",
    "source",
    "source_year",
    "source_published_on",
    "source_units",
    "reason",
]


def value_problem(criterion: Criterion, value: Decimal) -> str | None:
    """Why ``value`` cannot be last year's figure of ``criterion``, or None."""
    if value < 0:
        return _("%(code)s: last year's figure must not be negative.") % {"code": criterion.code}
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMALS:
        return _("%(code)s: last year's figure has at most %(n)d decimals.") % {
            "code": criterion.code,
            "n": DECIMALS,
        }
    if value >= Decimal(10) ** WHOLE_DIGITS:
        return _("%(code)s: this figure is too large.") % {"code": criterion.code}
    if criterion.metric == Metric.REDUCTION and value != value.to_integral_value():
        return _("%(code)s: last year's count is a whole number.") % {"code": criterion.code}
    if criterion.metric == Metric.RATE and value > 100:
        return _("%(code)s: a rate is at most 100.") % {"code": criterion.code}
    return None


def value_parse(criterion: Criterion, text: object) -> Decimal:
    """Typed text (decimal comma or point) → a figure, or ValidationError naming the
    criterion."""
    raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(
            _("%(code)s: last year's figure must be a number, not “%(value)s”.")
            % {"code": criterion.code, "value": str(text or "").strip()}
        )
    problem = value_problem(criterion, value)
    if problem:
        raise ValidationError(problem)
    return value


@transaction.atomic
def baseline_set(
    *,
    criterion: Criterion,
    unit: Unit,
    value: Decimal,
    reason: str,
    user=None,
    expected_version: int | None = None,
) -> UnitBaseline:
    """Type (or correct) ``unit``'s last-year figure for ``criterion``, with a reason (kept
    in the history). Refused with a message, changing nothing, for a criterion that is not a
    target, a unit outside the table's clusters, a bad value, an empty reason, a published
    campaign, or a figure someone else changed since ``expected_version``."""
    reason = (reason or "").strip()
    if criterion.kind != CriterionKind.TARGET:
        raise ValidationError(
            _("%(code)s is not a target criterion; it has no last-year figure.")
            % {"code": criterion.code}
        )
    if criterion.table.campaign.phase == Phase.PUBLISHED:
        raise ValidationError(_("The campaign's results are published; nothing can change."))
    if not Membership.objects.filter(cluster__score_tables=criterion.table_id, unit=unit).exists():
        raise ValidationError(
            _("%(unit)s is not a member of a cluster this score table applies to.")
            % {"unit": unit.label}
        )
    problem = value_problem(criterion, value)
    if problem:
        raise ValidationError(problem)
    if not reason:
        raise ValidationError(
            _("%(code)s · %(unit)s: say why the figure is typed.")
            % {"code": criterion.code, "unit": unit.label}
        )
    row = UnitBaseline.objects.select_for_update().filter(criterion=criterion, unit=unit).first()
    version = row.version if row is not None else 0
    if expected_version is not None and expected_version != version:
        raise ValidationError(_("Someone else changed this figure first; read it again."))
    old = row.value if row is not None else None
    row = row or UnitBaseline(criterion=criterion, unit=unit, version=0)
    who = user if user is not None and getattr(user, "is_authenticated", False) else None
    row.value = value
    row.source = BaselineSource.TYPED
    row.source_year = None
    row.source_published_on = None
    row.source_units = ""
    row.reason = reason
    row.version += 1
    row.updated_by = who
    row._history_user = who
    row._change_reason = reason
    row.full_clean()
    row.save()
    _follow([(criterion, unit, old, value)], user=who, reason=reason)
    return row


def _follow(moved: list[tuple[Criterion, Unit, Decimal | None, Decimal]], *, user, reason: str):
    """The reduction entries of the units whose figure moved take it as their baseline,
    where they held the old figure, on sheets not locked; recorded in each entry's history
    with ``reason``, and their sheets recomputed. (An entry still empty takes the figure
    when its count is entered: ``fill_carried_baseline``.)"""
    from scoring.services.recompute import recompute_scope

    wanted = {(c.pk, u.pk): (old, new) for c, u, old, new in moved if c.metric == Metric.REDUCTION}
    if not wanted:
        return
    entries = ScoreEntry.objects.filter(
        criterion_id__in={k[0] for k in wanted},
        sheet__unit_id__in={k[1] for k in wanted},
    ).exclude(sheet__status=SheetStatus.LOCKED)
    changed = []
    now = timezone.now()
    for entry in entries.select_related("sheet"):
        old, new = wanted.get((entry.criterion_id, entry.sheet.unit_id), (None, None))
        if new is None or entry.baseline == new:
            continue
        if old is not None and entry.baseline == old:
            entry.baseline = new
            entry.version += 1
            entry.updated_by = user
            entry.updated_at = now
            changed.append(entry)
    if not changed:
        return
    bulk_update_with_history(
        changed,
        ScoreEntry,
        ["baseline", "version", "updated_by", "updated_at"],
        default_user=user,
        default_change_reason=reason,
    )
    recompute_scope(ScoreSheet.objects.filter(pk__in={e.sheet_id for e in changed}))


def fill_carried_baseline(entry: ScoreEntry, unit_id: int) -> None:
    """A reduction entry given this year's count without a baseline takes the unit's
    last-year figure (one query, only then): the unit types only this year's count."""
    if (
        entry.baseline is None
        and entry.actual is not None
        and entry.criterion.metric == Metric.REDUCTION
    ):
        entry.baseline = (
            UnitBaseline.objects.filter(criterion_id=entry.criterion_id, unit_id=unit_id)
            .values_list("value", flat=True)
            .first()
        )


@dataclass(frozen=True)
class ReportRow:
    """One unit and criterion whose figure was typed or is missing."""

    table: ScoreTable
    criterion: Criterion
    unit: Unit
    baseline: UnitBaseline | None


def baselines_report(campaign: Campaign) -> list[ReportRow]:
    """Every unit and target criterion of the campaign's tables whose last-year figure was
    typed rather than carried, or is still missing; by table, criterion, unit. Four queries."""
    tables = list(ScoreTable.objects.filter(campaign=campaign).order_by("title", "-version"))
    criteria = list(
        Criterion.objects.filter(table__in=tables, kind=CriterionKind.TARGET).order_by(
            "table_id", "position"
        )
    )
    through = ScoreTable.clusters.through
    clusters_of: dict[int, set[int]] = defaultdict(set)
    for table_id, cluster_id in through.objects.filter(scoretable__in=tables).values_list(
        "scoretable_id", "cluster_id"
    ):
        clusters_of[table_id].add(cluster_id)
    units_of: dict[int, list[Unit]] = defaultdict(list)
    for membership in Membership.objects.filter(campaign=campaign).select_related("unit"):
        units_of[membership.cluster_id].append(membership.unit)
    stored = {
        (b.criterion_id, b.unit_id): b
        for b in UnitBaseline.objects.filter(criterion__in=criteria).select_related("updated_by")
    }
    by_table = {t.pk: t for t in tables}
    rows = []
    for criterion in criteria:
        units = sorted(
            (u for c in clusters_of[criterion.table_id] for u in units_of[c]), key=lambda u: u.code
        )
        for unit in units:
            baseline = stored.get((criterion.pk, unit.pk))
            if baseline is None or baseline.source == BaselineSource.TYPED:
                rows.append(ReportRow(by_table[criterion.table_id], criterion, unit, baseline))
    return rows
