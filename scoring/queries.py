"""Reusable reads for the scoring pages: small functions over querysets, each a fixed
number of queries whatever the size of the table or the cluster."""

from __future__ import annotations

from collections import defaultdict
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


# Kinds whose points are taken away from the total.
MINUS_KINDS = frozenset({CriterionKind.DEDUCTION, CriterionKind.VETO})


def signed_groups(criteria: list[Criterion]) -> dict[int, tuple[str, list[int]]]:
    """Groups holding only bonus ("+"), or only deduction and veto ("−"), criteria have no
    base points to subtotal, so they show the sum of their leaves instead:
    {group id: (sign, leaf ids)}. No query."""
    by_pk = {c.pk: c for c in criteria}
    kinds: dict[int, set[str]] = defaultdict(set)
    leaves: dict[int, list[int]] = defaultdict(list)
    for leaf in (c for c in criteria if c.kind != CriterionKind.GROUP):
        parent = by_pk.get(leaf.parent_id)
        while parent is not None:
            kinds[parent.pk].add(leaf.kind)
            leaves[parent.pk].append(leaf.pk)
            parent = by_pk.get(parent.parent_id)
    result = {}
    for pk, found in kinds.items():
        if found == {CriterionKind.BONUS}:
            result[pk] = ("+", leaves[pk])
        elif found <= MINUS_KINDS:
            result[pk] = ("−", leaves[pk])
    return result
