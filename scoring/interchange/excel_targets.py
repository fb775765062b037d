"""The units' own targets of a score table (chỉ tiêu giao riêng), read once for the page
and its Excel template, and the template written and read back.

:func:`target_data` reads what the page and the workbook show: the member units of the
clusters the table applies to, the table's target criteria, the units' targets and the
units whose results are locked, in a fixed number of queries.

:func:`template_xlsx` writes a ``thidua.targets/1`` workbook: units as rows, target
criteria as columns, the current targets filled in. A hidden key column (A: the unit
codes) and a hidden key row (1: the criterion codes, and the markers of the descriptive
columns) identify every cell, as in the grid's template (excel_grid.py beside it, whose
reading helpers this module uses). :func:`read_upload` reads an upload into a :class:`TargetPlan`
(every changed cell, old → new, and every error with its cell reference) and never writes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clusters.enums import ROLE_ORDER
from clusters.models import Membership, Unit
from scoring.enums import CriterionKind, SheetStatus
from scoring.interchange import safe_cell
from scoring.interchange.excel_grid import ExcelPlan, _open, _shown, _typed, _unescape
from scoring.models import Criterion, ScoreSheet, ScoreTable, UnitTarget
from scoring.services.targets import PERCENT_METRICS, TargetChange, target_parse

MARKER = "thidua.targets/1"
DESCRIPTIVE_KEYS = ("#unit", "#name", "#cluster")
FIRST_TARGET_COLUMN = 2 + len(DESCRIPTIVE_KEYS)  # A is the key column
KEY_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3


# --- What the page and the workbook show ------------------------------------------------------


@dataclass
class TargetData:
    """A table's target criteria × the member units of its clusters, read once."""

    table: ScoreTable
    criteria: list[Criterion] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)  # cluster, role, unit code
    targets: dict[tuple[int, int], UnitTarget] = field(default_factory=dict)  # (crit, unit)
    locked: set[int] = field(default_factory=set)  # units whose results are locked

    @property
    def units(self) -> list[Unit]:
        return [m.unit for m in self.memberships]


def target_data(table: ScoreTable) -> TargetData:
    """Everything about ``table``'s units' targets, in four queries."""
    data = TargetData(table=table)
    data.criteria = list(
        Criterion.objects.filter(table=table, kind=CriterionKind.TARGET).order_by("position", "pk")
    )
    memberships = Membership.objects.filter(cluster__score_tables=table).select_related(
        "unit", "cluster"
    )
    data.memberships = sorted(
        memberships,
        key=lambda m: (m.cluster.number, ROLE_ORDER.get(m.role, 9), m.unit.code),
    )
    data.targets = {
        (t.criterion_id, t.unit_id): t
        for t in UnitTarget.objects.filter(criterion__table=table).order_by()
    }
    data.locked = set(
        ScoreSheet.objects.filter(table=table, status=SheetStatus.LOCKED)
        .values_list("unit_id", flat=True)
        .distinct()
        .order_by()
    )
    return data


def _sheet_title(table: ScoreTable) -> str:
    name = "".join(c for c in _("Targets") if c not in "[]:*?/\\'")
    return name[:31] or "targets"


def _marker(table: ScoreTable) -> str:
    return f"{MARKER}|{table.campaign.year}|{table.version}|{table.title}"


def criterion_heading(criterion: Criterion) -> str:
    """A column's heading: code, title, the unit of measure and the default target."""
    text = f"{criterion.code}. {criterion.title}"
    if criterion.metric in PERCENT_METRICS:
        text += " (%)"
    if criterion.target is not None:
        text += " — " + _("default target: %(target)s") % {
            "target": _shown(criterion.target, "target")
        }
    return text


# --- Writing the template -----------------------------------------------------------------


