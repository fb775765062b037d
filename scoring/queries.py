"""Reusable reads for the scoring pages: small functions over querysets, each a fixed
number of queries whatever the size of the table or the cluster."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet

from scoring import engine, services
from scoring.enums import CriterionKind
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable


def ranked(qs: QuerySet[ScoreSheet]) -> QuerySet[ScoreSheet]:
    """Sheets in ranking order (rank, then unit code; unranked last)."""
    return qs.select_related("unit").order_by("rank", "unit__code")


def table_rows(table: ScoreTable) -> list[Criterion]:
    """The table's criteria in reading order, with their depth (one query)."""
    return list(table.criteria.order_by("position", "pk"))


def entries_by_sheet(sheet_ids: Iterable[int]) -> dict[int, dict[int, ScoreEntry]]:
    """{sheet id: {criterion id: entry}} for the given sheets (one query)."""
    result: dict[int, dict[int, ScoreEntry]] = {}
    for entry in ScoreEntry.objects.filter(sheet_id__in=list(sheet_ids)).select_related(
        "explanation"
    ):
        result.setdefault(entry.sheet_id, {})[entry.criterion_id] = entry
    return result


def loaded_table(table: ScoreTable, criteria: list[Criterion]) -> services.TableSpec:
    """The table as the engine sees it, from its criteria already read (table_rows). No
    query."""
    codes = {c.pk: c.code for c in criteria}
    return services.TableSpec(
        table=table,
        criteria=criteria,
        specs={c.pk: services.criterion_spec(c, codes.get(c.parent_id)) for c in criteria},
        bands=services.table_bands(table),
    )


def subtotals(loaded: services.TableSpec, entries: dict[int, ScoreEntry]) -> dict[str, Decimal]:
    """Each group's subtotal on one sheet, from the stored points (no query)."""
    points = {loaded.specs[cid].code: e.points for cid, e in entries.items() if cid in loaded.specs}
    violated = {
        loaded.specs[cid].code: bool(e.violated)
        for cid, e in entries.items()
        if cid in loaded.specs and loaded.specs[cid].kind == CriterionKind.VETO
    }
    figures = engine.sheet_figures(
        loaded.spec_list, points, violated, loaded.bands, loaded.table.bonus_cap
    )
    return figures.subtotals
