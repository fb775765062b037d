"""The scoring grid as data (build_grid: every cell of a cluster at a stage, in a fixed
number of queries); its cells as HTML are written by grid_html.py."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.enums import ROLE_ORDER, MemberRole
from clusters.models import Cluster, Period, Unit
from emulation.prepared import Prepared
from scoring import engine, permissions, services
from scoring.engine.signed import SignedGroup, signed_groups
from scoring.enums import CriterionKind, Stage
from scoring.models import (
    Criterion,
    Explanation,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
    UnitTarget,
)
from scoring.periods import of_period, period_id_of
from scoring.services.specs import table_spec
from scoring.views import grid_bodies
from scoring.views.common import OWN_UNIT_NOTICE
from scoring.views.grid_html import (
    E_NOT_ASSIGNED,
    E_POINTS,
    E_VERSION,
    E_VIOLATED,
    ENTRY_COLUMNS,
    INPUT_INDEX,
    NO_ENTRY_HTML,
    Marks,
    Text,
    _badge,
    cell_html,  # noqa: F401 - re-exported: scoring.views.targets writes its cells with it
    figure_html,
    line_column_html,
    line_head_html,
    page_cell_html,
    subtotal_html,
)

GRID_STAGES = (Stage.CLUSTER, Stage.FINAL)

BOOLEAN_FIELDS = {"passed", "violated"}
# The sheet's figures shown at the foot of each unit's column, in order.
FIGURES = [
    ("raw_base", gettext_lazy("Raw base")),
    ("base", gettext_lazy("Base points")),
    ("bonus", gettext_lazy("Bonus")),
    ("deduction", gettext_lazy("Deduction")),
    ("total", gettext_lazy("Total")),
    ("rank", gettext_lazy("Rank")),
    ("band", gettext_lazy("Band")),
    ("self", gettext_lazy("Self-assessed total")),
]


def _stage(stage: str) -> str:
    if stage not in GRID_STAGES:
        raise Http404
    return stage


def _optional_url(name: str, *args) -> str:
    """The URL of a page another part of the product provides, or "" while it is missing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- The grid as data ------------------------------------------------------------------------


@dataclass
class Grid:
    """Everything the page shows, precomputed so the template only prints it."""

    cluster: Cluster
    stage: str
    by_units: bool
    table: object = None
    columns: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    cells: dict[str, dict] = field(default_factory=dict)  # input cells by id
    badges: list[dict] = field(default_factory=list)
    subtotals: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    missing: list[Unit] = field(default_factory=list)
    editable: bool = False
    line_heads: str = ""  # the lines' column headings (units as rows)
    body: str = ""  # every line's row (criteria as rows)


def _unit_head(
    user, cluster: Cluster, unit: Unit, role: str, sheet, self_sheet, text, *, links: bool = True
) -> dict:
    """A unit's column head; without ``links`` (a cell save, which answers only the
    figures) its links and the return permission are left out."""
    head = {
        "unit": unit,
        "label": unit.label,
        "role": role,
        "role_label": MemberRole(role).label,
        "sheet": sheet,
        "self_sheet": self_sheet,
        "self_status": self_sheet.get_status_display() if self_sheet else "",
        "self_total": text.points(self_sheet.total) if self_sheet else "—",
        "return_url": "",
        "self_url": "",
        "sheet_url": _optional_url("sheet_detail", sheet.pk) if links else "",
    }
    if self_sheet is not None and links:
        self_sheet.cluster = cluster
        head["self_url"] = _optional_url("sheet_detail", self_sheet.pk)
        if permissions.can_return_sheet(user, self_sheet):
            head["return_url"] = _optional_url("sheet_return", self_sheet.pk)
    return head


def _figures(sheet: ScoreSheet, self_sheet, text) -> dict:
    return {
        "sid": sheet.pk,
        "raw_base": text.points(sheet.raw_base),
        "base": text.points(sheet.base),
        "bonus": text.points(sheet.bonus),
        "deduction": text.points(sheet.deduction),
        "total": text.points(sheet.total),
        "rank": sheet.rank or "—",
        "band": sheet.band or "—",
        "leading": sheet.leading,
        "complete": sheet.complete,
        "self": text.points(self_sheet.total) if self_sheet else "—",
    }