def template_xlsx(*, table: ScoreTable, editable: bool = True) -> bytes:
    """The units' targets of ``table`` as an .xlsx template (units whose results are
    locked, or every unit when ``editable`` is false, are greyed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    data = target_data(table)
    workbook = Workbook()
    ws = workbook.active
    ws.title = _sheet_title(table)
    workbook.properties.title = f"{MARKER} {table.title} v{table.version}"
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="E5E7EB")

    def put(row: int, col: int, value: object):
        cell = ws.cell(row=row, column=col, value=safe_cell(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever it starts with
        return cell

    put(KEY_ROW, 1, _marker(table))
    for i, key in enumerate(DESCRIPTIVE_KEYS):
        put(KEY_ROW, 2 + i, key)
    for i, text in enumerate([_("Unit code"), _("Unit"), _("Cluster")]):
        put(HEADER_ROW, 2 + i, text).font = bold
    percent = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", showErrorMessage=True
    )
    decimal = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True
    )
    ws.add_data_validation(percent)
    ws.add_data_validation(decimal)
    last_row = FIRST_ROW + len(data.memberships) - 1
    for i, criterion in enumerate(data.criteria):
        col = FIRST_TARGET_COLUMN + i
        put(KEY_ROW, col, criterion.code)
        head = put(HEADER_ROW, col, criterion_heading(criterion))
        head.font = bold
        head.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 18
        if data.memberships:
            rule = percent if criterion.metric in PERCENT_METRICS else decimal
            rule.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
    for offset, membership in enumerate(data.memberships):
        row = FIRST_ROW + offset
        unit = membership.unit
        locked = not editable or unit.pk in data.locked
        put(row, 1, unit.code)
        put(row, 2, unit.code)
        put(row, 3, unit.name)
        put(row, 4, membership.cluster.name)
        for i, criterion in enumerate(data.criteria):
            target = data.targets.get((criterion.pk, unit.pk))
            cell = put(row, FIRST_TARGET_COLUMN + i, target.target if target else None)
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.####"
            if locked:
                cell.fill = grey
    ws.column_dimensions["A"].hidden = True
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 36
    ws.column_dimensions["D"].width = 24
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=FIRST_TARGET_COLUMN)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# --- Reading an upload --------------------------------------------------------------------


@dataclass
class TargetCellChange:
    """One changed target read from a workbook."""

    unit: str  # the unit's label
    unit_code: str
    code: str
    cell: str
    old: str
    new: str
    value: Decimal | None
    version: int  # the stored target's version (0: none) the change was read against


@dataclass
class TargetPlan(ExcelPlan):
    """What an upload of targets would change, and every problem; nothing is written."""

    changes: list[TargetCellChange] = field(default_factory=list)  # type: ignore[assignment]

    def signature(self) -> list[list]:
        """The changes and the versions they were read against (JSON-friendly), to tell at
        confirmation whether the data changed since the preview."""
        return sorted([c.code, c.unit_code, c.version, c.new] for c in self.changes)

    def target_changes(self, data: TargetData) -> list[TargetChange]:
        """The changes as ``services.targets.unit_targets_fill`` takes them."""
        criteria = {c.code: c for c in data.criteria}
        units = {u.code: u for u in data.units}
        return [
            TargetChange(
                criterion=criteria[c.code],
                unit=units[c.unit_code],
                target=c.value,
                expected_version=c.version,
            )
            for c in self.changes
        ]


def _worksheet(workbook, plan: TargetPlan, name: str):
    ws = next(
        (w for w in workbook.worksheets if _unescape(w.cell(1, 1).value).startswith(MARKER)),
        None,
    )
    if ws is None:
        plan.error(
            name,
            _(
                "No worksheet of this file holds the targets template's hidden keys; "
                "download the template again."
            ),
        )
    return ws


def read_upload(*, table: ScoreTable, upload, editable: bool = True) -> tuple[TargetPlan, Any]:
    """Read an uploaded template into a plan: every changed target (old → new) and every
    error with its cell reference; returns the plan and the data it was read against.
    Never writes."""
    from openpyxl.utils import get_column_letter

    plan = TargetPlan()
    data = target_data(table)
    workbook = _open(upload, plan)
    if workbook is None:
        return plan, data
    ws = _worksheet(workbook, plan, getattr(upload, "name", "") or "")
    if ws is None:
        return plan, data
    plan.worksheet = ws.title

    def ref(row: int, col: int) -> str:
        return f"'{ws.title}'!{get_column_letter(col)}{row}"

    if ws.title != _sheet_title(table):
        plan.notes.append(
            _("The worksheet was renamed to “%(name)s”; it was read by its hidden keys.")
            % {"name": ws.title}
        )
    if _unescape(ws.cell(1, 1).value) != _marker(table):
        plan.error(
            ref(1, 1),
            _("This template belongs to another score table or version; download it again."),
        )
        return plan, data

    criteria = {c.code: c for c in data.criteria}
    units = {m.unit.code: m.unit for m in data.memberships}
    max_row, max_col = ws.max_row, ws.max_column

    def has_values(cells) -> bool:
        return any(c.value not in (None, "") for c in cells)

    columns: dict[int, Criterion] = {}
    for col in range(2, max_col + 1):
        key = _unescape(ws.cell(KEY_ROW, col).value)
        if key in DESCRIPTIVE_KEYS:
            continue
        cells = [ws.cell(r, col) for r in range(FIRST_ROW, max_row + 1)]
        if key in criteria and criteria[key] not in columns.values():
            columns[col] = criteria[key]
        elif has_values(cells):
            message = (
                _("This column was added to the template; its values are not read.")
                if not key
                else _(
                    "“%(code)s” is not a target criterion of this table; its column is not read."
                )
                % {"code": key}
            )
            plan.error(ref(HEADER_ROW, col), message)

    seen: set[str] = set()
    for row in range(FIRST_ROW, max_row + 1):
        key = _unescape(ws.cell(row, 1).value)
        row_cells = [ws.cell(row, col) for col in columns]
        if not key or key not in units or key in seen:
            if has_values(row_cells):
                message = (
                    _("This row was added to the template; its values are not read.")
                    if not key
                    else _("Unknown or repeated unit “%(code)s”; this row is not read.")
                    % {"code": key}
                )
                plan.error(ref(row, 2), message)
            continue
        seen.add(key)
        unit = units[key]
        for col, criterion in columns.items():
            _read_cell(plan, data, ws.cell(row, col), ref(row, col), criterion, unit, editable)
    return plan, data


def _read_cell(plan, data, cell, where, criterion, unit, editable) -> None:
    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
        plan.error(where, _("A formula is not accepted; type the value itself."))
        return
    text = _typed(cell.value)
    if text is None:
        plan.error(where, _("This cell must hold a number or text, not a date."))
        return
    percent_cell = "%" in (cell.number_format or "")
    if isinstance(cell.value, float | int) and percent_cell:
        text = format(Decimal(text) * 100, "f")  # 95% typed in a percent cell is 0.95
    value, problem = target_parse(criterion, text, unit)
    if problem:
        plan.error(where, problem)
        return
    stored = data.targets.get((criterion.pk, unit.pk))
    old = stored.target if stored else None
    if value == old and (value is None) == (old is None):
        return
    if not editable or unit.pk in data.locked:
        plan.error(
            where,
            _("The targets of %(unit)s can no longer change; this change is refused.")
            % {"unit": unit.label},
        )
        return
    plan.changes.append(
        TargetCellChange(
            unit=unit.label,
            unit_code=unit.code,
            code=criterion.code,
            cell=where,
            old=_shown(old, "target"),
            new=_shown(value, "target"),
            value=value,
            version=stored.version if stored else 0,
        )
    )
