"""Report builders: plain rows read from what scoring.services stored, each a fixed number of
queries whatever the number of clusters, units and criteria.

- ``cluster_report``: a cluster's ranking at one stage with each unit's subtotal per
  top-level area of the table, the cluster's average and best per area.
- ``province_report``: every given cluster's ranking at one stage.
- ``unit_history``: a unit's official total per year (the final stage when published, else
  the latest stage the user may view), with rank and band.
- ``gap_report``: cluster total − self total per unit, and per criterion, largest first.
- ``xlsx_bytes``: worksheets of header and rows as an .xlsx workbook (text through
  ``safe_cell``, numbers as numbers).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F

from clusters.enums import PeriodKind
from clusters.models import Cluster, Period, Unit
from clusters.models.periods import period_label
from scoring import engine
from scoring.engine.signed import SignedGroup, points_sign, signed_groups, signed_sign
from scoring.enums import CriterionKind, SheetStatus, Stage
from scoring.interchange.results import sheet_title, write_sheet
from scoring.models import Criterion, ScoreEntry, ScoreSheet
from scoring.periods import of_period, period_id_of
from scoring.services.specs import criterion_spec, table_bands

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


@dataclass
class Area:
    """A top-level criterion of the table: its subtotal is shown as one column."""

    code: str
    title: str
    sign: str  # "" base points or a mix, "+" bonus, "−" taken away
    # Bonuses and deductions together: its values are the net effect, a signed number
    # (negative when it takes away), written with "+" or "−" (``shown``).
    mixed: bool = False


def shown(areas: list[Area], values: list[Decimal | None]) -> list[tuple[str, Decimal | None]]:
    """Each value as written: (sign, number). A mixed area's net is written with "+" or "−"
    (nothing at 0) before its magnitude; every other area's value as it is (its heading
    carries the sign)."""
    result = []
    for area, value in zip(areas, values, strict=True):
        if area.mixed and value is not None:
            result.append((signed_sign(value), abs(value)))
        else:
            result.append(("", value))
    return result


@dataclass
class ClusterRow:
    sheet: ScoreSheet
    areas: list[Decimal]
    shown: list[tuple[str, Decimal | None]] = field(default_factory=list)

    @property
    def unit(self) -> Unit:
        return self.sheet.unit


@dataclass
class ClusterReport:
    cluster: Cluster
    stage: str
    areas: list[Area]
    rows: list[ClusterRow]
    average: list[Decimal] = field(default_factory=list)
    best: list[Decimal] = field(default_factory=list)
    average_total: Decimal | None = None
    best_total: Decimal | None = None

    @property
    def average_shown(self) -> list[tuple[str, Decimal | None]]:
        return shown(self.areas, self.average) if self.average else []

    @property
    def best_shown(self) -> list[tuple[str, Decimal | None]]:
        return shown(self.areas, self.best) if self.best else []


def _ordered(qs):
    return qs.select_related("unit").order_by(F("rank").asc(nulls_last=True), "unit__code")


def _area_values(sheets: list[ScoreSheet]) -> tuple[list[Area], dict[int, list[Decimal]]]:
    """The top-level areas of the sheets' tables (by code, in table order) and each sheet's
    value per area, recomputed by the engine from the stored points. Two queries."""
    table_ids = {s.table_id for s in sheets}
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(table_id__in=table_ids).order_by(
        "table_id", "position", "pk"
    ):
        criteria[criterion.table_id].append(criterion)
    entries: dict[int, dict[int, ScoreEntry]] = defaultdict(dict)
    for entry in ScoreEntry.objects.filter(sheet_id__in=[s.pk for s in sheets]):
        entries[entry.sheet_id][entry.criterion_id] = entry
    areas: dict[str, Area] = {}
    specs_of: dict[int, list[engine.CriterionSpec]] = {}
    signed_of: dict[int, dict[str, SignedGroup]] = {}
    for table_id, rows in criteria.items():
        codes = {c.pk: c.code for c in rows}
        specs_of[table_id] = specs = [criterion_spec(c, codes.get(c.parent_id)) for c in rows]
        # A top-level group with no base leaf shows its leaves' net effect: a magnitude
        # under a signed heading for bonuses only or deductions only, a signed number for a
        # mix; a top-level bonus or deduction leaf shows its own points.
        signed_of[table_id] = signed = signed_groups(specs)
        for c in rows:
            if c.parent_id is None and c.code not in areas:
                group = signed.get(c.code)
                sign = group.kinds_sign if group is not None else points_sign([c.kind])
                mixed = group is not None and group.mixed
                areas[c.code] = Area(code=c.code, title=c.title, sign=sign, mixed=mixed)
    values: dict[int, list[Decimal]] = {}
    for sheet in sheets:
        rows = criteria.get(sheet.table_id, [])
        codes = {c.pk: c.code for c in rows}
        specs = specs_of.get(sheet.table_id, [])
        mine = entries.get(sheet.pk, {})
        points = {codes[cid]: e.points for cid, e in mine.items() if cid in codes}
        violated = {
            codes[cid]: bool(e.violated)
            for cid, e in mine.items()
            if cid in codes and specs and e.violated is not None
        }
        for spec in specs:
            if spec.kind == CriterionKind.VETO:
                points.pop(spec.code, None)
        figures = engine.sheet_figures(
            specs, points, violated, table_bands(sheet.table), sheet.table.bonus_cap
        )
        signed = signed_of.get(sheet.table_id, {})
        row = []
        for area in areas.values():
            group = signed.get(area.code)
            # area.sign: an area's sign is its first table's, when tables share a code.
            if area.mixed and group is not None:
                value = group.net(figures.points)
            elif area.sign and group is not None:
                value = group.points(figures.points)
            elif area.code in figures.subtotals:
                value = figures.subtotals[area.code]
            else:
                value = figures.points.get(area.code, Decimal(0))
            row.append(_cents(value))
        values[sheet.pk] = row
    return list(areas.values()), values


def _average(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return _cents(sum(values, Decimal(0)) / len(values))


def cluster_report(cluster: Cluster, stage: str, period: Period | None = None) -> ClusterReport:
    """The cluster's ranking at ``stage`` of ``period`` (None: the year-end review) with
    subtotals per top-level area. Three queries."""
    sheets = list(
        _ordered(
            ScoreSheet.objects.filter(
                of_period(period_id_of(period)), cluster=cluster, stage=stage
            ).select_related("table")
        )
    )
    areas, values = _area_values(sheets)
    rows = [
        ClusterRow(sheet=s, areas=values[s.pk], shown=shown(areas, values[s.pk])) for s in sheets
    ]
    report = ClusterReport(cluster=cluster, stage=stage, areas=areas, rows=rows)
    if rows:
        report.average = [_average(r.areas[i] for r in rows) for i in range(len(areas))]
        report.best = [max(r.areas[i] for r in rows) for i in range(len(areas))]
        report.average_total = _average(r.sheet.total for r in rows)
        report.best_total = max(r.sheet.total for r in rows)
    return report


def province_report(
    clusters: list[Cluster], stage: str, period: Period | None = None
) -> dict[int, list[ScoreSheet]]:
    """{cluster id: its sheets at ``stage`` of ``period`` (None: the year-end review) in
    ranking order}. One query."""
    result: dict[int, list[ScoreSheet]] = {c.pk: [] for c in clusters}
    in_period = of_period(period_id_of(period))
    sheets = ScoreSheet.objects.filter(in_period, cluster_id__in=list(result), stage=stage)
    for sheet in _ordered(sheets):
        result[sheet.cluster_id].append(sheet)
    return result


@dataclass
class HistoryRow:
    cluster: Cluster
    sheet: ScoreSheet
    official: bool  # the published final result

    @property
    def year(self) -> int:
        return self.cluster.campaign.year

    @property
    def period_label(self) -> str:
        """The period's name: "Sơ kết 6 tháng đầu năm 2024" or "Tổng kết năm 2024"."""
        return period_label(self.sheet.period.kind, self.year)


