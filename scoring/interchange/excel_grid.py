"""The scoring grid as an Excel workbook, filled offline and read back.

:func:`template_xlsx` writes a cluster's grid at a stage: criteria as rows (one row per
input, as on the grid), member units as columns, the current values filled in. A hidden
key column (A: ``criterion code|field``) and a hidden key row (1: the unit codes, and the
markers of the descriptive columns) identify every cell, so reading back matches by keys,
never by positions. Every text written goes through :func:`safe_cell`.

:func:`read_upload` reads an uploaded workbook into an :class:`ExcelPlan` (the old and new
value of every changed cell, and every error with its cell reference) and never writes.
Formulas are refused, never evaluated; added rows or columns holding values, wrong types,
columns the user may not score, a file that is not a workbook or is too large are reported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from clusters.enums import ROLE_ORDER
from clusters.models import Cluster, Period, Unit
from scoring import engine, forms, permissions, services
from scoring.enums import CriterionKind, Stage
from scoring.interchange import safe_cell
from scoring.models import ScoreEntry, ScoreSheet
from scoring.periods import of_period, period_id_of

MARKER = "thidua.grid/1"
DESCRIPTIVE_KEYS = ("#code", "#title", "#field", "#max")
FIRST_UNIT_COLUMN = 2 + len(DESCRIPTIVE_KEYS)  # A is the key column
KEY_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
YES, NO = "có", "không"
# The cell of a criterion not assigned to the unit (không giao): it takes no input.
NOT_ASSIGNED = "không giao"
WHOLE_FIELDS = {"count", "numerator", "denominator", "baseline"}
BOOLEAN_FIELDS = {"passed", "violated"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _unescape(text: Any) -> str:
    """A key as written (safe_cell may have put an apostrophe before it) → the key."""
    text = "" if text is None else str(text).strip()
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def _sheet_title(cluster: Cluster) -> str:
    name = "".join(c for c in cluster.name if c not in "[]:*?/\\'")[:31].strip()
    return name or cluster.code[:31] or "grid"


# --- What the grid holds --------------------------------------------------------------------


@dataclass
class GridData:
    """The cluster's sheets at a stage, their entries and the table, read once."""

    cluster: Cluster
    stage: str
    units: list[Unit] = field(default_factory=list)  # units with a sheet, in grid order
    sheets: dict[int, ScoreSheet] = field(default_factory=dict)  # by unit id
    editable: dict[int, bool] = field(default_factory=dict)  # by unit id
    entries: dict[tuple[int, str], ScoreEntry] = field(default_factory=dict)  # (unit, code)
    loaded: Any = None
    lines: list[tuple[Any, str]] = field(default_factory=list)  # (criterion, field) or group


def grid_data(cluster: Cluster, stage: str, user, period: Period | None = None) -> GridData:
    """The grid of ``period`` (None: the year-end review; scoring.periods)."""
    data = GridData(cluster=cluster, stage=stage)
    roles = permissions.member_roles(cluster)
    sheets = {
        s.unit_id: s
        for s in ScoreSheet.objects.filter(
            of_period(period_id_of(period)), cluster=cluster, stage=stage
        )
        .select_related("unit", "table")
        .order_by()
    }
    for sheet in sheets.values():
        sheet.cluster = cluster
    data.units = sorted(
        (s.unit for s in sheets.values()),
        key=lambda u: (ROLE_ORDER.get(roles.get(u.pk), 9), u.code),
    )
    data.sheets = sheets
    data.editable = {u: permissions.can_edit_sheet(user, s) for u, s in sheets.items()}
    if not sheets:
        return data
    table = max((s.table for s in sheets.values()), key=lambda t: (t.version, t.pk))
    data.loaded = services.load_table(table)
    for entry in (
        ScoreEntry.objects.filter(sheet_id__in=[s.pk for s in sheets.values()])
        .select_related("criterion", "sheet")
        .order_by()
    ):
        data.entries[(entry.sheet.unit_id, entry.criterion.code)] = entry
    for criterion in data.loaded.criteria:
        spec = data.loaded.specs[criterion.pk]
        if criterion.kind == CriterionKind.GROUP:
            data.lines.append((criterion, ""))
            continue
        for name in engine.input_fields(spec):
            data.lines.append((criterion, name))
    return data


# --- Writing the template -----------------------------------------------------------------


