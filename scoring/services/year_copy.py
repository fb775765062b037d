"""Scoring's step of the copy of a year (clusters.copying): last year's score tables become
drafts of the new year, with the units' own targets (marked as copied) and the criteria not
assigned to a unit, and every target criterion's last-year figures are carried over
(scoring.services.baselines).

Of each title, the newest published version is copied (the newest draft where none is
published), as version 1 of the new year (the old year in its title becomes the new one:
"Bảng điểm năm 2023" is copied as "Bảng điểm năm 2024", as the campaign's name is), ``previous``
pointing to the table it came from,
applied to the new clusters of the clusters it applied to. A target of a unit dissolved
before the new year goes to the successor that took its place, unless the successor has
its own. Everything is written in bulk: a province's year (15 tables of 150 criteria, 225
units) copies in well under the 5 s the benchmark allows (bench/year_copy.py).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clusters.copying import CopyContext
from scoring.enums import TableStatus
from scoring.models import Criterion, NotAssigned, ScoreTable, UnitTarget
from scoring.services.baselines import baselines_carry, table_units
from scoring.services.bulk import adapt, copy_rows_sql, history_rows, insert_rows


def tables_to_copy(campaign) -> list[ScoreTable]:
    """Of each title of ``campaign``, the newest published version, else the newest."""
    chosen: dict[str, ScoreTable] = {}
    for table in ScoreTable.objects.filter(campaign=campaign).order_by("title", "-version"):
        current = chosen.get(table.title)
        if current is None or (not current.is_published and table.is_published):
            chosen[table.title] = table
    return [chosen[title] for title in sorted(chosen)]


def _copy_criteria(old: ScoreTable, new: ScoreTable, user_id: int | None) -> dict[int, int]:
    """The tree of ``old`` rebuilt in ``new`` in SQL, a level at a time (a parent is found by
    its code in the new table), each criterion with its "created" history row;
    {old criterion id: new criterion id}."""
    table = connection.ops.quote_name(Criterion._meta.db_table)
    depths = sorted(set(old.criteria.values_list("depth", flat=True)))
    for depth in depths:
        parent = (
            "NULL"
            if depth == 0
            else f"(SELECT p.id FROM {table} p WHERE p.table_id = {int(new.pk)} AND p.code = "
            f"(SELECT op.code FROM {table} op WHERE op.id = src.parent_id))"
        )
        copy_rows_sql(
            Criterion,
            {"table_id": str(int(new.pk)), "parent_id": parent},
            "src.table_id = %s AND src.depth = %s",
            [old.pk, depth],
        )
    history_rows(
        Criterion,
        "src.table_id = %s",
        [new.pk],
        when=timezone.now(),
        reason=_("Copied from last year's table"),
        user_id=user_id,
    )
    by_code = dict(new.criteria.values_list("code", "pk"))
    return {pk: by_code[code] for pk, code in old.criteria.values_list("pk", "code")}


def copy_score_tables(context: CopyContext) -> None:
    """The copy step: see the module."""
    user = context.user if getattr(context.user, "is_authenticated", False) else None
    user_id = user.pk if user is not None else None
    sources = tables_to_copy(context.source)
    if not sources:
        return
    through = ScoreTable.clusters.through
    applied: dict[int, list[int]] = defaultdict(list)
    for table_id, cluster_id in through.objects.filter(scoretable__in=sources).values_list(
        "scoretable_id", "cluster_id"
    ):
        applied[table_id].append(cluster_id)
    criteria_map: dict[int, int] = {}
    copies: list[ScoreTable] = []
    for old in sources:
        new = ScoreTable(
            campaign=context.campaign,
            period=context.periods.get(old.period_id),
            title=old.title.replace(str(context.source.year), str(context.campaign.year)),
            version=1,
            previous=old,
            status=TableStatus.DRAFT,
            bands=old.bands,
            bonus_cap=old.bonus_cap,
        )
        new._history_user = user
        new._change_reason = _("Copied from last year's table")
        new.full_clean()
        new.save()
        new.clusters.set([context.clusters[c] for c in applied[old.pk] if c in context.clusters])
        criteria_map.update(_copy_criteria(old, new, user_id))
        copies.append(new)
    targets = _copy_targets(context, criteria_map, copies, user_id)
    _copy_not_assigned(context, criteria_map, user)
    carried = missing = 0
    for table in copies:
        result = baselines_carry(table=table, user=user, units=table_units(table))
        carried += result.stored
        missing += len(result.missing)
    context.report.append(
        _(
            "%(tables)d score tables copied as drafts, with %(targets)d units' targets; "
            "%(carried)d last-year figures carried, %(missing)d to type."
        )
        % {"tables": len(copies), "targets": targets, "carried": carried, "missing": missing}
    )


def _copy_targets(
    context: CopyContext, criteria_map: dict[int, int], copies: list[ScoreTable], user_id
) -> int:
    """The units' own targets of the old tables on the new criteria, marked as copied, each
    with its "created" history row (a unit's own first, then its predecessors')."""
    rows: dict[tuple[int, int], tuple] = {}
    now = timezone.now()
    stamp = adapt(now)
    olds = UnitTarget.objects.filter(criterion_id__in=list(criteria_map)).order_by("pk")
    olds = list(olds.values_list("criterion_id", "unit_id", "target"))
    for own in (True, False):
        for criterion_id, unit_id, target in olds:
            unit = context.units.get(unit_id)
            if unit is None or (unit.pk == unit_id) != own:
                continue
            key = (criteria_map[criterion_id], unit.pk)
            if key not in rows:
                rows[key] = (*key, adapt(target), True, 1, stamp, user_id)
    columns = ["criterion_id", "unit_id", "target", "copied", "version", "updated_at"]
    insert_rows(UnitTarget, [*columns, "updated_by_id"], list(rows.values()))
    if rows:
        tables = ", ".join(str(int(t.pk)) for t in copies)
        history_rows(
            UnitTarget,
            f"src.criterion_id IN (SELECT c.id FROM {Criterion._meta.db_table} c "
            f"WHERE c.table_id IN ({tables}))",
            [],
            when=now,
            reason=_("Copied from last year's target"),
            user_id=user_id,
        )
    return len(rows)


def _copy_not_assigned(context: CopyContext, criteria_map: dict[int, int], user) -> None:
    """The marks of criteria not assigned to a unit (or a kind of unit) follow the tables."""
    rows = []
    seen = set()
    for old in NotAssigned.objects.filter(criterion_id__in=list(criteria_map)).order_by("pk"):
        unit = context.units.get(old.unit_id) if old.unit_id else None
        if old.unit_id and unit is None:
            continue
        key = (criteria_map[old.criterion_id], unit.pk if unit else None, old.unit_kind)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            NotAssigned(
                criterion_id=criteria_map[old.criterion_id],
                unit=unit,
                unit_kind=old.unit_kind,
                reason=old.reason,
                created_by=user,
            )
        )
    if rows:
        bulk_create_with_history(
            rows,
            NotAssigned,
            default_user=user,
            default_change_reason=_("Copied from last year's table"),
        )