def unit_history(
    unit: Unit,
    stages: dict[int, list[str]],
    clusters: list[Cluster],
    six_month_stages: dict[int, list[str]] | None = None,
):
    """The unit's result in each cluster (one per campaign) and period, oldest first (a
    year's six-month review before its year-end review): the final stage when its sheet is
    locked (published), else the latest stage the user may view with a sheet (``stages``
    per cluster for the year-end review, ``six_month_stages`` for the six-month review;
    left out, the six-month review is not shown). One query."""
    sheets: dict[tuple[int, str, str], ScoreSheet] = {
        (s.cluster_id, s.period.kind, s.stage): s
        for s in ScoreSheet.objects.filter(
            unit=unit, cluster_id__in=[c.pk for c in clusters]
        ).select_related("unit", "period")
    }
    allowed_by_kind = {PeriodKind.SIX_MONTH: six_month_stages or {}, PeriodKind.YEAR_END: stages}
    rows = []
    for cluster in sorted(clusters, key=lambda c: (c.campaign.year, c.number)):
        for kind in (PeriodKind.SIX_MONTH, PeriodKind.YEAR_END):
            allowed = allowed_by_kind[kind].get(cluster.pk, [])
            final = sheets.get((cluster.pk, kind, Stage.FINAL))
            if final and final.status == SheetStatus.LOCKED and Stage.FINAL in allowed:
                rows.append(HistoryRow(cluster=cluster, sheet=final, official=True))
                continue
            for stage in reversed([s.value for s in Stage]):
                if stage in allowed and (cluster.pk, kind, stage) in sheets:
                    sheet = sheets[(cluster.pk, kind, stage)]
                    rows.append(HistoryRow(cluster=cluster, sheet=sheet, official=False))
                    break
    return rows