def group_leaves(loaded: services.TableSpec) -> dict[str, list[str]]:
    """{group code: the codes of the leaves under it, at any depth}."""
    spec_by_code = {spec.code: spec for spec in loaded.spec_list}
    leaves_of: dict[str, list[str]] = {}
    for spec in loaded.spec_list:
        if spec.kind == CriterionKind.GROUP:
            continue
        parent = spec.parent
        while parent is not None and parent in spec_by_code:
            leaves_of.setdefault(parent, []).append(spec.code)
            parent = spec_by_code[parent].parent
    return leaves_of


def group_subtotals(
    figures: engine.SheetFigures, signed: Mapping[str, SignedGroup]
) -> dict[str, Decimal]:
    """The subtotal the grid shows on each group: its base leaves (domain rule); a group
    with no base leaf (``signed``: engine.signed.signed_groups) shows its leaves' net effect
    instead (docs/scoring.md "Shown groups"). The grid writes figures as magnitudes in rows
    named by their kind, without a sign: bonuses only or deductions only show the
    magnitude; a mix shows the net as a signed number (negative when it takes away),
    written with "+" or "−" (``subtotal_text``), since nothing else there says which way
    it goes."""
    subtotals = dict(figures.subtotals)
    for code, group in signed.items():
        subtotals[code] = group.net(figures.points) if group.mixed else group.points(figures.points)
    return subtotals


def subtotal_text(text: Text, value: Decimal | None, mixed: bool) -> str:
    """A group's subtotal as the grid writes it: a mix's net signed, others plain."""
    return text.signed(value) if mixed else text.points(value)


# build_grid's reads. The page runs the same ones on every request but for their values: their
# SQL is compiled once per process and shape (emulation.prepared; docs/performance.md).
def _units(*, ids: list[int]):
    return Unit.objects.filter(pk__in=ids).order_by()


def _sheets(*, cluster_id: int, stage: str, period_id: int | None = None):
    """The sheets at this stage and the self-assessments, in one query."""
    return (
        ScoreSheet.objects.filter(
            of_period(period_id), cluster_id=cluster_id, stage__in=[stage, Stage.SELF]
        )
        .select_related("table", "period")
        .order_by()
    )


def _entry_rows(*, ids: list[int]):
    return ScoreEntry.objects.filter(sheet_id__in=ids).order_by()


def _entries(*, ids: list[int]):
    return _entry_rows(ids=ids).values_list(*ENTRY_COLUMNS)


SELF_COLUMNS = ["sheet__unit_id", "criterion__code", *services.INPUT_FIELDS.values(), "points"]


def _self_entries(*, ids: list[int]):
    return _entry_rows(ids=ids).values_list(*SELF_COLUMNS)


def _explanation_rows(*, cluster_id: int):
    return Explanation.objects.filter(
        entry__sheet__cluster_id=cluster_id, entry__sheet__stage=Stage.CLUSTER
    ).order_by()


def _explanations(*, cluster_id: int):
    return _explanation_rows(cluster_id=cluster_id).values_list(
        "entry__sheet__unit_id", "entry__criterion__code", "text"
    )


def _target_rows(*, table_id: int, unit_ids: list[int]):
    return UnitTarget.objects.filter(criterion__table_id=table_id, unit_id__in=unit_ids).order_by()


def _targets(*, table_id: int, unit_ids: list[int]):
    return _target_rows(table_id=table_id, unit_ids=unit_ids).values_list(
        "criterion_id", "unit_id", "target"
    )


_UNITS = Prepared(_units)
_SHEETS = Prepared(_sheets)
_PAGE_READS = {
    "entries": Prepared(_entries),
    "self": Prepared(_self_entries),
    "explanations": Prepared(_explanations),
    "targets": Prepared(_targets),
}


