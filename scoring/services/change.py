"""One entry changed: the write behind a cell save, in a fixed and small number of queries.

``entry_change`` locks the sheets of the entry's cluster at its stage (recompute.lock_sheets:
all of them, in id order, so ranks and relative points are computed from a stable view
and no two saves deadlock), reads in ONE query everything the change needs, computes the
new points, figures and ranks with scoring.engine in memory, and writes them back in one
statement per table: the entries, the sheets (figures, ranks and the sheet's version in
one UPDATE), and the history row of the changed entry. Whatever the size of the cluster
or the table, a change takes seven statements (BEGIN and COMMIT counted).

It returns what changed (``EntryChange``), so a cell save answers from it without reading
again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_history_manager_for_model

from clusters.models import Membership
from emulation.prepared import Prepared
from scoring import engine
from scoring.deadlines import deadline_annotations, refuse_if_closed, state_of_annotated
from scoring.enums import Method, SheetStatus
from scoring.models import ScoreEntry, ScoreSheet, UnitTarget
from scoring.services.baselines import fill_carried_baseline
from scoring.services.recompute import FIGURES, sheets_to_lock, store_figures
from scoring.services.specs import (
    INPUT_FIELDS,
    SheetLocked,
    StaleEntry,
    TableSpec,
    _input_errors,
    criterion_spec,
    entry_input,
    table_spec,
)

# An entry's stored columns, in the model's order (what ScoreEntry.from_db takes).
ENTRY_FIELDS = [f.attname for f in ScoreEntry._meta.concrete_fields]
_AT = {name: i for i, name in enumerate(ENTRY_FIELDS)}
# What a change writes to the changed entry.
_WRITTEN = [
    *INPUT_FIELDS.values(),
    "override",
    "override_reason",
    "comment",
    "points",
    "version",
    "updated_by_id",
    "updated_at",
]
# The sheet's stored figures, ranks and version (one UPDATE writes them all).
_SHEET_FIELDS = [*FIGURES, "rank", "leading", "version"]
# The read has two kinds of rows (UNION ALL): whole entries (the changed one, the
# criterion's entries across the cluster for a relative criterion, and the unit's entries
# of the criterion at the other stages), and light ones (the points that sheets' figures
# are computed from). A light row carries only these columns; the rest are NULL.
_LIGHT = {"id", "sheet_id", "criterion_id", "points", "violated", "not_assigned"}


@dataclass
class EntryChange:
    """What one change stored. ``sheets``: every sheet of the cluster at the stage, in id
    order, with its unit and table, as stored now (figures, rank, leading, version), each
    with ``own_target``: its unit's own target for the criterion (or None), and ``role``:
    its unit's role in the cluster (None for a unit no longer a member). ``points``:
    the criterion's entries whose points were (re)computed, by entry id (the changed
    entry always). ``figures``: the engine's figures of the sheets recomputed, by sheet
    id (with each group's subtotal). ``beside``: this criterion's entries of the units
    concerned at every stage, as {(unit id, stage): {column: value, "explanation": text}}
    (the unit's self-assessment beside the cluster's scores)."""

    entry: ScoreEntry
    sheets: list[ScoreSheet]
    loaded: TableSpec
    points: dict[int, Decimal | None] = field(default_factory=dict)
    figures: dict[int, engine.SheetFigures] = field(default_factory=dict)
    beside: dict[tuple[int, str], dict] = field(default_factory=dict)


def _read_query(
    *,
    relative: bool,
    cluster_id: int,
    code: str,
    figure_sheets: list[int],
    period_id: int | None = None,
    unit_id: int | None = None,
):
    """The one read of a change (see _LIGHT). Rows: (whole?, unit id, stage, explanation,
    *ENTRY_FIELDS). The light rows are those of ``figure_sheets``, whose figures the change
    recomputes: for a relative criterion every sheet entry_change locked, else the changed
    entry's sheet. By their ids: through a join on the sheets' cluster and stage PostgreSQL
    scans every entry (67 ms at 100,000 entries, against 0.4 ms; docs/performance.md)."""
    whole = ScoreEntry.objects.filter(
        sheet__cluster_id=cluster_id, sheet__period_id=period_id, criterion__code=code
    )
    if not relative:
        whole = whole.filter(sheet__unit_id=unit_id)
    model_fields = {f.attname: f for f in ScoreEntry._meta.concrete_fields}
    text = TextField()
    whole = whole.order_by().values_list(
        # Cast: a server-side prepared statement then knows the parameter is a boolean.
        Cast(Value(True), output_field=BooleanField()),
        "sheet__unit_id",
        "sheet__stage",
        "explanation__text",
        *ENTRY_FIELDS,
    )
    light = (
        ScoreEntry.objects.filter(sheet_id__in=figure_sheets)
        .order_by()
        .values_list(
            Cast(Value(False), output_field=BooleanField()),
            Value(None, output_field=IntegerField()),
            Value(None, output_field=text),
            Value(None, output_field=text),
            *(
                name if name in _LIGHT else Value(None, output_field=model_fields[name])
                for name in ENTRY_FIELDS
            ),
        )
    )
    return whole.union(light, all=True)


def _lock_query(*, stage: str, cluster_id: int, criterion_id: int, period_id: int | None = None):
    """The lock of a change (recompute.lock_sheets: every sheet of the cluster at the stage)
    with each sheet's unit, table and period, its unit's own target for the criterion, its
    unit's role in the cluster and the deadline that applies to it, in one query."""
    own_target = UnitTarget.objects.filter(criterion_id=criterion_id, unit_id=OuterRef("unit_id"))
    role = Membership.objects.filter(cluster_id=OuterRef("cluster_id"), unit_id=OuterRef("unit_id"))
    return sheets_to_lock(
        cluster_id,
        stage,
        period_id=period_id,
        related=("unit", "table", "period"),
        annotations={
            "own_target": Subquery(own_target.order_by().values("target")[:1]),
            "role": Subquery(role.order_by().values("role")[:1]),
            # The deadline applying to each sheet, in the same query (issue 16).
            **deadline_annotations(stage),
        },
    )


# The lock and the read are the same queries in every change but for their values: their
# SQL is compiled once per process and shape (emulation.prepared), which took about a
# third of a cell save's CPU when Django built it on every save (docs/performance.md).
_LOCK = Prepared(_lock_query)
_READ = Prepared(_read_query)


def _lock(sheet: ScoreSheet, criterion) -> list[ScoreSheet]:
    values = {"cluster_id": sheet.cluster_id, "criterion_id": criterion.pk}
    if sheet.period_id is not None:
        values["period_id"] = sheet.period_id
    key = ("lock", sheet.stage, sheet.period_id is None)
    return _LOCK.run(key, {"stage": sheet.stage}, **values)


def _read(entry: ScoreEntry, criterion, sheets: list[ScoreSheet], relative: bool) -> list[tuple]:
    sheet = entry.sheet
    values = {
        "cluster_id": sheet.cluster_id,
        "code": criterion.code,
        "figure_sheets": [s.pk for s in sheets] if relative else [entry.sheet_id],
    }
    if sheet.period_id is not None:
        values["period_id"] = sheet.period_id
    if not relative:
        values["unit_id"] = sheet.unit_id
    key = ("read", relative, sheet.period_id is None)
    return _READ.run(key, {"relative": relative}, **values)


def _apply(entry: ScoreEntry, values: Mapping[str, object]) -> None:
    for name, column in INPUT_FIELDS.items():
        if name in values:
            setattr(entry, column, values[name])
    if "override" in values:
        entry.override = values["override"]
    if "reason" in values:
        entry.override_reason = str(values["reason"] or "")
    if "comment" in values:
        entry.comment = str(values["comment"] or "")
    fill_carried_baseline(entry, entry.sheet.unit_id)
    if entry.override is None:
        entry.override_reason = ""
    elif not entry.override_reason.strip():
        raise ValidationError(
            _("%(code)s: an override needs a written reason."),
            params={"code": entry.criterion.code},
        )


def _row_input(row: tuple, target: Decimal | None) -> engine.EntryInput:
    return engine.EntryInput(
        **{name: row[_AT[column]] for name, column in INPUT_FIELDS.items()},
        target=target,
        override=row[_AT["override"]],
    )


def _write_entries(entry: ScoreEntry, others: Mapping[int, Decimal | None]) -> None:
    """The changed entry's columns, and the points of ``others``, in one UPDATE."""
    if connection.vendor == "postgresql":
        _write_entries_sql(entry, others)
        return
    values = {name: getattr(entry, name) for name in _WRITTEN}
    if not others:
        ScoreEntry.objects.filter(pk=entry.pk).update(**values)
        return

    def output(name: str):
        model_field = ScoreEntry._meta.get_field(name)
        return model_field.target_field if model_field.is_relation else model_field

    updates = {
        name: Case(
            When(pk=entry.pk, then=Value(value, output_field=output(name))),
            default=F(name),
            output_field=output(name),
        )
        for name, value in values.items()
        if name != "points"
    }
    points = {entry.pk: entry.points, **others}
    updates["points"] = Case(
        *(
            When(pk=pk, then=Value(value, output_field=output("points")))
            for pk, value in points.items()
        ),
        default=F("points"),
        output_field=output("points"),
    )
    ScoreEntry.objects.filter(pk__in=list(points)).update(**updates)


def _write_entries_sql(entry: ScoreEntry, others: Mapping[int, Decimal | None]) -> None:
    """_write_entries on PostgreSQL, written here: the entry's columns as
    ``CASE WHEN e.id = <entry> THEN <value> ELSE <column> END`` and every point from a
    VALUES list, all values parameters, each cast to its column's type. The ORM's CASE WHEN
    per field and per entry took 2.3 ms of a relative save's CPU (docs/performance.md)."""
    quote = connection.ops.quote_name
    points_field = ScoreEntry._meta.get_field("points")
    sets, params = [], []
    for name in _WRITTEN:
        if name == "points":
            continue
        model_field = ScoreEntry._meta.get_field(name)
        column = quote(model_field.column)
        sets.append(
            f"{column} = CASE WHEN e.id = %s "
            f"THEN %s::{model_field.db_type(connection)} ELSE e.{column} END"
        )
        value = getattr(entry, model_field.attname)
        params += [entry.pk, model_field.get_db_prep_save(value, connection)]
    points = {entry.pk: entry.points, **others}
    row = f"(%s, %s::{points_field.db_type(connection)})"
    for pk, value in points.items():
        params += [pk, points_field.get_db_prep_save(value, connection)]
    # Only quoted names, column types and placeholders go into the text.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(ScoreEntry._meta.db_table)} AS e SET {', '.join(sets)}, "
            f"{quote(points_field.column)} = v.points "
            f"FROM (VALUES {', '.join([row] * len(points))}) AS v(id, points) WHERE e.id = v.id",
            params,
        )


