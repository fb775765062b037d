"""The answer to a saved grid cell, built from what the save stored (services.entry_change)
without reading anything again: the cell with its new version, and out-of-band swaps for
the points that changed, the subtotals of the saved criterion's groups on the sheets
recomputed, and every unit's total, rank and band (ranks move across the cluster).

A refused or stale save answers from ``build_grid`` instead (grid._answer): it shows what
is stored, read again."""

from __future__ import annotations

from clusters.enums import ROLE_ORDER
from scoring import engine, permissions, services
from scoring.engine.signed import signed_groups
from scoring.enums import Stage
from scoring.services.change import EntryChange
from scoring.views.grid_build import FIGURES, _figures, group_subtotals, subtotal_text
from scoring.views.grid_html import (
    Marks,
    Text,
    _badge,
    badge_html,
    cell_html,
    figure_html,
    subtotal_html,
)

# The figures a save may change (the self-assessed total does not).
_CHANGING = [name for name, _label in FIGURES if name != "self"]


def _line_index(loaded: services.TableSpec, code: str, field: str) -> int:
    """The input line of ``field`` of criterion ``code``, counted over the whole table as
    build_grid counts it (data-r of the cell)."""
    r = 0
    for criterion in loaded.criteria:
        spec = loaded.specs[criterion.pk]
        if criterion.kind == engine.Kind.GROUP:
            continue
        names = engine.input_fields(spec)
        if criterion.code == code:
            return r + names.index(field)
        r += len(names)
    raise ValueError(code)  # pragma: no cover - the saved criterion is in its table


def _row(values: dict, points=None, version=None) -> tuple:
    """An entry as build_grid reads it (grid_build.ENTRY_COLUMNS)."""
    return (
        values["id"],
        values["sheet_id"],
        "",
        *(values[column] for column in services.INPUT_FIELDS.values()),
        values["override"],
        values["override_reason"],
        values["points"] if points is None else points,
        values["version"] if version is None else version,
        bool(values.get("not_assigned")),
    )


def _self_row(values: dict | None) -> tuple | None:
    """The unit's self-assessed entry as build_grid reads it (unit, code, inputs, points)."""
    if values is None:
        return None
    return (None, "", *(values[c] for c in services.INPUT_FIELDS.values()), values["points"])


def saved_parts(change: EntryChange, user, main_field: str, *, by_units: bool) -> dict:
    """The template context of grid.html#save_response for a stored change."""
    entry, text, marks = change.entry, Text(), Marks()
    sheet, criterion = entry.sheet, entry.criterion
    cluster = sheet.cluster
    roles = {s.unit_id: s.role for s in change.sheets if s.role}
    members = sorted(
        (s for s in change.sheets if s.unit_id in roles),
        key=lambda s: (ROLE_ORDER.get(roles[s.unit_id], 9), s.unit.code),
    )
    column_of = {s.pk: i for i, s in enumerate(members)}
    names = engine.input_fields(change.loaded.specs[criterion.pk])

    columns: dict[int, dict] = {}
    for s in members:
        s.cluster = cluster
        columns[s.pk] = {
            "unit": s.unit,
            "label": s.unit.label,
            "sheet": s,
            "editable": permissions.can_edit_sheet(user, s),
            "figs": _figures(s, None, text),
        }
    mine = columns[sheet.pk]

    def badge(values: dict, sheet_id: int, points, version) -> dict:
        unit_id = columns[sheet_id]["unit"].pk
        self_values = change.beside.get((unit_id, Stage.SELF))
        target = next(s.own_target for s in change.sheets if s.pk == sheet_id)
        return _badge(
            _row(values, points, version),
            _self_row(self_values),
            columns[sheet_id],
            criterion,
            target,
            text,
        )

    line = _line_index(change.loaded, criterion.code, main_field)
    stored = {name: getattr(entry, name) for name in services.INPUT_FIELDS.values()}
    own = change.beside.get((sheet.unit_id, Stage.SELF))
    cell = {
        "k": "i",
        "id": f"{entry.pk}-{main_field}",
        "entry": entry.pk,
        "field": main_field,
        "version": entry.version,
        "value": text.value(stored[services.INPUT_FIELDS[main_field]]),
        "self": text.value(own[services.INPUT_FIELDS[main_field]]) if own else "",
        "ro": not mine["editable"],
        "r": column_of[sheet.pk] if by_units else line,
        "c": line if by_units else column_of[sheet.pk],
        "cls": " is-edit" if mine["editable"] else "",
        "err": "",
        "p": None,
        "x": "",
    }
    values = {
        "id": entry.pk,
        "sheet_id": sheet.pk,
        **stored,
        "override": entry.override,
        "override_reason": entry.override_reason,
        "points": entry.points,
        "version": entry.version,
    }
    badges = []
    if main_field == names[-1]:
        cell["p"] = badge(values, sheet.pk, entry.points, entry.version)
        explained = change.beside.get((sheet.unit_id, Stage.CLUSTER))
        cell["x"] = (explained or {}).get("explanation") or ""
        if cell["x"]:
            cell["cls"] += " has-x"
    else:
        badges.append(badge(values, sheet.pk, entry.points, entry.version))
    # The criterion's other entries at this stage (read for a relative criterion, whose
    # points are computed across the cluster): their points as stored now.
    for (_unit, stage), row in change.beside.items():
        if (
            stage == sheet.stage
            and row["id"] != entry.pk
            and row["criterion_id"] == criterion.pk
            and row["sheet_id"] in columns
        ):
            points = change.points.get(row["id"], row["points"])
            badges.append(badge(row, row["sheet_id"], points, None))

    # Subtotals of the saved criterion's groups, on the sheets recomputed.
    groups = []
    parent = change.loaded.specs[criterion.pk].parent
    by_code = {c.code: c for c in change.loaded.criteria}
    while parent is not None and parent in by_code:
        groups.append(by_code[parent])
        parent = change.loaded.specs[by_code[parent].pk].parent
    signed = signed_groups(change.loaded.spec_list)
    mixed = {code for code, group in signed.items() if group.mixed}
    subtotals = []
    for sheet_id, figures in change.figures.items():
        if sheet_id not in columns:
            continue
        values_ = group_subtotals(figures, signed)
        for group in groups:
            subtotals.append(
                {
                    "id": f"s{sheet_id}-{group.pk}",
                    "text": subtotal_text(text, values_.get(group.code), group.code in mixed),
                }
            )

    heads = [columns[s.pk] for s in members]
    parts = [
        *(badge_html(b, oob=True) for b in badges),
        *(subtotal_html(c, oob=True) for c in subtotals),
        *(
            figure_html({"name": name, "figs": column["figs"]}, marks, oob=True)
            for column in heads
            for name in _CHANGING
        ),
    ]
    return {"main": cell_html(cell, marks), "parts": "".join(parts), "columns": heads}