def _column_keys(grid: Grid, table, self_sheets: dict[int, ScoreSheet]) -> dict[int, Hashable]:
    """grid_bodies' key of each unit's column of cells on the page: the versions of the
    rows the page's reads return for it (the entries of its sheet and of its
    self-assessment, its explanations, its own targets), of the table's criteria and row,
    and what of the column the cells show (its sheet and unit, place, whether the user may
    edit it, its figures). One query for every column."""
    unit_ids = [c["unit"].pk for c in grid.columns]
    entries, explanations, targets, criteria, table_row = grid_bodies.row_versions(
        [
            (
                _entry_rows(
                    ids=[c["sheet"].pk for c in grid.columns] + [s.pk for s in self_sheets.values()]
                ),
                "sheet_id",
            ),
            (_explanation_rows(cluster_id=grid.cluster.pk), "entry__sheet__unit_id"),
            (_target_rows(table_id=table.pk, unit_ids=unit_ids), "unit_id"),
            (Criterion.objects.filter(table_id=table.pk), None),
            (ScoreTable.objects.filter(pk=table.pk), None),
        ]
    )
    common = grid_bodies.key(ScoreSheet.objects.db, grid.by_units, (criteria, table_row))
    keys = {}
    for c in grid.columns:
        unit_id, sheet_id = c["unit"].pk, c["sheet"].pk
        self_sheet = self_sheets.get(unit_id)
        keys[unit_id] = (
            common,
            sheet_id,
            unit_id,
            c["i"],
            c["editable"],
            tuple(c["figs"].items()),
            entries.get(sheet_id),
            entries.get(self_sheet.pk) if self_sheet else None,
            explanations.get(unit_id),
            targets.get(unit_id),
        )
    return keys


