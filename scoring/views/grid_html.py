"""The scoring grid's cells as HTML, written in Python because a 15 × 150 grid has about
3,000 input cells and a template per cell was four times slower; the numbers as the grid
shows them (Text). build_grid (grid_build.py) lays the grid out; a cell save answers with
the same writers (grid.py, grid_saved.py)."""

from __future__ import annotations

from decimal import Decimal
from html import escape as _html_escape

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from emulation.icons import icon_svg
from scoring import services
from scoring.engine.signed import signed_sign
from scoring.enums import CriterionKind

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
    "not_assigned",
]
INPUT_INDEX = {name: 3 + i for i, name in enumerate(services.INPUT_FIELDS)}
E_VIOLATED = INPUT_INDEX["violated"]
E_OVERRIDE, E_REASON, E_POINTS, E_VERSION, E_NOT_ASSIGNED = 11, 12, 13, 14, 15


def escape(value: object) -> str:
    """django.utils.html.escape without its lazy-string wrapper (which costs more than the
    escaping, 40,000 times a grid): the same text, & < > " ' escaped."""
    return _html_escape(str(value))


# A line's cell for a unit whose sheet has no entry for the criterion.
NO_ENTRY_HTML = '<td class="gna">—</td>'


class Text:
    """Numbers as the grid shows them: the decimal separator of the user's language."""

    def __init__(self) -> None:
        self.sep = str(formats.get_format("DECIMAL_SEPARATOR"))
        # A grid shows the same few numbers thousands of times: each is written once. Equal
        # values give the same text (Decimal("1.50") and Decimal("1.5"), 1 and True), so
        # the value is the key.
        self._values: dict[object, str] = {}
        self._points: dict[object, str] = {}

    def value(self, value: object) -> str:
        """A stored input as typed text: no trailing zeros, 1/0 for yes/no."""
        if value is None:
            return ""
        text = self._values.get(value)
        if text is None:
            text = self._values[value] = self._value(value)
        return text

    def _value(self, value: object) -> str:
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
        if value is None:
            return "—"
        text = self._points.get(value)
        if text is None:
            text = self._points[value] = format(value, ".2f").replace(".", self.sep)
        return text

    def signed(self, value: Decimal | None) -> str:
        """A net effect (a mixed group's): "+" when it adds, "−" when it takes away,
        no sign at 0 (engine.signed)."""
        if value is None:
            return "—"
        return f"{signed_sign(value)}{self.points(abs(value))}"


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
        self.max_points = escape(_("Maximum points"))
        self.target = escape(_("Target"))
        self.not_assigned = escape(_("Not assigned to this unit"))
        self.na = escape(pgettext("grid cell", "n/a"))
        # Icons from the sprite (deploy/build_icons.py), their markup built once too.
        self.icon_target = icon_svg("bullseye")
        self.icon_explanation = icon_svg("chat-left-text-fill")
        self.icon_leading = icon_svg("flag-fill", css="text-warning", label=_("Leading unit"))


def line_head_html(line: dict, marks: Marks) -> str:
    """A line's row and its heading cell (criteria as rows): the criterion's code and
    title on its first input, the input's name, and the maximum and target on its last."""
    kind = line["k"]
    if kind == "f":
        return (
            f'<tr class="gr-f gr-{line["name"]}">\n'
            f'<th scope="row" class="gl gf">{escape(line["label"])}</th>'
        )
    code, title, depth = escape(line["code"]), escape(line["title"]), line["depth"]
    named = f'<span class="gcode">{code}</span> <span class="gtitle" title="{title}">{title}</span>'
    if kind == "g":
        total = f'<span class="gfield">Σ {line["max"]}đ</span>' if line["max"] != "0" else ""
        return (
            f'<tr class="gr-g d{depth}">\n'
            f'<th scope="row" class="gl gg d{depth}">{named}{total}</th>'
        )
    first = " first" if line["first"] else ""
    tail = " (1/0)" if line["bool"] else ""
    if line["last"]:
        tail += f' · <span title="{marks.max_points}">{line["max"]}đ</span>'
        if line["target"]:
            tail += f' · <span title="{marks.target}">{marks.icon_target} {line["target"]}</span>'
    return (
        f'<tr class="gr-i{first}">\n<th scope="row" id="rh-{line["r"]}" class="gl d{depth}" '
        f'data-code="{code}" data-max="{line["max"]}">{named if first else ""}'
        f'<span class="gfield">{escape(line["flabel"])}{tail}</span></th>'
    )


def line_column_html(line: dict) -> str:
    """A line's column heading (units as rows)."""
    kind = line["k"]
    if kind == "f":
        return f'<th scope="col" class="gh-fig">{escape(line["label"])}</th>'
    code, title = escape(line["code"]), escape(line["title"])
    if kind == "g":
        total = f" {line['max']}" if line["max"] != "0" else ""
        return (
            f'<th scope="col" class="gh-group" title="{code}. {title}"><span class="gcode">'
            f'{code}</span><span class="gfield">Σ{total}</span></th>'
        )
    first = " first" if line["first"] else ""
    return (
        f'<th scope="col" id="ch-{line["r"]}" class="gh-line{first}" title="{code}. {title}" '
        f'data-code="{code}" data-max="{line["max"]}"><span class="gcode">{code}</span>'
        f'<span class="gfield">{escape(line["flabel"])}</span></th>'
    )


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
        parts.append(_explanation_html(c["x"], marks))
    badge = c["p"]
    if badge:
        parts.append(badge_html(badge))
        if badge["target"]:
            parts.append(_target_html(badge["target"], marks))
    if c["err"]:
        parts.append(f'<div class="ge" id="e{cid}" role="alert">{escape(c["err"])}</div>')
    parts.append("</td>")
    return "".join(parts)


