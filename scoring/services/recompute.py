"""The one place the computed numbers are stored: entries' points, sheets' figures,
ranks and leading marks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet

from clusters.models import Cluster
from scoring import engine
from scoring.enums import CriterionKind, Method
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable
from scoring.periods import of_period

# The model fields that hold an entry's inputs, by the engine's EntryInput field name.
from scoring.services.specs import (
    INPUT_FIELDS,
    TableSpec,
    _targets,
    criterion_spec,
    entry_input,
    load_table,
)

# --- Locking ---------------------------------------------------------------------------
#
# Every write to a cluster's scores at a stage (an entry, a sheet's figures, the ranks)
# first locks *all* the sheets of that cluster at that stage, in id order, and only then
# touches entries. Ranks and relative-method points are computed across the cluster, so
# two changes in one cluster must not interleave anyway (each would rank from a view
# without the other's total); one lock taken in one order also means no deadlock: the
# first transaction to reach the cluster's lowest sheet goes through, the others wait
# behind it. Only the sheet rows are locked (FOR NO KEY UPDATE OF the sheet: never the
# criteria, tables or units a query joins), so inserting rows that refer to a sheet is
# not blocked and other clusters are not touched.


def lock_sheets(
    cluster_id: int,
    stage: str,
    *,
    period_id: int | None = None,
    annotations: Mapping | None = None,
    related: Iterable = (),
) -> list[ScoreSheet]:
    """Lock and return every sheet of a cluster at a stage of a period (None: the year-end
    review; scoring.periods), in id order (see above). ``related`` and ``annotations`` come
    along in the same query; they are not locked."""
    return list(
        sheets_to_lock(
            cluster_id, stage, period_id=period_id, annotations=annotations, related=related
        )
    )


def sheets_to_lock(
    cluster_id: int,
    stage: str,
    *,
    period_id: int | None = None,
    annotations: Mapping | None = None,
    related: Iterable = (),
) -> QuerySet[ScoreSheet]:
    """lock_sheets' query, not yet run (a cell save prepares it once: services.change)."""
    qs = ScoreSheet.objects.filter(of_period(period_id), cluster_id=cluster_id, stage=stage)
    if related:
        qs = qs.select_related(*related)
    if annotations:
        qs = qs.annotate(**annotations)
    return qs.select_for_update(of=("self",), no_key=True).order_by("pk")


# --- Recomputing -------------------------------------------------------------------------


def _cluster_entries(cluster_id: int, stage: str, criterion_id: int) -> QuerySet[ScoreEntry]:
    return ScoreEntry.objects.filter(
        sheet__cluster_id=cluster_id, sheet__stage=stage, criterion_id=criterion_id
    ).select_related("sheet")


def recompute_criterion(*, criterion: Criterion, cluster_id: int, stage: str) -> list[int]:
    """Recompute one criterion's points on every sheet of a cluster at a stage (needed for
    the relative method); returns the ids of the sheets whose points changed."""
    entries = list(_cluster_entries(cluster_id, stage, criterion.pk))
    targets = _targets([criterion.pk], [e.sheet.unit_id for e in entries])
    spec = criterion_spec(criterion, None)
    inputs = {e.pk: entry_input(e, targets.get((criterion.pk, e.sheet.unit_id))) for e in entries}
    unassigned = {e.pk for e in entries if e.not_assigned}
    points = engine.points_for_cluster(spec, inputs, unassigned)
    changed = []
    for entry in entries:
        if entry.points != points[entry.pk]:
            entry.points = points[entry.pk]
            changed.append(entry)
    ScoreEntry.objects.bulk_update(changed, ["points"])
    return sorted({e.sheet_id for e in changed})


