"""Scoring's step of the copy of a year (clusters.copying): last year's score tables become
drafts of the new year, with the units' own targets (marked as copied) and the criteria not
assigned to a unit, and every target criterion's last-year figures are carried over
(scoring.services.baselines).

Of each title, the newest published version is copied (the newest draft where none is
published), as version 1 of the new year, ``previous`` pointing to the table it came from,
applied to the new clusters of the clusters it applied to. A target of a unit dissolved
before the new year goes to the successor that took its place, unless the successor has
its own. Everything is written in bulk: a province's year (15 tables of 150 criteria, 225
units) copies in well under the 5 s the benchmark allows (bench/year_copy.py).
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clusters.copying import CopyContext
from scoring.enums import TableStatus
from scoring.models import Criterion, NotAssigned, ScoreTable, UnitTarget
from scoring.services.baselines import baselines_carry, table_units

# The criterion's own columns a copy takes (the tree is rebuilt; position and depth are the
# same as the source's, since the tree is).
_CRITERION_FIELDS = [
    f.attname
    for f in Criterion._meta.concrete_fields
    if f.attname not in ("id", "table_id", "parent_id")
]


def tables_to_copy(campaign) -> list[ScoreTable]:
    """Of each title of ``campaign``, the newest published version, else the newest."""
    chosen: dict[str, ScoreTable] = {}
    for table in ScoreTable.objects.filter(campaign=campaign).order_by("title", "-version"):
        current = chosen.get(table.title)
        if current is None or (not current.is_published and table.is_published):
            chosen[table.title] = table
    return [chosen[title] for title in sorted(chosen)]


def _copy_criteria(old: ScoreTable, new: ScoreTable, user) -> dict[int, Criterion]:
    """The tree of ``old`` rebuilt in ``new``, a level at a time; {old id: new criterion}."""
    by_depth: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in old.criteria.order_by("depth", "position"):
        by_depth[criterion.depth].append(criterion)
    mapping: dict[int, Criterion] = {}
    for depth in sorted(by_depth):
        rows = [
            Criterion(
                table=new,
                parent=mapping.get(c.parent_id) if c.parent_id else None,
                **{name: getattr(c, name) for name in _CRITERION_FIELDS},
            )
            for c in by_depth[depth]
        ]
        created = bulk_create_with_history(
            rows,
            Criterion,
            default_user=user,
            default_change_reason=_("Copied from last year's table"),
            batch_size=1000,
        )
        for source, copy in zip(by_depth[depth], created, strict=True):
            mapping[source.pk] = copy
    return mapping


def copy_score_tables(context: CopyContext) -> None:
    """The copy step: see the module."""
    user = context.user if getattr(context.user, "is_authenticated", False) else None
    sources = tables_to_copy(context.source)
    if not sources:
        return
    through = ScoreTable.clusters.through
    applied: dict[int, list[int]] = defaultdict(list)
    for table_id, cluster_id in through.objects.filter(scoretable__in=sources).values_list(
        "scoretable_id", "cluster_id"
    ):
        applied[table_id].append(cluster_id)
    criteria_map: dict[int, Criterion] = {}
    copies: list[ScoreTable] = []
    for old in sources:
        new = ScoreTable(
            campaign=context.campaign,
            period=context.periods.get(old.period_id),
            title=old.title,
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
        criteria_map.update(_copy_criteria(old, new, user))
        copies.append(new)
    targets = _copy_targets(context, criteria_map, user)
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


def _copy_targets(context: CopyContext, criteria_map: dict[int, Criterion], user) -> int:
    rows: dict[tuple[int, int], UnitTarget] = {}
    olds = UnitTarget.objects.filter(criterion_id__in=list(criteria_map)).order_by("pk")
    # A unit's own target first, then what its predecessors held.
    for own in (True, False):
        for old in olds:
            unit = context.units.get(old.unit_id)
            if unit is None or (unit.pk == old.unit_id) != own:
                continue
            key = (criteria_map[old.criterion_id].pk, unit.pk)
            if key in rows:
                continue
            rows[key] = UnitTarget(
                criterion=criteria_map[old.criterion_id],
                unit=unit,
                target=old.target,
                copied=True,
                updated_by=user,
            )
    bulk_create_with_history(
        list(rows.values()),
        UnitTarget,
        default_user=user,
        default_change_reason=_("Copied from last year's target"),
        batch_size=1000,
    )
    return len(rows)


def _copy_not_assigned(context: CopyContext, criteria_map: dict[int, Criterion], user) -> None:
    """The marks of criteria not assigned to a unit (or a kind of unit) follow the tables."""
    rows = []
    seen = set()
    for old in NotAssigned.objects.filter(criterion_id__in=list(criteria_map)).order_by("pk"):
        unit = context.units.get(old.unit_id) if old.unit_id else None
        if old.unit_id and unit is None:
            continue
        key = (criteria_map[old.criterion_id].pk, unit.pk if unit else None, old.unit_kind)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            NotAssigned(
                criterion=criteria_map[old.criterion_id],
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