@dataclass
class UnitGap:
    unit: Unit
    self_total: Decimal
    cluster_total: Decimal

    @property
    def gap(self) -> Decimal:
        return self.cluster_total - self.self_total


@dataclass
class CriterionGap:
    unit: Unit
    criterion: Criterion
    self_points: Decimal
    cluster_points: Decimal

    @property
    def gap(self) -> Decimal:
        return self.cluster_points - self.self_points


def gap_report(
    cluster: Cluster, limit: int = 50, period: Period | None = None
) -> tuple[list[UnitGap], list[CriterionGap]]:
    """Per unit, cluster total − self total (largest absolute gap first, then unit code);
    per criterion, the ``limit`` largest non-zero gaps between a unit's self-assessed and
    cluster points (largest absolute first, then unit code and table order), in ``period``
    (None: the year-end review). Two queries."""
    sheets = list(
        ScoreSheet.objects.filter(
            of_period(period_id_of(period)), cluster=cluster, stage__in=[Stage.SELF, Stage.CLUSTER]
        ).select_related("unit")
    )
    by_unit: dict[int, dict[str, ScoreSheet]] = defaultdict(dict)
    for sheet in sheets:
        by_unit[sheet.unit_id][sheet.stage] = sheet
    units = []
    for pair in by_unit.values():
        if Stage.SELF in pair and Stage.CLUSTER in pair:
            units.append(
                UnitGap(
                    unit=pair[Stage.SELF].unit,
                    self_total=pair[Stage.SELF].total,
                    cluster_total=pair[Stage.CLUSTER].total,
                )
            )
    units.sort(key=lambda g: (-abs(g.gap), g.unit.code))
    stage_of = {s.pk: (s.unit_id, s.stage) for s in sheets}
    points: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    criteria: dict[int, Criterion] = {}
    for entry in (
        ScoreEntry.objects.filter(sheet_id__in=list(stage_of), points__isnull=False)
        .exclude(criterion__kind=CriterionKind.GROUP)
        .select_related("criterion")
    ):
        unit_id, stage = stage_of[entry.sheet_id]
        points[(unit_id, entry.criterion_id)][stage] = entry.points
        criteria[entry.criterion_id] = entry.criterion
    unit_of = {u: pair[Stage.SELF].unit for u, pair in by_unit.items() if Stage.SELF in pair}
    gaps = []
    for (unit_id, criterion_id), pair in points.items():
        if Stage.SELF in pair and Stage.CLUSTER in pair and pair[Stage.SELF] != pair[Stage.CLUSTER]:
            gaps.append(
                CriterionGap(
                    unit=unit_of[unit_id],
                    criterion=criteria[criterion_id],
                    self_points=pair[Stage.SELF],
                    cluster_points=pair[Stage.CLUSTER],
                )
            )
    gaps.sort(key=lambda g: (-abs(g.gap), g.unit.code, g.criterion.position, g.criterion.pk))
    return units, gaps[:limit]


def xlsx_bytes(title: str, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """A workbook with one worksheet per (name, header, rows), each laid out by
    ``write_sheet`` (scoring.interchange.results) with its header frozen."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    for name, header, rows in sheets:
        write_sheet(workbook, sheet_title(name, "report"), header, rows, freeze="A2")
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