def _explanation_html(text: str, marks: Marks) -> str:
    return (
        f'<button type="button" class="gx" data-bs-toggle="popover" data-bs-trigger="focus" '
        f'data-bs-placement="left" data-bs-title="{marks.explanation}" '
        f'data-bs-content="{escape(text)}" aria-label="{marks.explanation}">'
        f"{marks.icon_explanation}</button>"
    )


def _target_html(target: str, marks: Marks) -> str:
    return f'<span class="gt" title="{marks.own_target}">{marks.icon_target}{target}</span>'


def page_cell_html(
    row: tuple,
    mine: tuple | None,
    line: dict,
    column: tuple,
    by_units: bool,
    own_target,
    explanation: str,
    text: Text,
    marks: Marks,
) -> str:
    """The same HTML as cell_html() of build_grid's cell for this entry and input, written
    straight from the rows (the page writes some 3,000 of them: no cell dict, no badge
    dict). ``column``: build_grid's (head, sheet id, unit id, index, editable, read-only).
    tests/scoring/test_views_grid.py checks that the two agree."""
    name, at, r = line["field"], line["at"], line["r"]
    i, editable = column[3], column[4]
    row_, col = (i, r) if by_units else (r, i)
    cid = f"{row[0]}-{name}"
    cls = " has-x" if line["last"] and explanation else ""
    if row[E_NOT_ASSIGNED]:
        cls += " is-na"
    if editable:
        cls += " is-edit"
    parts = [
        f'<td id="c{cid}" class="gc{cls}"><input id="i{cid}" class="gi" '
        # Not escaped: Text.value writes digits, a sign and the decimal separator only.
        f'value="{"" if row[E_NOT_ASSIGNED] else text.value(row[at])}" '
        f'data-version="{row[E_VERSION]}" '
        f'data-r="{row_}" data-c="{col}" aria-labelledby="rh-{row_} ch-{col}" '
        f'autocomplete="off"{"" if editable else " readonly"}>'
    ]
    if mine and not row[E_NOT_ASSIGNED]:
        own = text.value(mine[at - 1])
        if own:
            parts.append(f'<span class="gs">{own}</span>')
    if line["last"] and row[E_NOT_ASSIGNED]:
        parts.append(f'<span class="gp is-na" title="{marks.not_assigned}">{marks.na}</span>')
    elif line["last"]:
        if explanation:
            parts.append(_explanation_html(explanation, marks))
        points, override = row[E_POINTS], row[E_OVERRIDE]
        self_points = mine[-1] if mine else None
        badge_cls = " is-override" if override is not None else ""
        if points is None:
            badge_cls += " is-empty"
        elif self_points is not None and points < self_points:
            badge_cls += " is-below"
        parts.append(
            _badge_html(
                row[0],
                text.points(points),
                badge_cls,
                editable and not line["veto"],
                text.value(override),
                row[E_REASON],
            )
        )
        if own_target is not None:
            target = text.value(own_target)
            if target:
                parts.append(_target_html(target, marks))
    parts.append("</td>")
    return "".join(parts)


def badge_html(p: dict, oob: bool = False) -> str:
    """A leaf's points; a button opening the override form where the user may override."""
    return _badge_html(p["entry"], p["text"], p["cls"], p["btn"], p["override"], p["reason"], oob)


def _badge_html(
    entry: int, text: str, cls: str, btn: bool, override: str, reason: str, oob: bool = False
) -> str:
    extra = ""
    if override:
        reason = escape(reason)
        extra = f' data-override="{escape(override)}" data-reason="{reason}" title="{reason}"'
    tag = "button" if btn else "span"
    kind = ' type="button"' if btn else ""
    return f'<{tag}{kind} id="p{entry}" class="gp{cls}"{extra}{_oob(oob)}>{text}</{tag}>'


def subtotal_html(c: dict, oob: bool = False) -> str:
    return f'<td id="{c["id"]}" class="gsub"{_oob(oob)}>{c["text"]}</td>'


def figure_html(c: dict, marks: Marks, oob: bool = False) -> str:
    name, figs = c["name"], c["figs"]
    css = f"gfig gfig-{name}"
    text = escape(figs[name])
    if name == "total" and not figs["complete"]:
        css += " is-incomplete"
    if name == "rank" and figs["leading"]:
        text += f" {marks.icon_leading}"
    return f'<td id="f{name}-{figs["sid"]}" class="{css}"{_oob(oob)}>{text}</td>'


def _badge(row, mine, column, criterion, own_target, text) -> dict:
    """The leaf's points for one unit (the override button when the user may override)."""
    points = row[E_POINTS]
    override = row[E_OVERRIDE]
    self_points = mine[-1] if mine else None
    badge = {
        "entry": row[0],
        "text": text.points(points),
        "cls": "",
        "btn": column["editable"]
        and criterion.kind != CriterionKind.VETO
        and not row[E_NOT_ASSIGNED],
        "override": text.value(override),
        "reason": row[E_REASON],
        "version": row[E_VERSION],
        "code": criterion.code,
        "unit": column["label"],
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
