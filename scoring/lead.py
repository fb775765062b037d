"""What it takes to lead the cluster, and the sheet's what-if mode (issue 16 point 5).

Reads only: nothing here writes. ``lead_for`` reads a sheet's stored figures and the
cluster's leading total (the gap, where the user may see the cluster's ranking at that
stage) and the points each criterion leaves open (engine.open_points). ``what_if`` takes
changed inputs for a sheet's entries and recomputes with the same engine as a save
(leaf_points, points_for_cluster for a criterion relative to the cluster's best,
sheet_figures, rank_cluster), in memory, in a fixed number of queries, and stores nothing:
no entry, sheet, version or history row changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import F

from scoring import engine, permissions
from scoring.enums import CriterionKind, Method, Stage
from scoring.models import Criterion, ScoreEntry, ScoreSheet
from scoring.periods import of_period
from scoring.services.specs import (
    INPUT_FIELDS,
    _input_errors,
    _targets,
    criterion_spec,
    table_spec,
)

BASE = frozenset(engine.BASE_KINDS)


@dataclass
class Lead:
    """A sheet's distance to its cluster's leading unit at the sheet's stage (``gap`` None
    where the user may not see the cluster's ranking at that stage, or nobody leads), and
    the points open or suffered per criterion id (engine.OpenPoints)."""

    gap: Decimal | None = None
    leader_total: Decimal | None = None
    leaders: list[str] = field(default_factory=list)
    leading: bool = False
    open_base: Decimal = Decimal("0.00")
    suffered: Decimal = Decimal("0.00")
    by_criterion: dict[int, engine.OpenPoints] = field(default_factory=dict)

    @property
    def shows_gap(self) -> bool:
        return self.gap is not None


def may_see_ranking(user, sheet: ScoreSheet) -> bool:
    """Whether the user may see the other units' totals at the sheet's stage (the rule of
    the ranking page), so the gap and the what-if rank may be shown."""
    if sheet.stage == Stage.SELF and not (
        permissions.is_manager(user) or permissions.is_cluster_head(user, sheet.cluster)
    ):
        # permissions.result_stages gives the self stage to nobody else; asking it would
        # cost a unit officer's own sheet page two more queries for a known answer.
        return False
    return permissions.can_view_cluster_results(user, sheet.cluster, sheet.stage, sheet.period)


def _specs(criteria: Sequence[Criterion]) -> list[engine.CriterionSpec]:
    codes = {c.pk: c.code for c in criteria}
    return [criterion_spec(c, codes.get(c.parent_id)) for c in criteria]


def open_by_criterion(
    criteria: Sequence[Criterion], entries: Mapping[int, ScoreEntry]
) -> dict[int, engine.OpenPoints]:
    """engine.open_points of a sheet, by criterion id, from its entries (by criterion id)."""
    specs = _specs(criteria)
    codes = {c.pk: c.code for c in criteria}
    points = {codes[pk]: e.points for pk, e in entries.items() if pk in codes}
    violated = {codes[pk]: bool(e.violated) for pk, e in entries.items() if pk in codes}
    unassigned = {codes[pk] for pk, e in entries.items() if pk in codes and e.not_assigned}
    found = engine.open_points(specs, points, violated, unassigned)
    return {c.pk: found[c.code] for c in criteria if c.code in found}


def lead_for(user, sheet: ScoreSheet, rows: Sequence) -> Lead:
    """The sheet page's "what it takes to lead": ``rows`` are the page's rows (criterion and
    entry each); one query for the leading total where the user may see it."""
    criteria = [r.criterion for r in rows]
    entries = {r.criterion.pk: r.entry for r in rows if r.entry is not None}
    lead = Lead(by_criterion=open_by_criterion(criteria, entries), leading=sheet.leading)
    for row in rows:  # each row shows its own room
        row.open = lead.by_criterion.get(row.criterion.pk)
    for criterion in criteria:
        found = lead.by_criterion.get(criterion.pk)
        if found is None:
            continue
        top_level = criterion.parent_id is None
        if top_level and (criterion.kind == CriterionKind.GROUP or criterion.kind in BASE):
            lead.open_base += found.open  # a group's open points add up its base leaves
        lead.suffered += found.suffered
    if sheet.pk is None or not may_see_ranking(user, sheet):
        return lead
    leaders = list(
        ScoreSheet.objects.filter(
            of_period(sheet.period_id), cluster_id=sheet.cluster_id, stage=sheet.stage, leading=True
        )
        .order_by("unit__code")
        .values_list("total", "unit__name")
    )
    if leaders:
        lead.leader_total = leaders[0][0]
        lead.leaders = [name for _total, name in leaders]
        lead.gap = engine.gap_to_lead(sheet.total, lead.leader_total)
    return lead


# --- What if ----------------------------------------------------------------------------------


@dataclass
class WhatIf:
    """The recomputed figures of a sheet with some inputs changed, nothing stored. ``points``:
    every entry of the sheet, by id, as it would be; ``moved``: those that differ from the
    stored points. ``rank``,
    ``leading``, ``leader_total`` and ``gap`` are None where the user may not see the
    cluster's ranking at the stage. ``errors``: inputs refused, with the criterion's code."""

    figures: engine.SheetFigures | None = None
    points: dict[int, Decimal | None] = field(default_factory=dict)
    moved: set[int] = field(default_factory=set)
    changed: int = 0
    rank: int | None = None
    leading: bool | None = None
    leader_total: Decimal | None = None
    gap: Decimal | None = None
    errors: list[str] = field(default_factory=list)


# The columns what_if reads of every entry of the cluster at the stage.
_ROW = ("pk", "sheet_id", "criterion_id", "points", "override", "not_assigned")


def _input(row: Mapping, target: Decimal | None) -> engine.EntryInput:
    return engine.EntryInput(
        **{name: row[column] for name, column in INPUT_FIELDS.items()},
        target=target,
        override=row["override"],
    )


def what_if(
    sheet: ScoreSheet, changes: Mapping[int, Mapping[str, object]], *, ranks: bool
) -> WhatIf:
    """``sheet``'s figures if its entries (by id) held the ``changes`` (parsed inputs by the
    engine's names, as forms.parse_entry gives them): the same engine as a save, three
    queries whatever the size of the cluster or the table, nothing written. ``ranks``: also
    the rank and the gap to the leading unit (the caller says whether the user may see them).
    """
    result = WhatIf()
    loaded = table_spec(sheet.table)
    sheets = list(
        ScoreSheet.objects.filter(
            of_period(sheet.period_id), cluster_id=sheet.cluster_id, stage=sheet.stage
        ).values("pk", "unit_id", "table_id", "total", "excluded_from_leading")
    )
    units = {s["pk"]: s["unit_id"] for s in sheets}
    rows = list(
        ScoreEntry.objects.filter(sheet_id__in=list(units))
        .annotate(unit_id=F("sheet__unit_id"))
        .values(*_ROW, "unit_id", *INPUT_FIELDS.values())
    )
    targets = _targets({r["criterion_id"] for r in rows}, set(units.values()))
    mine = {r["pk"]: r for r in rows if r["sheet_id"] == sheet.pk}
    by_criterion: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_criterion[row["criterion_id"]][row["pk"]] = row

    inputs: dict[int, engine.EntryInput] = {}
    touched: set[int] = set()  # criteria whose points are recomputed
    for entry_pk, values in changes.items():
        row = mine.get(entry_pk)
        if row is None or row["not_assigned"] or row["criterion_id"] not in loaded.specs:
            continue
        spec = loaded.specs[row["criterion_id"]]
        before = _input(row, targets.get((row["criterion_id"], row["unit_id"])))
        after = replace(before, **{k: v for k, v in values.items() if k in INPUT_FIELDS})
        if after == before:
            continue
        errors = _input_errors(spec, after)
        if errors:
            result.errors += errors
            continue
        inputs[entry_pk] = after
        touched.add(row["criterion_id"])
    result.changed = len(inputs)
    if result.errors:
        return result

    new_points: dict[int, Decimal | None] = {}
    for criterion_id in touched:
        spec = loaded.specs[criterion_id]
        peers = by_criterion[criterion_id]
        if spec.method == Method.RELATIVE:
            peer_inputs = {
                pk: inputs.get(pk) or _input(row, targets.get((criterion_id, row["unit_id"])))
                for pk, row in peers.items()
            }
            unassigned = {pk for pk, row in peers.items() if row["not_assigned"]}
            computed = engine.points_for_cluster(spec, peer_inputs, unassigned)
        else:
            computed = {pk: engine.leaf_points(spec, inputs[pk]) for pk in peers if pk in inputs}
        new_points.update(
            {pk: p for pk, p in computed.items() if p != peers[pk]["points"] or pk in inputs}
        )

    # The figures of every sheet whose points moved (a relative criterion moves the others').
    figures: dict[int, engine.SheetFigures] = {}
    moved = {mine_row["sheet_id"] for mine_row in mine.values()}
    moved |= {row["sheet_id"] for row in rows if row["pk"] in new_points}
    for sheet_id in moved:
        if sheet_id != sheet.pk and sheet_id not in units:
            continue
        table = loaded if sheet_id == sheet.pk else None
        table = table or _table_of(sheet_id, sheets, loaded)
        if table is None:
            continue
        points: dict[str, Decimal | None] = {}
        violated: dict[str, bool] = {}
        unassigned: set[str] = set()
        for row in rows:
            if row["sheet_id"] != sheet_id or row["criterion_id"] not in table.specs:
                continue
            spec = table.specs[row["criterion_id"]]
            points[spec.code] = new_points.get(row["pk"], row["points"])
            if row["not_assigned"]:
                unassigned.add(spec.code)
            if spec.kind == engine.Kind.VETO:
                changed = inputs.get(row["pk"])
                violated[spec.code] = bool(
                    changed.violated if changed is not None else row["violated"]
                )
        figures[sheet_id] = engine.sheet_figures(
            table.spec_list, points, violated, table.bands, table.table.bonus_cap, unassigned
        )
    result.figures = figures[sheet.pk]
    result.points = {pk: new_points.get(pk, row["points"]) for pk, row in mine.items()}
    result.moved = {pk for pk in mine if pk in new_points and new_points[pk] != mine[pk]["points"]}
    if ranks:
        rank_inputs = {
            s["pk"]: engine.RankInput(
                figures[s["pk"]].total if s["pk"] in figures else s["total"],
                figures[s["pk"]].excluded_from_leading
                if s["pk"] in figures
                else s["excluded_from_leading"],
            )
            for s in sheets
        }
        ranked = engine.rank_cluster(rank_inputs)[sheet.pk]
        result.rank, result.leading = ranked.rank, ranked.leading
        result.leader_total = engine.leader_total(rank_inputs)
        result.gap = engine.gap_to_lead(result.figures.total, result.leader_total)
    return result


def _table_of(sheet_id: int, sheets: list[dict], loaded) -> object | None:
    """The sheet's table as the engine sees it: the same table as the sheet's (the usual
    case: one table per cluster and stage); a sheet on another table keeps its stored
    figures (None)."""
    table_id = next(s["table_id"] for s in sheets if s["pk"] == sheet_id)
    return loaded if table_id == loaded.table.pk else None