def _write_sheets(changed: list[ScoreSheet]) -> None:
    """The changed sheets' figures, ranks and versions, in one statement.

    On PostgreSQL an UPDATE ... FROM (VALUES ...) with every value a parameter: Django's
    update() and bulk_update() build and compile an expression per field (bulk_update a
    CASE WHEN per sheet and field), which took about 3 ms of a cell save's CPU when the
    ranks moved (docs/performance.md). Elsewhere (SQLite in development) the ORM's."""
    if not changed:
        return
    if connection.vendor != "postgresql":
        if len(changed) == 1:
            sheet = changed[0]
            ScoreSheet.objects.filter(pk=sheet.pk).update(
                **{name: getattr(sheet, name) for name in _SHEET_FIELDS}
            )
        else:
            ScoreSheet.objects.bulk_update(changed, _SHEET_FIELDS)
        return
    fields = [ScoreSheet._meta.get_field(name) for name in _SHEET_FIELDS]
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fields]
    # Each placeholder is cast to its column's type: a VALUES list has no column types,
    # and NULL (a sheet without rank) would not resolve to one.
    row = ", ".join(["%s", *(f"%s::{f.db_type(connection)}" for f in fields)])
    params = [
        value
        for sheet in changed
        for value in (
            sheet.pk,
            *(f.get_db_prep_save(getattr(sheet, f.attname), connection) for f in fields),
        )
    ]
    # Only quoted names, column types and placeholders go into the text.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(ScoreSheet._meta.db_table)} AS s SET "
            + ", ".join(f"{c} = v.{c}" for c in columns)
            + f" FROM (VALUES {', '.join([f'({row})'] * len(changed))})"
            + f" AS v(id, {', '.join(columns)}) WHERE s.id = v.id",
            params,
        )