@transaction.atomic
def recompute_after_change(entry: ScoreEntry) -> None:
    """Recompute what a change to ``entry`` affects, and only that: the entry (or, for a
    relative-method criterion, that criterion across the cluster and stage), the figures
    of the sheets whose points changed, and the cluster's ranks at that stage."""
    sheet = entry.sheet
    criterion = entry.criterion
    lock_sheets(sheet.cluster_id, sheet.stage, period_id=sheet.period_id)
    if criterion.method == Method.RELATIVE:
        changed = recompute_criterion(
            criterion=criterion, cluster_id=sheet.cluster_id, stage=sheet.stage
        )
        changed = sorted({*changed, sheet.pk})
    else:
        target = _targets([criterion.pk], [sheet.unit_id]).get((criterion.pk, sheet.unit_id))
        points = (
            None
            if entry.not_assigned
            else engine.leaf_points(criterion_spec(criterion, None), entry_input(entry, target))
        )
        if points != entry.points:
            entry.points = points
            ScoreEntry.objects.filter(pk=entry.pk).update(points=points)
        changed = [sheet.pk]
    if recompute_sheets(changed):
        recompute_ranks(cluster=sheet.cluster_id, stage=sheet.stage, period_id=sheet.period_id)


# A sheet's stored figures, as engine.sheet_figures computes them.
FIGURES = [
    "raw_base",
    "base",
    "bonus",
    "deduction",
    "total",
    "band",
    "complete",
    "excluded_from_leading",
]


def store_figures(sheet: ScoreSheet, figures: engine.SheetFigures) -> bool:
    """Set ``sheet``'s figures (FIGURES) to the engine's, unsaved; True when any of them
    changed (a sheet without a band stores "")."""
    new = {name: getattr(figures, name) for name in FIGURES}
    new["band"] = figures.band or ""
    if all(getattr(sheet, name) == value for name, value in new.items()):
        return False
    for name, value in new.items():
        setattr(sheet, name, value)
    return True


def recompute_sheets(sheet_ids: Iterable[int], tables: dict[int, TableSpec] | None = None) -> int:
    """Recompute and store the figures of the given sheets from their entries' points.
    Returns how many sheets' figures changed."""
    sheets = list(ScoreSheet.objects.filter(pk__in=list(sheet_ids)).select_related("table"))
    if not sheets:
        return 0
    tables = tables if tables is not None else {}
    for sheet in sheets:
        if sheet.table_id not in tables:
            tables[sheet.table_id] = load_table(sheet.table)
    by_sheet: dict[int, list[tuple[int, Decimal | None, bool | None, bool]]] = defaultdict(list)
    rows = ScoreEntry.objects.filter(sheet_id__in=[s.pk for s in sheets]).values_list(
        "sheet_id", "criterion_id", "points", "violated", "not_assigned"
    )
    for sheet_id, criterion_id, points, violated, not_assigned in rows:
        by_sheet[sheet_id].append((criterion_id, points, violated, not_assigned))
    changed = []
    for sheet in sheets:
        loaded = tables[sheet.table_id]
        points: dict[str, Decimal | None] = {}
        violated: dict[str, bool] = {}
        unassigned: set[str] = set()
        for criterion_id, value, is_violated, not_assigned in by_sheet[sheet.pk]:
            code = loaded.specs[criterion_id].code
            points[code] = value
            if not_assigned:
                unassigned.add(code)
            if loaded.specs[criterion_id].kind == CriterionKind.VETO:
                violated[code] = bool(is_violated)
        figures = engine.sheet_figures(
            loaded.spec_list, points, violated, loaded.bands, loaded.table.bonus_cap, unassigned
        )
        if store_figures(sheet, figures):
            changed.append(sheet)
    ScoreSheet.objects.bulk_update(changed, FIGURES)
    return len(changed)


def recompute_ranks(*, cluster: Cluster | int, stage: str, period_id: int | None = None) -> None:
    """Rank the sheets of a cluster at a stage of a period (None: the year-end review) in
    one pass over one query, and mark the leading unit(s)."""
    cluster_id = cluster if isinstance(cluster, int) else cluster.pk
    sheets = list(
        ScoreSheet.objects.filter(of_period(period_id), cluster_id=cluster_id, stage=stage).only(
            "pk", "total", "excluded_from_leading", "rank", "leading"
        )
    )
    results = engine.rank_cluster(
        {s.pk: engine.RankInput(s.total, s.excluded_from_leading) for s in sheets}
    )
    changed = []
    for sheet in sheets:
        result = results[sheet.pk]
        if (sheet.rank, sheet.leading) != (result.rank, result.leading):
            sheet.rank, sheet.leading = result.rank, result.leading
            changed.append(sheet)
    ScoreSheet.objects.bulk_update(changed, ["rank", "leading"])