def build_grid(
    cluster: Cluster,
    stage: str,
    user,
    *,
    by_units: bool = False,
    focus: str | None = None,
    period: Period | None = None,
    closed: Callable[[int], str] | None = None,
) -> Grid:
    """The grid of ``cluster`` at ``stage`` of ``period`` (None: the year-end review) for
    ``user``. With ``focus`` (a criterion code) only that criterion's cells, the subtotals
    of its groups and every unit's figures are built (what a cell save answers).
    ``closed(unit_id)``: why a unit's column is closed by a passed closing deadline ("" when
    open; grid.grid_deadline), so its cells show no input."""
    text = Text()
    grid = Grid(cluster=cluster, stage=stage, by_units=by_units)
    roles = permissions.member_roles(cluster)
    units = sorted(
        _UNITS.run("units", ids=list(roles)),
        key=lambda u: (ROLE_ORDER.get(roles[u.pk], 9), u.code),
    )
    # The sheets at this stage and the self-assessments, in one query.
    sheets: dict[int, ScoreSheet] = {}
    self_sheets: dict[int, ScoreSheet] = {}
    period_id = period_id_of(period)
    found = {"cluster_id": cluster.pk, "stage": stage}
    if period_id is not None:
        found["period_id"] = period_id
    for s in _SHEETS.run(("sheets", period_id is None), **found):
        (sheets if s.stage == stage else self_sheets)[s.unit_id] = s
    table = None
    if sheets:
        table = max((s.table for s in sheets.values()), key=lambda t: (t.version, t.pk))
    else:
        table = services.table_for_cluster(cluster, period)
    grid.table = table
    if table is None or not sheets:
        grid.missing = [u for u in units if u.pk not in sheets]
        return grid
    loaded = table_spec(table)
    spec_by_code = {c.code: loaded.specs[c.pk] for c in loaded.criteria}
    wanted = None
    if focus is not None:
        wanted = {focus}
        parent = spec_by_code[focus].parent if focus in spec_by_code else None
        while parent is not None:
            wanted.add(parent)
            parent = spec_by_code[parent].parent

    # Columns: the member units with a sheet at this stage.
    for unit in units:
        sheet = sheets.get(unit.pk)
        if sheet is None:
            grid.missing.append(unit)
            continue
        sheet.cluster = cluster
        sheet.unit = unit
        self_sheet = self_sheets.get(unit.pk)
        column = _unit_head(
            user, cluster, unit, roles[unit.pk], sheet, self_sheet, text, links=focus is None
        )
        column["i"] = len(grid.columns)
        column["editable"] = permissions.can_edit_sheet(user, sheet)
        column["figs"] = _figures(sheet, self_sheet, text)
        grid.columns.append(column)
    grid.editable = any(c["editable"] for c in grid.columns)
    if grid.editable:
        for column in grid.columns:
            if not column["editable"]:
                column["lock"] = _("You do not score this unit at this stage.")
    for column in grid.columns:
        if permissions.own_unit_notice(user, column["sheet"]):
            column["lock"] = OWN_UNIT_NOTICE
    if closed is not None and grid.editable:
        for column in grid.columns:
            reason = column["editable"] and closed(column["unit"].pk)
            if reason:
                column.update(editable=False, lock=reason, closed=reason)
        grid.editable = any(c["editable"] for c in grid.columns)

    # Lines: a group's header, one line per input of each leaf, the figures at the foot.
    labels = {name: str(label) for name, label in services.FIELD_LABELS.items()}
    r = 0  # the input lines' index, counted over the whole table whatever the focus
    for criterion in loaded.criteria:
        spec = loaded.specs[criterion.pk]
        if wanted is not None and criterion.code not in wanted:
            r += len(engine.input_fields(spec))
            continue
        common = {
            "crit": criterion,
            "cpk": criterion.pk,
            "code": criterion.code,
            "title": criterion.title,
            "max": text.value(criterion.max_points),
            "depth": min(criterion.depth, 3),
        }
        if criterion.kind == CriterionKind.GROUP:
            grid.lines.append({"k": "g", **common})
            continue
        names = engine.input_fields(spec)
        target = text.value(criterion.target) if criterion.target is not None else ""
        for index, name in enumerate(names):
            grid.lines.append(
                {
                    "k": "i",
                    **common,
                    "field": name,
                    "at": INPUT_INDEX[name],
                    "veto": criterion.kind == CriterionKind.VETO,
                    "flabel": labels[name],
                    "bool": name in BOOLEAN_FIELDS,
                    "first": index == 0,
                    "last": index == len(names) - 1,
                    "target": target,
                    "r": r,
                }
            )
            r += 1
    if focus is None:
        for name, label in FIGURES:
            grid.lines.append({"k": "f", "name": name, "label": label})

    signed = signed_groups(loaded.spec_list)
    mixed = {code for code, group in signed.items() if group.mixed}
    if focus is None:
        _page_body(grid, _Page(table, loaded, signed, mixed, self_sheets, text))
        return grid

    # A cell save: the saved criterion's cells, the subtotals of its groups (which need the
    # points of every leaf under them; the sheets' figures are stored) and every figure.
    sheet_ids = [c["sheet"].pk for c in grid.columns]
    unit_of_sheet = {c["sheet"].pk: c["unit"].pk for c in grid.columns}
    self_ids = [s.pk for s in self_sheets.values()]
    needed = {focus}
    leaves_of = group_leaves(loaded)
    for code in wanted:
        needed.update(leaves_of.get(code, ()))
    specs = [s for s in loaded.spec_list if s.kind == CriterionKind.GROUP or s.code in needed]
    entries = {
        (unit_of_sheet[row[1]], row[2]): row
        for row in _entries(ids=sheet_ids).filter(criterion__code__in=sorted(needed))
    }
    self_entries = {
        (row[0], row[1]): row for row in _self_entries(ids=self_ids).filter(criterion__code=focus)
    }
    explanations = {
        (u, code): text_
        for u, code, text_ in _explanations(cluster_id=cluster.pk).filter(
            entry__criterion__code=focus
        )
    }
    targets = {
        (c, u): t
        for c, u, t in _targets(table_id=table.pk, unit_ids=list(roles)).filter(
            criterion__code=focus
        )
    }
    subtotals = _subtotals(grid.columns, entries, specs, loaded, table.bonus_cap, signed)

    # Cells, line by line (ids read once: a model's .pk is a property lookup).
    heads = [
        (c, c["sheet"].pk, c["unit"].pk, c["i"], c["editable"], not c["editable"])
        for c in grid.columns
    ]
    for line in grid.lines:
        kind = line["k"]
        if kind == "g":
            code, cpk = line["code"], line["cpk"]
            for _column, sheet_id, unit_id, _i, _editable, _ro in heads:
                grid.subtotals.append(
                    {
                        "k": "g",
                        "id": f"s{sheet_id}-{cpk}",
                        "text": subtotal_text(text, subtotals[unit_id].get(code), code in mixed),
                    }
                )
            continue
        criterion, code, cpk = line["crit"], line["code"], line["cpk"]
        name, last, at = line["field"], line["last"], INPUT_INDEX[line["field"]]
        for column, _sheet_id, unit_id, i, editable, ro in heads:
            row = entries.get((unit_id, code))
            if row is None:
                continue
            mine = self_entries.get((unit_id, code))
            if row[E_NOT_ASSIGNED]:  # no input: read-only, marked not assigned
                editable, ro = False, True
            cell = {
                "k": "i",
                "id": f"{row[0]}-{name}",
                "entry": row[0],
                "field": name,
                "version": row[E_VERSION],
                "value": text.value(row[at]),
                "self": text.value(mine[at - 1]) if mine else "",
                "ro": ro,
                "r": i if by_units else line["r"],
                "c": line["r"] if by_units else i,
                "cls": " is-edit" if editable else "",
                "err": "",
                "p": None,
                "x": "",
            }
            if last:
                cell["p"] = _badge(row, mine, column, criterion, targets.get((cpk, unit_id)), text)
                cell["x"] = explanations.get((unit_id, code), "")
                if cell["x"]:
                    cell["cls"] = " has-x" + cell["cls"]
                grid.badges.append(cell["p"])
            grid.cells[cell["id"]] = cell
    for column in grid.columns:
        for name, _label in FIGURES:
            grid.figures.append({"name": name, "figs": column["figs"]})
    return grid