def _figures(
    sheets: list[ScoreSheet], recomputed: Mapping[int, engine.SheetFigures]
) -> list[ScoreSheet]:
    """Store the recomputed figures and the cluster's ranks on the sheet objects; return
    the sheets whose stored values changed."""
    changed = set()
    by_id = {s.pk: s for s in sheets}
    for sheet_id, figures in recomputed.items():
        if store_figures(by_id[sheet_id], figures):
            changed.add(sheet_id)
    ranks = engine.rank_cluster(
        {s.pk: engine.RankInput(s.total, s.excluded_from_leading) for s in sheets}
    )
    for sheet in sheets:
        result = ranks[sheet.pk]
        if (sheet.rank, sheet.leading) != (result.rank, result.leading):
            sheet.rank, sheet.leading = result.rank, result.leading
            changed.add(sheet.pk)
    return [s for s in sheets if s.pk in changed]


@transaction.atomic
def entry_change(
    *,
    entry: ScoreEntry,
    user=None,
    values: Mapping[str, object],
    expected_version: int | None = None,
    recompute: bool = True,
    change_reason: str = "",
) -> EntryChange:
    """Store new inputs for one entry, recompute what they affect, and say what changed.

    The arguments are entry_update's (which returns ``.entry`` of this). ``entry`` needs
    its sheet and criterion (loaded with it, or read here); its stored values are read
    again under the lock, so a caller's unsaved changes to it are ignored.
    """
    sheet, criterion = entry.sheet, entry.criterion
    sheets = _lock(sheet, criterion)
    mine = next(s for s in sheets if s.pk == entry.sheet_id)
    if ScoreSheet.cluster.is_cached(sheet):
        for s in sheets:
            s.cluster = sheet.cluster
    if mine.status == SheetStatus.LOCKED:
        raise SheetLocked(_("This sheet is locked; its scores cannot change."), code="locked")
    refuse_if_closed(state_of_annotated(mine), user)
    relative = criterion.method == Method.RELATIVE
    rows = _read(entry, criterion, sheets, relative and recompute)

    change = EntryChange(entry=entry, sheets=sheets, loaded=table_spec(mine.table))
    light: dict[int, list[tuple]] = defaultdict(list)
    peers: dict[int, tuple] = {}  # the criterion's entries at this stage, by entry id
    units = {s.pk: s.unit_id for s in sheets}
    for whole, unit_id, stage, explanation, *columns in rows:
        if not whole:
            light[columns[_AT["sheet_id"]]].append(columns)
            continue
        change.beside[(unit_id, stage)] = {
            **dict(zip(ENTRY_FIELDS, columns, strict=True)),
            "explanation": explanation,
        }
        if columns[_AT["criterion_id"]] == criterion.pk and columns[_AT["sheet_id"]] in units:
            peers[columns[_AT["id"]]] = columns
    current = ScoreEntry.from_db(ScoreEntry.objects.db, ENTRY_FIELDS, peers[entry.pk])
    current.sheet, current.criterion = mine, criterion
    change.entry = current
    if expected_version is not None and expected_version != current.version:
        raise StaleEntry(
            _("Someone else changed this score first; the newer value is shown."), current=current
        )
    if current.not_assigned:
        raise ValidationError(
            _("%(code)s is not assigned to this unit; it takes no input."),
            params={"code": criterion.code},
        )
    _apply(current, values)
    spec = criterion_spec(criterion, None)  # a leaf's rules do not need its parent
    targets = {s.unit_id: s.own_target for s in sheets}
    data = entry_input(current, targets.get(mine.unit_id))
    errors = _input_errors(spec, data)
    if errors:
        raise ValidationError(errors)

    # Points: the entry's own, or the criterion's across the cluster (relative method).
    if relative and recompute:
        inputs = {
            pk: _row_input(row, targets.get(units[row[_AT["sheet_id"]]]))
            for pk, row in peers.items()
        }
        inputs[current.pk] = data
        unassigned = {pk for pk, row in peers.items() if row[_AT["not_assigned"]]}
        computed = engine.points_for_cluster(spec, inputs, unassigned)
    elif relative:
        computed = {current.pk: current.points}
    else:
        computed = {current.pk: engine.leaf_points(spec, data)}
    current.points = computed[current.pk]
    change.points = {
        pk: value
        for pk, value in computed.items()
        if pk == current.pk or value != peers[pk][_AT["points"]]
    }
    current.version += 1
    current.updated_by = user if user is not None and user.is_authenticated else None
    current.updated_at = timezone.now()
    _write_entries(current, {pk: p for pk, p in change.points.items() if pk != current.pk})
    current._history_user = current.updated_by
    current._change_reason = change_reason or current.override_reason
    get_history_manager_for_model(ScoreEntry).bulk_history_create(
        [current], update=True, default_user=current.updated_by
    )

    mine.version += 1
    if not recompute:
        ScoreSheet.objects.filter(pk=mine.pk).update(version=mine.version)
        return change
    # Figures of the sheets whose points changed, from their entries' points.
    new_points = change.points
    recompute_ids = sorted({mine.pk, *(peers[pk][_AT["sheet_id"]] for pk in new_points)})
    tables = {mine.table_id: change.loaded}
    for sheet_id in recompute_ids:
        s = next(x for x in sheets if x.pk == sheet_id)
        loaded = tables.get(s.table_id) or tables.setdefault(s.table_id, table_spec(s.table))
        points: dict[str, Decimal | None] = {}
        violated: dict[str, bool] = {}
        unassigned: set[str] = set()
        for columns in light[sheet_id]:
            pk, criterion_id = columns[_AT["id"]], columns[_AT["criterion_id"]]
            spec_ = loaded.specs[criterion_id]
            points[spec_.code] = new_points.get(pk, columns[_AT["points"]])
            if columns[_AT["not_assigned"]]:
                unassigned.add(spec_.code)
            is_violated = current.violated if pk == current.pk else columns[_AT["violated"]]
            if spec_.kind == engine.Kind.VETO:
                violated[spec_.code] = bool(is_violated)
        change.figures[sheet_id] = engine.sheet_figures(
            loaded.spec_list, points, violated, loaded.bands, loaded.table.bonus_cap, unassigned
        )
    changed = _figures(sheets, change.figures)
    if mine not in changed:
        changed.append(mine)  # its version moved
    _write_sheets(sorted(changed, key=lambda s: s.pk))
    return change