def _cell_value(value: object, name: str) -> object:
    if value is None:
        return None
    if name in BOOLEAN_FIELDS:
        return YES if value else NO
    if isinstance(value, Decimal) and name not in WHOLE_FIELDS:
        return value
    return int(value) if name in WHOLE_FIELDS else value


def _period_key(period: Period | None) -> str:
    """The period in the template's hidden key: the year-end review's templates keep the
    key they always had (three parts), a six-month review's adds its kind."""
    return "" if period is None or period.is_year_end else period.kind


def template_xlsx(*, cluster: Cluster, stage: str, user, period: Period | None = None) -> bytes:
    """The grid of ``cluster`` at ``stage`` of ``period`` (None: the year-end review) as an
    .xlsx template for ``user`` (the columns of units the user may not score are greyed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    data = grid_data(cluster, stage, user, period)
    workbook = Workbook()
    ws = workbook.active
    ws.title = _sheet_title(cluster)
    workbook.properties.title = f"{MARKER} {cluster.code} {stage}"
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="E5E7EB")
    group_fill = PatternFill("solid", fgColor="EEF2FF")

    def put(row: int, col: int, value: object):
        cell = ws.cell(row=row, column=col, value=safe_cell(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever it starts with
        return cell

    key = f"{MARKER}|{cluster.code}|{stage}"
    if _period_key(period):
        key += f"|{_period_key(period)}"
    put(KEY_ROW, 1, key)
    for i, key in enumerate(DESCRIPTIVE_KEYS):
        put(KEY_ROW, 2 + i, key)
    headers = [_("Code"), _("Criterion"), _("Input"), _("Max points")]
    for i, text in enumerate(headers):
        put(HEADER_ROW, 2 + i, text).font = bold
    columns: dict[int, int] = {}
    for i, unit in enumerate(data.units):
        col = FIRST_UNIT_COLUMN + i
        columns[unit.pk] = col
        put(KEY_ROW, col, unit.code)
        head = put(HEADER_ROW, col, unit.label)
        head.font = bold
        head.alignment = Alignment(wrap_text=True, horizontal="center")
        if not data.editable.get(unit.pk):
            head.fill = grey
        ws.column_dimensions[get_column_letter(col)].width = 14

    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"')
    decimal = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    between: dict[str, DataValidation] = {}
    for dv in (whole, yes_no, decimal):
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
    last_col = FIRST_UNIT_COLUMN + len(data.units) - 1
    row = FIRST_ROW
    for criterion, name in data.lines:
        put(row, 2, criterion.code)
        put(row, 5, criterion.max_points)
        if not name:
            put(row, 3, criterion.title).font = bold
            for col in range(2, max(last_col, 5) + 1):
                ws.cell(row=row, column=col).fill = group_fill
            ws.cell(row=row, column=2).font = bold
            row += 1
            continue
        put(row, 1, f"{criterion.code}|{name}")
        put(row, 3, criterion.title)
        put(row, 4, str(services.FIELD_LABELS.get(name, name)))
        for unit in data.units:
            entry = data.entries.get((unit.pk, criterion.code))
            if entry is None:
                continue
            if entry.not_assigned:
                put(row, columns[unit.pk], NOT_ASSIGNED).fill = grey
                continue
            value = getattr(entry, services.INPUT_FIELDS[name])
            cell = put(row, columns[unit.pk], _cell_value(value, name))
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.##"
            if not data.editable.get(unit.pk):
                cell.fill = grey
        if data.units:
            span = f"{get_column_letter(FIRST_UNIT_COLUMN)}{row}:{get_column_letter(last_col)}{row}"
            if name in BOOLEAN_FIELDS:
                yes_no.add(span)
            elif name in WHOLE_FIELDS:
                whole.add(span)
            elif name == "points" and criterion.max_points is not None:
                key = _shown(criterion.max_points, "points")
                if key not in between:
                    between[key] = DataValidation(
                        type="decimal", operator="between", formula1="0", formula2=key
                    )
                    between[key].showErrorMessage = True
                    ws.add_data_validation(between[key])
                between[key].add(span)
            else:
                decimal.add(span)
        row += 1

    ws.column_dimensions["A"].hidden = True
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.column_dimensions["B"].width = 8
    ws.column_dimensions["C"].width = 48
    ws.column_dimensions["D"].width = 14
    ws.column_dimensions["E"].width = 10
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=FIRST_UNIT_COLUMN)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# --- Reading an upload --------------------------------------------------------------------


@dataclass
class Change:
    unit: str  # the unit's label
    unit_code: str
    sheet_id: int
    entry_id: int
    version: int
    code: str
    field: str
    label: str
    cell: str
    old: str
    new: str
    value: Any


@dataclass
class CellError:
    cell: str
    message: str


@dataclass
class ExcelPlan:
    """What an upload would change, and every problem; nothing is written."""

    worksheet: str = ""
    changes: list[Change] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, cell: str, message: str) -> None:
        self.errors.append(CellError(cell=cell, message=message))

    def by_sheet(self) -> dict[int, dict[str, dict[str, Any]]]:
        """The changes as ``services.sheet_fill`` takes them, by sheet id."""
        values: dict[int, dict[str, dict[str, Any]]] = {}
        for c in self.changes:
            values.setdefault(c.sheet_id, {}).setdefault(c.code, {})[c.field] = c.value
        return values

    def signature(self) -> list[list]:
        """The changes and the versions they were read against (JSON-friendly), to tell at
        confirmation whether the data changed since the preview."""
        return sorted([c.entry_id, c.version, c.field, c.new] for c in self.changes)


def _shown(value: object, name: str) -> str:
    if value is None:
        return "—"
    if name in BOOLEAN_FIELDS:
        return YES if value else NO
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _typed(value: object) -> str | None:
    """A cell's value as the text forms.parse_value reads, or None for a wrong type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return value
    return None