@dataclass
class RecomputeSummary:
    sheets: int = 0
    entries_changed: int = 0
    sheets_changed: int = 0


def recompute_scope(sheets: QuerySet[ScoreSheet]) -> RecomputeSummary:
    """Recompute every entry, sheet and rank of the given sheets, cluster by cluster and
    stage by stage, with a fixed number of queries per cluster and stage."""
    summary = RecomputeSummary()
    groups = sheets.order_by().values_list("cluster_id", "period_id", "stage").distinct()
    tables: dict[int, TableSpec] = {}
    for cluster_id, period_id, stage in groups.order_by("cluster_id", "period_id", "stage"):
        with transaction.atomic():
            ids = [s.pk for s in lock_sheets(cluster_id, stage, period_id=period_id)]
            summary.entries_changed += _recompute_group(cluster_id, stage, tables, period_id)
            summary.sheets += len(ids)
            summary.sheets_changed += recompute_sheets(ids, tables)
            recompute_ranks(cluster=cluster_id, stage=stage, period_id=period_id)
    return summary


# The inputs of an entry as _recompute_group reads them: plain rows, no model instances.
_ENTRY_ROW = (
    "pk",
    "criterion_id",
    "sheet__unit_id",
    "sheet__table_id",
    "points",
    "override",
    "not_assigned",
    *INPUT_FIELDS.values(),
)


def _recompute_group(
    cluster_id: int, stage: str, tables: dict[int, TableSpec], period_id: int | None = None
) -> int:
    rows = list(
        ScoreEntry.objects.filter(
            of_period(period_id, "sheet__"), sheet__cluster_id=cluster_id, sheet__stage=stage
        ).values_list(*_ENTRY_ROW)
    )
    if not rows:
        return 0
    table_ids = {row[3] for row in rows}
    for table in ScoreTable.objects.filter(pk__in=table_ids - tables.keys()):
        tables[table.pk] = load_table(table)
    specs = {pk: spec for loaded in tables.values() for pk, spec in loaded.specs.items()}
    targets = _targets({row[1] for row in rows}, {row[2] for row in rows})
    names = tuple(INPUT_FIELDS)
    by_criterion: dict[int, dict[int, engine.EntryInput]] = defaultdict(dict)
    unassigned: set[int] = set()
    for pk, criterion_id, unit_id, _table_id, _points, override, not_assigned, *inputs in rows:
        by_criterion[criterion_id][pk] = engine.EntryInput(
            **dict(zip(names, inputs, strict=True)),
            target=targets.get((criterion_id, unit_id)),
            override=override,
        )
        if not_assigned:
            unassigned.add(pk)
    points: dict[int, Decimal | None] = {}
    for criterion_id, inputs in by_criterion.items():
        points.update(engine.points_for_cluster(specs[criterion_id], inputs, unassigned))
    changed = {row[0]: points[row[0]] for row in rows if row[4] != points[row[0]]}
    _store_points(changed)
    return len(changed)


def _store_points(points: Mapping[int, Decimal | None], batch_size: int = 2000) -> None:
    """Store entries' points (by entry id), one statement per ``batch_size`` entries.

    On PostgreSQL an UPDATE ... FROM (VALUES ...): Django's bulk_update builds a
    CASE WHEN expression per row, and in a national recompute (750,000 entries) building
    those took longer than everything else together (docs/performance.md).
    """
    if not points:
        return
    if connection.vendor != "postgresql":
        ScoreEntry.objects.bulk_update(
            [ScoreEntry(pk=pk, points=value) for pk, value in points.items()],
            ["points"],
            batch_size=batch_size,
        )
        return
    table = connection.ops.quote_name(ScoreEntry._meta.db_table)
    items = list(points.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            rows = ", ".join(["(%s, %s::numeric)"] * len(batch))
            # Only placeholders and the quoted table name go into the text; values are
            # parameters.
            cursor.execute(
                f"UPDATE {table} AS e SET points = v.points "
                f"FROM (VALUES {rows}) AS v(id, points) WHERE e.id = v.id",
                [value for pair in batch for value in pair],
            )
