"""The scoring grid as data (build_grid: every cell of a cluster at a stage, in a fixed
number of queries) and its cells as HTML, written in Python because a 15 × 150 grid has
about 3,000 input cells and a template per cell was four times slower."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.enums import ROLE_ORDER, MemberRole
from clusters.models import Cluster, Unit
from scoring import engine, permissions, services
from scoring.enums import CriterionKind, Stage
from scoring.models import Explanation, ScoreEntry, ScoreSheet, UnitTarget
from scoring.views.common import OWN_UNIT_NOTICE

GRID_STAGES = (Stage.CLUSTER, Stage.FINAL)

BOOLEAN_FIELDS = {"passed", "violated"}
# The sheet's figures shown at the foot of each unit's column, in order.
FIGURES = [
    ("base", gettext_lazy("Base points")),
    ("bonus", gettext_lazy("Bonus")),
    ("deduction", gettext_lazy("Deduction")),
    ("total", gettext_lazy("Total")),
    ("rank", gettext_lazy("Rank")),
    ("band", gettext_lazy("Band")),
    ("self", gettext_lazy("Self-assessed total")),
]
# The entry's columns read for the grid, in this order (one row per entry).
ENTRY_COLUMNS = [
    "pk",
    "sheet_id",
    "criterion__code",
    *services.INPUT_FIELDS.values(),
    "override",
    "override_reason",
    "points",
    "version",
]
INPUT_INDEX = {name: 3 + i for i, name in enumerate(services.INPUT_FIELDS)}
E_OVERRIDE, E_REASON, E_POINTS, E_VERSION = 11, 12, 13, 14


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


class Text:
    """Numbers as the grid shows them: the decimal separator of the user's language."""

    def __init__(self) -> None:
        self.sep = str(formats.get_format("DECIMAL_SEPARATOR"))

    def value(self, value: object) -> str:
        """A stored input as typed text: no trailing zeros, 1/0 for yes/no."""
        if value is None:
            return ""
        if value is True:
            return "1"
        if value is False:
            return "0"
        if isinstance(value, Decimal):
            text = format(value, "f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text.replace(".", self.sep)
        return str(value)

    def points(self, value: Decimal | None) -> str:
        return "—" if value is None else format(value, ".2f").replace(".", self.sep)


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


def _unit_head(
    user, cluster: Cluster, unit: Unit, role: str, sheet, self_sheet, text, *, links: bool = True
) -> dict:
    """A unit's column head; without ``links`` (a cell save, which answers only the
    figures) its links and the return permission are left out."""
    head = {
        "unit": unit,
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


def build_grid(
    cluster: Cluster, stage: str, user, *, by_units: bool = False, focus: str | None = None
) -> Grid:
    """The grid of ``cluster`` at ``stage`` for ``user``. With ``focus`` (a criterion code)
    only that criterion's cells, the subtotals of its groups and every unit's figures are
    built (what a cell save answers)."""
    text = Text()
    grid = Grid(cluster=cluster, stage=stage, by_units=by_units)
    roles = permissions.member_roles(cluster)
    units = sorted(
        Unit.objects.filter(pk__in=list(roles)).order_by(),
        key=lambda u: (ROLE_ORDER.get(roles[u.pk], 9), u.code),
    )
    # The sheets at this stage and the self-assessments, in one query.
    sheets: dict[int, ScoreSheet] = {}
    self_sheets: dict[int, ScoreSheet] = {}
    for s in (
        ScoreSheet.objects.filter(cluster=cluster, stage__in=[stage, Stage.SELF])
        .select_related("table")
        .order_by()
    ):
        (sheets if s.stage == stage else self_sheets)[s.unit_id] = s
    table = None
    if sheets:
        table = max((s.table for s in sheets.values()), key=lambda t: (t.version, t.pk))
    else:
        table = services.table_for_cluster(cluster)
    grid.table = table
    if table is None or not sheets:
        grid.missing = [u for u in units if u.pk not in sheets]
        return grid
    loaded = services.load_table(table)
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

    # A group's subtotal counts its base leaves (domain rule); a group holding only bonus,
    # deduction or veto leaves shows the sum of what those leaves count instead.
    leaves_of: dict[str, list[str]] = {}
    has_base: set[str] = set()
    for spec in loaded.spec_list:
        if spec.kind == CriterionKind.GROUP:
            continue
        parent = spec.parent
        while parent is not None and parent in spec_by_code:
            leaves_of.setdefault(parent, []).append(spec.code)
            if spec.kind in engine.BASE_KINDS:
                has_base.add(parent)
            parent = spec_by_code[parent].parent

    # The entries (and what the unit said it scored itself, and its explanations). Read
    # into dicts, so unordered: the models' default orderings join sheets, clusters,
    # campaigns and units only to sort, which took most of these queries' time.
    sheet_ids = [c["sheet"].pk for c in grid.columns]
    unit_of_sheet = {c["sheet"].pk: c["unit"].pk for c in grid.columns}
    entries_qs = ScoreEntry.objects.filter(sheet_id__in=sheet_ids).order_by()
    self_qs = ScoreEntry.objects.filter(sheet__cluster=cluster, sheet__stage=Stage.SELF).order_by()
    explanations_qs = Explanation.objects.filter(
        entry__sheet__cluster=cluster, entry__sheet__stage=Stage.CLUSTER
    ).order_by()
    targets_qs = UnitTarget.objects.filter(
        criterion__table=table, unit_id__in=list(roles)
    ).order_by()
    specs = loaded.spec_list
    if focus is not None:
        # Subtotals need the points of every leaf of the groups shown: the whole table on
        # the page; for a cell save, the leaves of the saved criterion's groups only (the
        # sheets' figures are stored; only the subtotals are computed here).
        needed = {focus}
        for code in wanted:
            needed.update(leaves_of.get(code, ()))
        specs = [s for s in specs if s.kind == CriterionKind.GROUP or s.code in needed]
        entries_qs = entries_qs.filter(criterion__code__in=sorted(needed))
        self_qs = self_qs.filter(criterion__code=focus)
        explanations_qs = explanations_qs.filter(entry__criterion__code=focus)
        targets_qs = targets_qs.filter(criterion__code=focus)
    entries = {
        (unit_of_sheet[row[1]], row[2]): row for row in entries_qs.values_list(*ENTRY_COLUMNS)
    }
    self_columns = ["sheet__unit_id", "criterion__code", *services.INPUT_FIELDS.values(), "points"]
    self_entries = {(row[0], row[1]): row for row in self_qs.values_list(*self_columns)}
    explanations = {
        (u, code): text_
        for u, code, text_ in explanations_qs.values_list(
            "entry__sheet__unit_id", "entry__criterion__code", "text"
        )
    }
    targets = {(c, u): t for c, u, t in targets_qs.values_list("criterion_id", "unit_id", "target")}

    # Every entry read (the whole table, or the saved criterion's groups) counts for the
    # subtotals.
    points_rows = [(unit, code, row[E_POINTS], row[10]) for (unit, code), row in entries.items()]
    sheet_points: dict[int, dict[str, Decimal | None]] = {c["unit"].pk: {} for c in grid.columns}
    sheet_violated: dict[int, dict[str, bool]] = {c["unit"].pk: {} for c in grid.columns}
    for unit_id, code, points, violated in points_rows:
        spec = spec_by_code.get(code)
        if spec is None:
            continue
        sheet_points[unit_id][code] = points
        if spec.kind == CriterionKind.VETO:
            sheet_violated[unit_id][code] = bool(violated)
    subtotals: dict[int, dict[str, Decimal]] = {}
    for unit_id in sheet_points:
        figures = engine.sheet_figures(
            specs,
            sheet_points[unit_id],
            sheet_violated[unit_id],
            loaded.bands,
            table.bonus_cap,
        )
        subtotals[unit_id] = dict(figures.subtotals)
        for code, leaves in leaves_of.items():
            if code not in has_base:
                subtotals[unit_id][code] = sum(
                    (figures.points.get(leaf, Decimal(0)) for leaf in leaves), Decimal("0.00")
                )

    # Lines: a group's header, one line per input of each leaf, the figures at the foot.
    r = 0  # the input lines' index, counted over the whole table whatever the focus
    for criterion in loaded.criteria:
        spec = loaded.specs[criterion.pk]
        if wanted is not None and criterion.code not in wanted:
            r += len(engine.input_fields(spec))
            continue
        if criterion.kind == CriterionKind.GROUP:
            grid.lines.append(
                {
                    "k": "g",
                    "crit": criterion,
                    "code": criterion.code,
                    "title": criterion.title,
                    "max": text.value(criterion.max_points),
                    "depth": min(criterion.depth, 3),
                }
            )
            continue
        names = engine.input_fields(spec)
        for index, name in enumerate(names):
            grid.lines.append(
                {
                    "k": "i",
                    "crit": criterion,
                    "code": criterion.code,
                    "title": criterion.title,
                    "field": name,
                    "flabel": services.FIELD_LABELS[name],
                    "bool": name in BOOLEAN_FIELDS,
                    "first": index == 0,
                    "last": index == len(names) - 1,
                    "max": text.value(criterion.max_points),
                    "target": text.value(criterion.target) if criterion.target is not None else "",
                    "kind": criterion.get_kind_display(),
                    "depth": min(criterion.depth, 3),
                    "r": r,
                }
            )
            r += 1
    if focus is None:
        for name, label in FIGURES:
            grid.lines.append({"k": "f", "name": name, "label": label})

    # Cells, line by line.
    matrix: list[list[dict]] = []
    for line in grid.lines:
        kind = line["k"]
        row_cells = []
        if kind == "g":
            for column in grid.columns:
                cell = {
                    "k": "g",
                    "id": f"s{column['sheet'].pk}-{line['crit'].pk}",
                    "text": text.points(subtotals[column["unit"].pk].get(line["code"])),
                }
                row_cells.append(cell)
                grid.subtotals.append(cell)
        elif kind == "f":
            for column in grid.columns:
                row_cells.append({"k": "f", "name": line["name"], "figs": column["figs"]})
        else:
            criterion = line["crit"]
            name = line["field"]
            for column in grid.columns:
                unit_id = column["unit"].pk
                row = entries.get((unit_id, criterion.code))
                if row is None:
                    row_cells.append({"k": "n"})
                    continue
                mine = self_entries.get((unit_id, criterion.code))
                cell = {
                    "k": "i",
                    "id": f"{row[0]}-{name}",
                    "entry": row[0],
                    "field": name,
                    "version": row[E_VERSION],
                    "value": text.value(row[INPUT_INDEX[name]]),
                    "self": text.value(mine[INPUT_INDEX[name] - 1]) if mine else "",
                    "ro": not column["editable"],
                    "r": column["i"] if by_units else line["r"],
                    "c": line["r"] if by_units else column["i"],
                    "cls": "",
                    "err": "",
                    "p": None,
                    "x": "",
                }
                if line["last"]:
                    cell["p"] = _badge(
                        row, mine, column, criterion, targets.get((criterion.pk, unit_id)), text
                    )
                    cell["x"] = explanations.get((unit_id, criterion.code), "")
                    if cell["x"]:
                        cell["cls"] += " has-x"
                    grid.badges.append(cell["p"])
                if column["editable"]:
                    cell["cls"] += " is-edit"
                row_cells.append(cell)
                grid.cells[cell["id"]] = cell
        matrix.append(row_cells)
    for column in grid.columns:
        for name, _label in FIGURES:
            grid.figures.append({"name": name, "figs": column["figs"]})

    if focus is not None:
        return grid  # a cell save answers single cells, not rows
    marks = Marks()
    if by_units:
        grid.rows = [
            {"unit": column, "html": mark_safe("".join(any_html(r[i], marks) for r in matrix))}
            for i, column in enumerate(grid.columns)
        ]
    else:
        grid.rows = [
            {"line": line, "html": mark_safe("".join(any_html(c, marks) for c in row_cells))}
            for line, row_cells in zip(grid.lines, matrix, strict=True)
        ]
    return grid


# --- Cells as HTML -------------------------------------------------------------------------------
# A big grid has thousands of cells (15 units × 200 input lines): written here rather than
# by a template tag per cell, the page renders in a fraction of the time. The template
# prints each row's cells at once; a cell save answers with the same functions.


class Marks:
    """Translated words used inside cells, looked up once per response."""

    def __init__(self) -> None:
        self.explanation = escape(_("Explanation"))
        self.own_target = escape(_("Own target"))
        self.leading = escape(_("Leading unit"))


def _oob(oob: bool) -> str:
    return ' hx-swap-oob="true"' if oob else ""


def cell_html(c: dict, marks: Marks, oob: bool = False) -> str:
    """An input cell: the value, the unit's own value (muted), the explanation button, the
    points badge (on a leaf's last input) and the error that kept the value from being
    stored. The input's id ``i<entry>-<field>`` is what grid.js sends back."""
    cid, r, col = c["id"], c["r"], c["c"]
    parts = [
        f'<td id="c{cid}" class="gc{c["cls"]}"{_oob(oob)}><input id="i{cid}" class="gi" '
        f'value="{escape(c["value"])}" data-version="{c["version"]}" data-r="{r}" '
        f'data-c="{col}" aria-labelledby="rh-{r} ch-{col}" autocomplete="off"'
    ]
    if c["ro"]:
        parts.append(" readonly")
    if c["err"]:
        parts.append(f' aria-invalid="true" aria-describedby="e{cid}"')
    parts.append(">")
    if c["self"]:
        parts.append(f'<span class="gs">{c["self"]}</span>')
    if c["x"]:
        parts.append(
            f'<button type="button" class="gx" data-bs-toggle="popover" data-bs-trigger="focus" '
            f'data-bs-placement="left" data-bs-title="{marks.explanation}" '
            f'data-bs-content="{escape(c["x"])}" aria-label="{marks.explanation}">'
            '<i class="bi bi-chat-left-text-fill" aria-hidden="true"></i></button>'
        )
    badge = c["p"]
    if badge:
        parts.append(badge_html(badge))
        if badge["target"]:
            parts.append(
                f'<span class="gt" title="{marks.own_target}"><i class="bi bi-bullseye" '
                f'aria-hidden="true"></i>{badge["target"]}</span>'
            )
    if c["err"]:
        parts.append(f'<div class="ge" id="e{cid}" role="alert">{escape(c["err"])}</div>')
    parts.append("</td>")
    return "".join(parts)


def badge_html(p: dict, oob: bool = False) -> str:
    """A leaf's points; a button opening the override form where the user may override."""
    extra = ""
    if p["override"]:
        reason = escape(p["reason"])
        extra = f' data-override="{escape(p["override"])}" data-reason="{reason}" title="{reason}"'
    if p["btn"]:
        return (
            f'<button type="button" id="p{p["entry"]}" class="gp{p["cls"]}"{extra}{_oob(oob)}>'
            f"{p['text']}</button>"
        )
    return f'<span id="p{p["entry"]}" class="gp{p["cls"]}"{extra}{_oob(oob)}>{p["text"]}</span>'


def subtotal_html(c: dict, oob: bool = False) -> str:
    return f'<td id="{c["id"]}" class="gsub"{_oob(oob)}>{c["text"]}</td>'


def figure_html(c: dict, marks: Marks, oob: bool = False) -> str:
    name, figs = c["name"], c["figs"]
    css = f"gfig gfig-{name}"
    text = escape(figs[name])
    if name == "total" and not figs["complete"]:
        css += " is-incomplete"
    if name == "rank" and figs["leading"]:
        text += f' <i class="bi bi-flag-fill text-warning" title="{marks.leading}"></i>'
    return f'<td id="f{name}-{figs["sid"]}" class="{css}"{_oob(oob)}>{text}</td>'


def any_html(c: dict, marks: Marks) -> str:
    kind = c["k"]
    if kind == "i":
        return cell_html(c, marks)
    if kind == "g":
        return subtotal_html(c)
    if kind == "f":
        return figure_html(c, marks)
    return '<td class="gna">—</td>'


def _badge(row, mine, column, criterion, own_target, text) -> dict:
    """The leaf's points for one unit (the override button when the user may override)."""
    points = row[E_POINTS]
    override = row[E_OVERRIDE]
    self_points = mine[-1] if mine else None
    badge = {
        "entry": row[0],
        "text": text.points(points),
        "cls": "",
        "btn": column["editable"] and criterion.kind != CriterionKind.VETO,
        "override": text.value(override),
        "reason": row[E_REASON],
        "version": row[E_VERSION],
        "code": criterion.code,
        "unit": column["unit"].label,
        "max": text.value(criterion.max_points),
        "self": text.points(self_points) if mine else "",
        "target": text.value(own_target) if own_target is not None else "",
    }
    if override is not None:
        badge["cls"] += " is-override"
    if points is None:
        badge["cls"] += " is-empty"
    elif self_points is not None and points < self_points:
        badge["cls"] += " is-below"
    return badge