def _subtotals(
    columns: list[dict],
    entries: dict[tuple[int, str], tuple],
    specs: list,
    loaded: services.TableSpec,
    bonus_cap,
    signed: Mapping[str, SignedGroup],
) -> dict[int, dict[str, Decimal]]:
    """{unit id: the subtotal of each group} of ``columns``, from the entries read (every
    leaf of the table on the page, the saved criterion's groups' for a cell save) and
    ``specs`` (the whole table's, or the groups and leaves of those)."""
    spec_by_code = {spec.code: spec for spec in loaded.spec_list}
    sheet_points: dict[int, dict[str, Decimal | None]] = {c["unit"].pk: {} for c in columns}
    sheet_violated: dict[int, dict[str, bool]] = {c["unit"].pk: {} for c in columns}
    for (unit_id, code), row in entries.items():
        spec = spec_by_code.get(code)
        if spec is None:
            continue
        sheet_points[unit_id][code] = row[E_POINTS]
        if spec.kind == CriterionKind.VETO:
            sheet_violated[unit_id][code] = bool(row[E_VIOLATED])
    return {
        unit_id: group_subtotals(
            engine.sheet_figures(specs, points, sheet_violated[unit_id], loaded.bands, bonus_cap),
            signed,
        )
        for unit_id, points in sheet_points.items()
    }


@dataclass
class _Page:
    """What writing the page's cells needs beside the grid."""

    table: ScoreTable
    loaded: services.TableSpec
    signed: Mapping[str, SignedGroup]
    mixed: set[str]
    self_sheets: dict[int, ScoreSheet]
    text: Text
    marks: Marks = field(default_factory=Marks)


