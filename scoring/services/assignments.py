"""Criteria not assigned (không giao) to a unit, or to every unit of a kind, for a table.

Staff mark them (``not_assigned_add``) and unmark them (``not_assigned_remove``); both are
recorded in the marks' history with who and why. A mark decides the ``not_assigned`` flag
of the entries it concerns: ``not_assigned_sync`` is the one function that sets it (and a
new sheet's entries are created with it, ``unassigned_ids``). A flagged entry takes no
input, counts no points (its stored points are cleared), takes no part in a relative
criterion's leader or maximum, and its sheet's base is normalised to the whole table
(scoring.engine). Changing a flag raises the entry's version, so a cell save based on the
entry as it was is refused as stale, and recomputes the sheets concerned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from clusters.models import Membership, Unit
from scoring import engine
from scoring.enums import CriterionKind, SheetStatus
from scoring.models import (
    BASE_CRITERION_KINDS,
    Criterion,
    NotAssigned,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
)
from scoring.services.recompute import lock_sheets, recompute_scope
from scoring.services.specs import TableSpec, load_table

# (criterion id, unit id or None, unit kind or "") for each mark of a table.
Mark = tuple[int, int | None, str]


def table_marks(table_ids: Iterable[int]) -> dict[int, list[Mark]]:
    """The marks of the given tables, {table id: [(criterion id, unit id, unit kind)]}, in
    one query."""
    result: dict[int, list[Mark]] = defaultdict(list)
    rows = (
        NotAssigned.objects.filter(criterion__table_id__in=list(table_ids))
        .order_by()
        .values_list("criterion__table_id", "criterion_id", "unit_id", "unit_kind")
    )
    for table_id, criterion_id, unit_id, kind in rows:
        result[table_id].append((criterion_id, unit_id, kind))
    return result


def unassigned_ids(
    loaded: TableSpec, marks: Iterable[Mark], unit_id: int, unit_kind: str
) -> frozenset[int]:
    """The ids of the base leaves of a table not assigned to a unit (a marked group marks
    every base leaf under it). No query."""
    marked = {
        loaded.specs[criterion_id].code
        for criterion_id, mark_unit, mark_kind in marks
        if criterion_id in loaded.specs
        and (mark_unit == unit_id or (mark_kind and mark_kind == unit_kind))
    }
    if not marked:
        return frozenset()
    codes = engine.unassigned_leaves(loaded.spec_list, marked)
    return frozenset(pk for pk, spec in loaded.specs.items() if spec.code in codes)


def _table_units(table: ScoreTable) -> dict[int, Unit]:
    """The member units of the clusters the table applies to, by id."""
    memberships = Membership.objects.filter(cluster__score_tables=table).select_related("unit")
    return {m.unit_id: m.unit for m in memberships}


def _concerned(mark: NotAssigned, units: Mapping[int, Unit]) -> list[Unit]:
    if mark.unit_id is not None:
        return [units[mark.unit_id]] if mark.unit_id in units else []
    return [unit for unit in units.values() if unit.kind == mark.unit_kind]


def _refuse_locked(table: ScoreTable, units: list[Unit]) -> None:
    locked = (
        ScoreSheet.objects.filter(
            table=table, unit__in=[u.pk for u in units], status=SheetStatus.LOCKED
        )
        .values_list("unit__code", flat=True)
        .distinct()
    )
    codes = sorted(locked)
    if codes:
        raise ValidationError(
            _(
                "The results of %(units)s are published and locked; what is assigned to them "
                "cannot change."
            )
            % {"units": ", ".join(codes)}
        )


def _refuse_nothing_left(table: ScoreTable, loaded: TableSpec, units: list[Unit]) -> None:
    """A unit must keep at least one base criterion with points to score."""
    marks = table_marks([table.pk])[table.pk]
    assignable = {
        pk
        for pk, spec in loaded.specs.items()
        if spec.kind in BASE_CRITERION_KINDS and spec.max_points > 0
    }
    empty = sorted(
        unit.code
        for unit in units
        if assignable and assignable <= unassigned_ids(loaded, marks, unit.pk, unit.kind)
    )
    if empty:
        raise ValidationError(
            _("Nothing would be left to score for %(units)s: keep at least one criterion assigned.")
            % {"units": ", ".join(empty)}
        )


@transaction.atomic
def not_assigned_add(
    *,
    criterion: Criterion,
    unit: Unit | None = None,
    unit_kind: str = "",
    reason: str = "",
    user=None,
) -> NotAssigned:
    """Mark ``criterion`` (a base criterion, or a group: every base criterion under it) not
    assigned to ``unit``, or to every member unit of kind ``unit_kind``, for its table.

    Refused with a message, storing nothing: a bonus, deduction or veto criterion (always
    assigned), a unit that is no member of a cluster the table applies to, a unit whose
    results for the table are published, a mark that already exists, and a mark that would
    leave a unit nothing to score. The entries concerned are flagged and their sheets
    recomputed (``not_assigned_sync``)."""
    table = criterion.table
    who = user if user is not None and user.is_authenticated else None
    mark = NotAssigned(
        criterion=criterion,
        unit=unit,
        unit_kind="" if unit is not None else (unit_kind or ""),
        reason=(reason or "").strip(),
        created_by=who,
    )
    mark.full_clean()
    units = _table_units(table)
    if unit is not None and unit.pk not in units:
        raise ValidationError(
            _("%(unit)s is not a member of a cluster this score table applies to.")
            % {"unit": unit.label}
        )
    concerned = _concerned(mark, units)
    _refuse_locked(table, concerned)
    mark._history_user = who
    mark._change_reason = mark.reason
    mark.save()
    loaded = load_table(table)
    _refuse_nothing_left(table, loaded, concerned)
    not_assigned_sync(
        table=table,
        unit_ids=[u.pk for u in concerned],
        user=user,
        change_reason=_("%(code)s marked not assigned") % {"code": criterion.code},
        loaded=loaded,
    )
    return mark


@transaction.atomic
def not_assigned_remove(*, mark: NotAssigned, reason: str = "", user=None) -> None:
    """Assign the criterion again to the mark's unit or kind: the mark is deleted (its
    history keeps who did it and why), the entries take input again and their sheets are
    recomputed. Refused for a unit whose results are published."""
    criterion = mark.criterion
    table = criterion.table
    concerned = _concerned(mark, _table_units(table))
    _refuse_locked(table, concerned)
    who = user if user is not None and user.is_authenticated else None
    mark._history_user = who
    mark._change_reason = (reason or "").strip()
    mark.delete()
    not_assigned_sync(
        table=table,
        unit_ids=[u.pk for u in concerned],
        user=user,
        change_reason=_("%(code)s assigned again") % {"code": criterion.code},
    )


@transaction.atomic
def not_assigned_to_unit(*, criterion: Criterion, unit: Unit, reason: str = "", user=None) -> bool:
    """Make sure ``criterion`` is not assigned to ``unit`` (an import's
    ``{"not_assigned": true}``): adds a mark for the unit unless a mark already covers it.
    Returns whether a mark was added."""
    table = criterion.table
    loaded = load_table(table)
    marks = table_marks([table.pk])[table.pk]
    covered = unassigned_ids(loaded, marks, unit.pk, unit.kind)
    leaves = unassigned_ids(loaded, [(criterion.pk, unit.pk, "")], unit.pk, unit.kind)
    if leaves and leaves <= covered:
        return False
    not_assigned_add(criterion=criterion, unit=unit, reason=reason, user=user)
    return True


@transaction.atomic
def not_assigned_sync(
    *,
    table: ScoreTable,
    unit_ids: Iterable[int] | None = None,
    user=None,
    change_reason: str = "",
    loaded: TableSpec | None = None,
) -> list[int]:
    """Set the ``not_assigned`` flag of the table's entries (of ``unit_ids``' sheets, or
    all) from the marks, on every sheet that is not locked: a flagged entry's points are
    cleared, and every entry whose flag changed gets a new version and a history row with
    ``user`` and ``change_reason``. The sheets concerned are then recomputed, with the
    points of relative criteria across their clusters, figures and ranks. Returns the ids
    of the sheets whose entries changed."""
    loaded = loaded or load_table(table)
    marks = table_marks([table.pk])[table.pk]
    sheets = ScoreSheet.objects.filter(table=table).exclude(status=SheetStatus.LOCKED)
    if unit_ids is not None:
        sheets = sheets.filter(unit_id__in=list(unit_ids))
    expected: dict[int, frozenset[int]] = {}
    groups: set[tuple[int, str]] = set()
    for sheet_id, unit_id, kind, cluster_id, stage in sheets.values_list(
        "pk", "unit_id", "unit__kind", "cluster_id", "stage"
    ):
        expected[sheet_id] = unassigned_ids(loaded, marks, unit_id, kind)
        groups.add((cluster_id, stage))
    if not expected:
        return []
    for cluster_id, stage in sorted(groups):
        # first, as every scoring write does; the table's sheets are all of its period
        lock_sheets(cluster_id, stage, period_id=table.period_id)
    who = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    changed: list[ScoreEntry] = []
    for entry in ScoreEntry.objects.filter(sheet_id__in=list(expected)).select_for_update(
        of=("self",)
    ):
        flag = entry.criterion_id in expected[entry.sheet_id]
        if entry.not_assigned == flag:
            continue
        entry.not_assigned = flag
        if flag:
            entry.points = None
        entry.version += 1
        entry.updated_by = who
        entry.updated_at = now
        changed.append(entry)
    if not changed:
        return []
    bulk_update_with_history(
        changed,
        ScoreEntry,
        ["not_assigned", "points", "version", "updated_by", "updated_at"],
        default_user=who,
        default_change_reason=change_reason,
    )
    sheet_ids = sorted({e.sheet_id for e in changed})
    ScoreSheet.objects.filter(pk__in=sheet_ids).update(version=F("version") + 1)
    recompute_scope(ScoreSheet.objects.filter(pk__in=sheet_ids))
    return sheet_ids


def marks_of(table: ScoreTable) -> list[NotAssigned]:
    """The table's marks in reading order, with their criterion, unit and author (one
    query)."""
    return list(
        NotAssigned.objects.filter(criterion__table=table)
        .select_related("criterion", "unit", "created_by")
        .order_by("criterion__position", "unit_kind", "unit__code", "pk")
    )


def markable_criteria(table: ScoreTable) -> list[Criterion]:
    """The criteria of the table that can be marked not assigned: groups and base
    criteria, in reading order (one query)."""
    return list(
        table.criteria.filter(kind__in=[CriterionKind.GROUP, *BASE_CRITERION_KINDS]).order_by(
            "position", "pk"
        )
    )


def sheet_unassigned(*, table: ScoreTable, unit: Unit) -> frozenset[int]:
    """The ids of the table's base leaves not assigned to ``unit``, for a new sheet's
    entries (one query when the table has no mark, two otherwise)."""
    marks = table_marks([table.pk])[table.pk]
    if not marks:
        return frozenset()
    return unassigned_ids(load_table(table), marks, unit.pk, unit.kind)