def _open(upload, plan: ExcelPlan):
    """The workbook of an upload (a file object with ``size`` and ``name``), or None with
    the problem recorded."""
    name = getattr(upload, "name", "") or ""
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if (getattr(upload, "size", 0) or 0) > limit:
        plan.error(
            name,
            _("The file is larger than %(limit)s MB.") % {"limit": settings.UPLOAD_MAX_MB},
        )
        return None
    content = upload.read()
    if len(content) > limit:  # pragma: no cover - size is told by Django for uploads
        plan.error(name, _("The file is larger than %(limit)s MB.") % {"limit": limit})
        return None
    not_xlsx = _("The file is not an Excel workbook (.xlsx).")
    if not content.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(content)):
        plan.error(name, not_xlsx)
        return None
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # any unreadable file is reported, never a crash
        plan.error(name, not_xlsx)
        return None


def read_upload(
    *, cluster: Cluster, stage: str, user, upload, period: Period | None = None
) -> ExcelPlan:
    """Read an uploaded template into a plan: every changed cell (old → new) and every
    error with its cell reference. Never writes."""
    plan = ExcelPlan()
    workbook = _open(upload, plan)
    if workbook is None:
        return plan
    ws = next(
        (w for w in workbook.worksheets if _unescape(w.cell(1, 1).value).startswith(MARKER)),
        None,
    )
    if ws is None:
        plan.error(
            getattr(upload, "name", ""),
            _(
                "No worksheet of this file holds the template's hidden keys; "
                "download the template again."
            ),
        )
        return plan
    plan.worksheet = ws.title

    def ref(row: int, col: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"'{ws.title}'!{get_column_letter(col)}{row}"

    expected_title = _sheet_title(cluster)
    if ws.title != expected_title:
        plan.notes.append(
            _("The worksheet was renamed to “%(name)s”; it was read by its hidden keys.")
            % {"name": ws.title}
        )
    marker = _unescape(ws.cell(1, 1).value).split("|")
    if marker[1:3] != [cluster.code, stage]:
        plan.error(
            ref(1, 1), _("This template belongs to another cluster or stage; download it again.")
        )
        return plan
    if (marker[3] if len(marker) > 3 else "") != _period_key(period):
        plan.error(
            ref(1, 1),
            _(
                "This template belongs to the other review (six-month or year-end); "
                "download it again."
            ),
        )
        return plan

    data = grid_data(cluster, stage, user, period)
    units = {u.code: u for u in data.units}
    max_row, max_col = ws.max_row, ws.max_column

    def has_values(cells) -> bool:
        return any(c.value not in (None, "") for c in cells)

    # Columns, by the unit codes of the key row.
    unit_columns: dict[int, Unit] = {}
    seen: set[str] = set()
    for col in range(2, max_col + 1):
        key = _unescape(ws.cell(KEY_ROW, col).value)
        column_cells = [ws.cell(r, col) for r in range(FIRST_ROW, max_row + 1)]
        if key in DESCRIPTIVE_KEYS:
            continue
        if key in units and key not in seen:
            seen.add(key)
            unit_columns[col] = units[key]
        elif not key:
            if has_values(column_cells):
                plan.error(
                    ref(HEADER_ROW, col),
                    _("This column was added to the template; its values are not read."),
                )
        elif has_values(column_cells):
            plan.error(
                ref(HEADER_ROW, col),
                _("The unit “%(code)s” has no sheet in this grid; its column is not read.")
                % {"code": key},
            )

    # Rows, by the "code|field" keys of the key column.
    lines = {f"{c.code}|{name}": (c, name) for c, name in data.lines if name}
    read_keys: set[str] = set()
    pending: dict[int, dict[str, Change]] = {}  # by entry: field → change
    cells_of: dict[tuple[int, str], str] = {}  # (entry, field) → cell reference
    for row in range(FIRST_ROW, max_row + 1):
        key = _unescape(ws.cell(row, 1).value)
        row_cells = [ws.cell(row, col) for col in unit_columns]
        if not key:
            if has_values(row_cells):
                plan.error(
                    ref(row, 2), _("This row was added to the template; its values are not read.")
                )
            continue
        if key not in lines or key in read_keys:
            if has_values(row_cells):
                plan.error(ref(row, 1), _("Unknown or repeated row key “%(key)s”.") % {"key": key})
            continue
        read_keys.add(key)
        criterion, name = lines[key]
        for col, unit in unit_columns.items():
            entry = data.entries.get((unit.pk, criterion.code))
            if entry is None:
                continue
            cell = ws.cell(row, col)
            where = ref(row, col)
            if entry.not_assigned:
                if cell.value not in (None, "") and str(cell.value).strip() != NOT_ASSIGNED:
                    plan.error(
                        where,
                        _("%(code)s is not assigned to this unit; it takes no input.")
                        % {"code": criterion.code},
                    )
                continue
            cells_of[(entry.pk, name)] = where
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and cell.value.startswith("=")
            ):
                plan.error(where, _("A formula is not accepted; type the value itself."))
                continue
            text = _typed(cell.value)
            if text is None:
                plan.error(where, _("This cell must hold a number or text, not a date."))
                continue
            value, problem = forms.parse_value(criterion, name, text)
            if problem:
                plan.error(where, problem)
                continue
            old = getattr(entry, services.INPUT_FIELDS[name])
            if value == old and (value is None) == (old is None):
                continue
            if not data.editable.get(unit.pk):
                plan.error(
                    where,
                    _("You may not score %(unit)s at this stage; this change is refused.")
                    % {"unit": unit.label},
                )
                continue
            pending.setdefault(entry.pk, {})[name] = Change(
                unit=unit.label,
                unit_code=unit.code,
                sheet_id=entry.sheet_id,
                entry_id=entry.pk,
                version=entry.version,
                code=criterion.code,
                field=name,
                label=str(services.FIELD_LABELS.get(name, name)),
                cell=where,
                old=_shown(old, name),
                new=_shown(value, name),
                value=value,
            )

    # The engine's own rules on each changed entry, with every input it would store.
    entries_by_pk = {e.pk: e for e in data.entries.values()}
    for entry_pk, changes in pending.items():
        entry = entries_by_pk[entry_pk]
        spec = services.criterion_spec(entry.criterion, None)
        current = services.entry_input(entry)
        values = {n: getattr(current, n) for n in services.INPUT_FIELDS}
        values.update({n: c.value for n, c in changes.items()})
        merged = engine.EntryInput(**values, override=entry.override)
        problems = engine.validate_entry(spec, merged)
        for problem in problems:
            where = (
                cells_of.get((entry_pk, problem.field or "")) or next(iter(changes.values())).cell
            )
            plan.error(where, services.input_error_message(spec, merged, problem))
        if not problems:
            plan.changes.extend(changes.values())
    if stage not in (Stage.CLUSTER, Stage.FINAL):  # pragma: no cover - views check the stage
        plan.error("", _("This stage has no grid."))
    return plan