def _page_body(grid: Grid, page: _Page) -> None:
    """The page's cells, one unit's column at a time: a column kept since a request before
    (grid_bodies) while none of its rows changed, the others written from their rows;
    then the body (criteria as rows) or the rows (units as rows) made from the columns."""
    keys: dict[int, Hashable] = {}
    cells_of: dict[int, tuple[str, ...]] = {}
    if grid_bodies.enabled(ScoreSheet.objects.db):
        keys = _column_keys(grid, page.table, page.self_sheets)
        for column in grid.columns:
            kept = grid_bodies.get(keys[column["unit"].pk])
            if kept is not None:
                cells_of[column["unit"].pk] = kept
    stale = [c for c in grid.columns if c["unit"].pk not in cells_of]
    if stale:
        written = _write_columns(grid, stale, page)
        for unit_id, cells in written.items():
            if keys:
                grid_bodies.keep(keys[unit_id], cells)
        cells_of.update(written)
    columns = [cells_of[c["unit"].pk] for c in grid.columns]
    if grid.by_units:
        grid.line_heads = mark_safe("".join(line_column_html(line) for line in grid.lines))
        grid.rows = [
            {"unit": column, "html": mark_safe("".join(cells))}
            for column, cells in zip(grid.columns, columns, strict=True)
        ]
        return
    # Every row at once: a template loop over 2,000 rows cost more than the rows.
    grid.body = mark_safe(
        "\n".join(
            f"{line_head_html(line, page.marks)}{''.join(row)}</tr>"
            for line, row in zip(grid.lines, zip(*columns, strict=True), strict=True)
        )
    )


def _write_columns(grid: Grid, stale: list[dict], page: _Page) -> dict[int, tuple[str, ...]]:
    """{unit id: its column's cells, one per line of the grid} of the columns ``stale``,
    written from their rows: the entries, the self-assessment's entries, the explanations
    and the own targets, read for these columns only (compiled once: emulation.prepared;
    unordered, into dicts: the models' default orderings join sheets, clusters, campaigns
    and units only to sort). By the sheets' ids, read already: a filter on the sheets'
    cluster and stage through a join let PostgreSQL scan every entry of the database."""
    table, loaded, self_sheets, text, marks = (
        page.table,
        page.loaded,
        page.self_sheets,
        page.text,
        page.marks,
    )
    unit_of_sheet = {c["sheet"].pk: c["unit"].pk for c in stale}
    self_ids = [self_sheets[c["unit"].pk].pk for c in stale if c["unit"].pk in self_sheets]
    reads = {
        "entries": {"ids": list(unit_of_sheet)},
        "self": {"ids": self_ids},
        "explanations": {"cluster_id": grid.cluster.pk},
        "targets": {"table_id": table.pk, "unit_ids": [c["unit"].pk for c in stale]},
    }
    rows = {name: _PAGE_READS[name].run(name, **values) for name, values in reads.items()}
    entries = {(unit_of_sheet[row[1]], row[2]): row for row in rows["entries"]}
    self_entries = {(row[0], row[1]): row for row in rows["self"]}
    explanations = {(u, code): text_ for u, code, text_ in rows["explanations"]}
    targets = {(c, u): t for c, u, t in rows["targets"]}
    subtotals = _subtotals(stale, entries, loaded.spec_list, loaded, table.bonus_cap, page.signed)

    written: dict[int, tuple[str, ...]] = {}
    lines = grid.lines
    by_units = grid.by_units
    for column in stale:
        unit_id, sheet_id, i = column["unit"].pk, column["sheet"].pk, column["i"]
        editable = column["editable"]
        # page_cell_html's head: (column, sheet id, unit id, index, editable, read-only).
        head = (column, sheet_id, unit_id, i, editable, not editable)
        not_assigned = (column, sheet_id, unit_id, i, False, True)
        sums = subtotals[unit_id]
        cells = []
        for line in lines:
            kind = line["k"]
            if kind == "i":
                code = line["code"]
                row = entries.get((unit_id, code))
                if row is None:
                    cells.append(NO_ENTRY_HTML)
                    continue
                last = line["last"]
                cells.append(
                    page_cell_html(
                        row,
                        self_entries.get((unit_id, code)),
                        line,
                        not_assigned if row[E_NOT_ASSIGNED] else head,
                        by_units,
                        targets.get((line["cpk"], unit_id)) if last else None,
                        explanations.get((unit_id, code), "") if last else "",
                        text,
                        marks,
                    )
                )
            elif kind == "g":
                code = line["code"]
                cell = {
                    "id": f"s{sheet_id}-{line['cpk']}",
                    "text": subtotal_text(text, sums.get(code), code in page.mixed),
                }
                cells.append(subtotal_html(cell))
            else:
                cells.append(figure_html({"name": line["name"], "figs": column["figs"]}, marks))
        written[unit_id] = tuple(cells)
    return written
