"""The score table editor, for the staff who manage a campaign: the criteria tree of a draft
table edited in place, each criterion's parameters in a side panel, the bands and the bonus
cap, live sums, the publishing checks on the criterion they concern, a preview of the sheet
a unit will see, publishing, and the history of who changed what.

Every change is one small POST to a service of ``scoring.services.editor`` carrying the
table's ``revision`` the page showed; the answer holds only what changed (tree rows or the
lists whose order changed, the sums, the checks and the new revision) as out-of-band htmx
fragments of ``scoring/table_editor.html``. A stale revision answers 409 with a message,
a refused value 422 with a message, and nothing changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clusters.models import Membership, Unit
from scoring import permissions
from scoring.enums import CriterionKind, Direction, Method, Metric, TableStatus
from scoring.models import Criterion, ScoreTable
from scoring.services import editor as services
from scoring.services.specs import TableFrozen, TableNotPublishable
from scoring.services.tables import table_problems
from scoring.views import sheet as sheet_views
from scoring.views.common import require
from scoring.views.history import Change
from scoring.views.history import _changes as history_changes
from scoring.views.tables import _managed_campaign, copy_sources

BASE_KINDS = {
    CriterionKind.MANUAL,
    CriterionKind.PASS_FAIL,
    CriterionKind.COUNT,
    CriterionKind.TARGET,
    CriterionKind.GROUP,
}
HISTORY_LIMIT = 100
HELP = {
    "code": gettext_lazy("Unique in the table, e.g. I.2.a."),
    "target": gettext_lazy("Used when a unit has no own target."),
    "deduct": gettext_lazy("Taken off the total when it happens."),
    "max_band": gettext_lazy("The best band a unit can reach when it happens."),
    "guidance": gettext_lazy("How to score it, as units and scorers read it."),
}


# --- What the editor shows ----------------------------------------------------------------


def problems_by_code(problems: Iterable[str], codes: Iterable[str]) -> tuple[dict, list[str]]:
    """The publishing checks split into those about one criterion ({code: [message]}) and
    the others (bands, bonus cap, an empty table). The one place that reads the checks'
    wording: a check about a criterion starts with its code and ": "."""
    known = sorted(set(codes), key=len, reverse=True)  # "I.1" before "I"
    by_code: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        text = str(problem)
        code = next((c for c in known if text.startswith(f"{c}: ")), None)
        if code is None:
            general.append(text)
        else:
            by_code.setdefault(code, []).append(text[len(code) + 2 :])
    return by_code, general


@dataclass
class Node:
    """A criterion as a row of the editor's tree."""

    criterion: Criterion
    children: list[Node] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    level: int = 1
    index: int = 1
    count: int = 1

    @property
    def pk(self) -> int:
        return self.criterion.pk

    @property
    def is_group(self) -> bool:
        return self.criterion.kind == CriterionKind.GROUP

    @property
    def sum(self) -> Decimal:
        """The sum of the maxima of the children that make up a group's points."""
        return sum(
            (c.criterion.max_points for c in self.children if c.criterion.kind in BASE_KINDS),
            Decimal(0),
        )

    @property
    def sum_differs(self) -> bool:
        return self.is_group and bool(self.children) and self.sum != self.criterion.max_points

    def signature(self) -> tuple:
        """What the row shows: a row whose signature changed is sent again."""
        c = self.criterion
        return (
            c.code,
            c.title,
            c.kind,
            c.max_points,
            c.per_item,
            c.deduct,
            c.metric,
            c.method,
            self.sum if self.is_group else None,
            tuple(self.problems),
        )


@dataclass
class EditorState:
    """A table's tree with its sums and checks, read in two queries."""

    table: ScoreTable
    roots: list[Node]
    nodes: dict[int, Node]
    general: list[str]
    problem_count: int

    @classmethod
    def load(cls, table: ScoreTable) -> EditorState:
        criteria = list(table.criteria.order_by("position", "pk"))
        by_code, general = problems_by_code(table_problems(table), [c.code for c in criteria])
        if not criteria:
            general = [p for p in general if p != _("The table has no criteria.")]
        nodes = {c.pk: Node(criterion=c, problems=by_code.get(c.code, [])) for c in criteria}
        roots: list[Node] = []
        for criterion in sorted(criteria, key=lambda c: (c.order, c.pk)):
            node = nodes[criterion.pk]
            parent = nodes.get(criterion.parent_id)
            (parent.children if parent else roots).append(node)
        stack = [(roots, 1)]
        while stack:
            siblings, level = stack.pop()
            for index, node in enumerate(siblings, start=1):
                node.level, node.index, node.count = level, index, len(siblings)
                stack.append((node.children, level + 1))
        count = sum(len(n.problems) for n in nodes.values()) + len(general)
        return cls(table=table, roots=roots, nodes=nodes, general=general, problem_count=count)

    @property
    def total(self) -> Decimal:
        """The table's maximum: the maxima of its top-level base criteria and groups."""
        return sum(
            (n.criterion.max_points for n in self.roots if n.criterion.kind in BASE_KINDS),
            Decimal(0),
        )

    @property
    def with_problems(self) -> list[Node]:
        return [n for n in self.ordered() if n.problems]

    def ordered(self) -> list[Node]:
        found: list[Node] = []
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found

    def child_ids(self) -> dict[int | None, list[int]]:
        result: dict[int | None, list[int]] = {None: [n.pk for n in self.roots]}
        for node in self.nodes.values():
            result[node.pk] = [c.pk for c in node.children]
        return result

    def ancestors(self, pk: int) -> list[int]:
        found = []
        parent = self.nodes[pk].criterion.parent_id
        while parent is not None and parent in self.nodes:
            found.append(parent)
            parent = self.nodes[parent].criterion.parent_id
        return found


def changes(before: EditorState, after: EditorState) -> tuple[bool, list[Node], list[Node]]:
    """What to send again after a change: (the whole tree?, the subtrees whose children's
    order changed, the single rows whose content changed outside those subtrees)."""
    old, new = before.child_ids(), after.child_ids()
    moved = {pk for pk, ids in new.items() if old.get(pk) != ids}
    moved |= {pk for pk in new if pk is not None and pk not in old}  # new criteria
    if None in moved:
        return True, [], []
    # A new or moved criterion is drawn with its parent's list.
    lists = {after.nodes[pk].criterion.parent_id for pk in moved if pk not in old}
    lists |= {pk for pk in moved if pk in old}
    lists = {pk for pk in lists if pk is None or pk in after.nodes}
    if None in lists:
        return True, [], []
    outer = {pk for pk in lists if not set(after.ancestors(pk)) & lists}
    inside = set()
    for pk in outer:
        inside |= {n.pk for n in _subtree(after.nodes[pk])}
    rows = [
        node
        for node in after.ordered()
        if node.pk not in inside
        and (node.pk not in before.nodes or before.nodes[node.pk].signature() != node.signature())
    ]
    return (
        False,
        [after.nodes[pk] for pk in sorted(outer, key=lambda p: after.nodes[p].level)],
        rows,
    )


def _subtree(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found


# --- The side panel -------------------------------------------------------------------------


@dataclass
class PanelField:
    name: str
    label: str
    widget: str  # "text", "number", "textarea", "select", "checkbox"
    value: object = ""
    choices: list = field(default_factory=list)
    error: str = ""
    help: str = ""


def _text(value: object) -> str:
    return sheet_views.as_text(value) if value is not None else ""


def panel_fields(
    criterion: Criterion, raw: dict | None = None, errors: dict | None = None
) -> list[PanelField]:
    """The panel's fields for the criterion's kind only, with typed values shown back and
    each refusal beside its field."""
    raw, errors = raw or {}, errors or {}
    applicable = services.APPLICABLE.get(criterion.kind, frozenset())
    label = {f.name: str(f.verbose_name) for f in Criterion._meta.fields}
    bands = [(b["label"], b["label"]) for b in criterion.table.bands or []]
    empty = [("", "—")]
    specs = [
        ("code", "text", criterion.code, []),
        ("title", "textarea", criterion.title, []),
        ("kind", "select", criterion.kind, CriterionKind.choices),
        ("max_points", "number", _text(criterion.max_points), []),
        ("per_item", "number", _text(criterion.per_item), []),
        ("metric", "select", criterion.metric, empty + Metric.choices),
        ("direction", "select", criterion.direction, Direction.choices),
        ("method", "select", criterion.method, empty + Method.choices),
        ("target", "number", _text(criterion.target), []),
        ("deduct", "number", _text(criterion.deduct), []),
        ("max_band", "select", criterion.max_band, empty + bands),
        ("excludes_leading", "checkbox", criterion.excludes_leading, []),
        ("guidance", "textarea", criterion.guidance, []),
    ]
    helps = {
        **HELP,
        "max_points": _max_help(criterion),
        "per_item": _per_item_help(criterion),
    }
    result = []
    for name, widget, value, choices in specs:
        if name in services.PARAMETERS and name not in applicable:
            continue
        shown = raw.get(name, value)
        result.append(
            PanelField(
                name=name,
                label=label[name],
                widget=widget,
                value=shown,
                choices=choices,
                error=" ".join(errors.get(name, [])),
                help=str(helps.get(name, "")),
            )
        )
    return result


def _max_help(criterion: Criterion) -> str:
    if criterion.kind == CriterionKind.GROUP:
        return _("Must equal the sum of the maxima of its criteria.")
    if criterion.kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
        return _("The most this criterion can add or take off.")
    return ""


def _per_item_help(criterion: Criterion) -> str:
    if criterion.kind == CriterionKind.COUNT:
        return _("Required: points for each item counted, up to the maximum.")
    return _("Leave empty to enter points directly; give it to count items instead.")


def _decimal(raw: str) -> Decimal | None:
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def parse_parameters(criterion: Criterion, post) -> tuple[dict, dict, dict]:
    """(values for criterion_update, the raw text typed, refusals by field) from the
    panel's form: the common fields, and the parameters of the kind chosen."""
    values: dict[str, object] = {}
    raw: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for name in services.TEXT_FIELDS:
        if name in post:
            values[name] = raw[name] = post[name]
    kind = values.get("kind", criterion.kind)
    applicable = services.APPLICABLE.get(kind, frozenset())
    numbers = {"max_points", "per_item", "target", "deduct"}
    for name in services.PARAMETERS:
        if name not in applicable:
            continue
        if name == "excludes_leading":
            if "excludes_leading_shown" in post:
                values[name] = raw[name] = post.get(name) == "on"
            continue
        if name not in post:
            continue
        raw[name] = post[name]
        if name in numbers:
            try:
                number = _decimal(post[name])
            except ValueError:
                errors[name] = [_("“%(value)s” is not a number.") % {"value": post[name]}]
                continue
            if number is None and name in ("max_points", "deduct"):
                number = Decimal(0)
            values[name] = number
        else:
            values[name] = post[name]
    return values, raw, errors


# --- Fetching within the user's scope --------------------------------------------------------


def _table(request: HttpRequest, pk: int, table_pk: int, *, change: bool = True) -> ScoreTable:
    """A table of a campaign the user manages (else 404 or 403); with ``change``, one the
    user may change now (a draft; a published table answers 403)."""
    campaign = _managed_campaign(request, pk)
    table = get_object_or_404(
        permissions.managed_tables(request.user).filter(campaign=campaign), pk=table_pk
    )
    table.campaign = campaign
    if change:
        require(permissions.can_edit_table(request.user, table))
    return table


def _criterion(table: ScoreTable, pk: int | str | None) -> Criterion:
    if pk in (None, ""):
        raise ValidationError(_("Choose a criterion first."))
    try:
        criterion = table.criteria.get(pk=int(pk))
    except (ValueError, Criterion.DoesNotExist):
        raise ValidationError(_("This criterion is no longer in the table.")) from None
    criterion.table = table
    return criterion


def _revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["revision"])
    except (KeyError, ValueError):
        return None


def _editor_url(table: ScoreTable) -> str:
    return reverse("campaign_table_editor", args=[table.campaign_id, table.pk])


def _urls(table: ScoreTable) -> dict[str, str]:
    args = [table.campaign_id, table.pk]
    names = {
        "add": "campaign_table_criterion_add",
        "rename": "campaign_table_criterion_rename",
        "move": "campaign_table_criterion_move",
        "place": "campaign_table_criterion_place",
        "delete": "campaign_table_criterion_delete",
        "panel": "campaign_table_criterion_panel",
        "update": "campaign_table_criterion_update",
        "settings": "campaign_table_settings",
        "publish": "campaign_table_publish",
        "preview": "campaign_table_preview",
        "history": "campaign_table_history",
        "editor": "campaign_table_editor",
    }
    return {key: reverse(name, args=args) for key, name in names.items()}


# --- Answers -----------------------------------------------------------------------------------


def _message(request, table, text: str, status: int, level: str = "danger") -> HttpResponse:
    """A refusal: its message where the editor shows messages, and nothing else changed."""
    if not request.htmx:
        messages.error(request, text)
        return redirect(_editor_url(table))
    context = {"status_message": text, "status_level": level, "table": table}
    response = render(request, "scoring/table_editor.html#status", context, status=status)
    response["HX-Retarget"] = "#editor-status"
    response["HX-Reswap"] = "outerHTML"
    return response


def _refused(request, table, error: ValidationError) -> HttpResponse:
    if isinstance(error, services.StaleTable | TableFrozen):
        return _message(request, table, " ".join(error.messages), 409, "warning")
    return _message(request, table, " ".join(error.messages), 422)


def _changed(
    request: HttpRequest,
    table: ScoreTable,
    before: EditorState,
    *,
    focus: int | None = None,
    rename: bool = False,
    note: str = "",
) -> HttpResponse:
    """The fragments a change altered, out of band, and where the keyboard goes next."""
    if not request.htmx:
        if note:
            messages.success(request, note)
        return redirect(_editor_url(table))
    after = EditorState.load(table)
    whole, lists, rows = changes(before, after)
    context = {
        "table": table,
        "state": after,
        "urls": _urls(table),
        "editable": True,
        "whole": whole,
        "lists": lists,
        "rows": rows,
        "status_message": note,
        "status_level": "success",
        "oob": True,
    }
    # The criterion open in the side panel changed too (renamed in the tree, became a
    # group, deleted): the panel is drawn again so that it never sends stale values.
    selected = _int(request.POST.get("selected"))
    if selected is not None and selected in before.nodes:
        node = after.nodes.get(selected)
        if node is None or node.signature() != before.nodes[selected].signature():
            context.update(_panel_context(table, node.criterion if node else None, after))
            context["panel_selected"] = context.pop("selected")
            context["panel_fields"] = context.pop("fields")
            context["panel_refresh"] = True
    response = render(request, "scoring/table_editor.html#changes", context)
    if focus is not None:
        response["HX-Trigger-After-Settle"] = json.dumps(
            {"editor:focus": {"id": focus, "rename": rename}}
        )
    return response


# --- Pages ---------------------------------------------------------------------------------------


@require_GET
@login_required
def table_editor(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The editor of a draft table; a published one is shown read-only with the way to its
    next version."""
    table = _table(request, pk, table_pk, change=False)
    state = EditorState.load(table)
    editable = permissions.can_edit_table(request.user, table)
    selected = state.nodes.get(_int(request.GET.get("criterion"))) or (
        state.roots[0] if state.roots else None
    )
    context = {
        "table": table,
        "campaign": table.campaign,
        "state": state,
        "urls": _urls(table),
        "editable": editable,
        **_panel_context(table, selected.criterion if selected else None, state),
        "settings": _settings_context(table),
        "draft": None if editable else _next_draft(table),
    }
    return render(request, "scoring/table_editor.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next_draft(table: ScoreTable) -> ScoreTable | None:
    return table.next_versions.filter(status=TableStatus.DRAFT).order_by("-version").first()


def _settings_context(table: ScoreTable, raw=None, errors=None) -> dict:
    bands = raw["bands"] if raw else [(b["label"], b["min"]) for b in table.bands or []]
    shown = [(label, _text(_as_decimal(minimum))) for label, minimum in bands]
    errors = dict(errors or {})
    errors["general"] = errors.pop("", []) + errors.pop("__all__", [])
    return {
        "title": raw["title"] if raw else table.title,
        "bands": [*shown, ("", "")],
        "bonus_cap": raw["bonus_cap"] if raw else _text(table.bonus_cap),
        "errors": errors,
    }


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, Decimal) or value is None:
        return value
    try:
        return _decimal(str(value))
    except ValueError:
        return None


def _panel_context(
    table: ScoreTable, criterion: Criterion | None, state: EditorState | None = None
) -> dict:
    """The side panel of ``criterion`` (None: nothing chosen), with a group's sum."""
    group_sum = None
    if criterion is not None:
        criterion.table = table
        if criterion.kind == CriterionKind.GROUP:
            state = state or EditorState.load(table)
            group_sum = state.nodes[criterion.pk].sum
    return {
        "selected": criterion,
        "fields": panel_fields(criterion) if criterion is not None else [],
        "sum": group_sum,
        "sum_text": _text(group_sum),
    }


@require_GET
@login_required
def criterion_panel(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The side panel of one criterion (``?criterion=<id>``)."""
    table = _table(request, pk, table_pk, change=False)
    criterion = get_object_or_404(table.criteria, pk=_int(request.GET.get("criterion")))
    context = {
        "table": table,
        "urls": _urls(table),
        "editable": permissions.can_edit_table(request.user, table),
        **_panel_context(table, criterion),
    }
    return render(request, "scoring/table_editor.html#panel", context)


# --- Changes -------------------------------------------------------------------------------------


def _change(request: HttpRequest, pk: int, table_pk: int):
    """(table, revision, state before) for a change, or an answer that refuses it."""
    table = _table(request, pk, table_pk)
    revision = _revision(request)
    if revision is None:
        return table, None, HttpResponseBadRequest(_("The table's revision is missing."))
    return table, revision, None


@require_POST
@login_required
def criterion_add(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Add a criterion: ``parent`` (a child), ``after`` (a sibling below), or neither (at
    the top); its title is then edited in place."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = EditorState.load(table)
    try:
        parent = request.POST.get("parent") and _criterion(table, request.POST["parent"])
        after = request.POST.get("after") and _criterion(table, request.POST["after"])
        kind = request.POST.get("kind") or CriterionKind.MANUAL
        if kind not in CriterionKind.values:
            raise ValidationError(_("Choose a kind from the list."))
        criterion = services.criterion_add(
            table=table,
            user=request.user,
            revision=revision,
            parent=parent or None,
            after=after or None,
            kind=kind,
            title=request.POST.get("title", ""),
        )
    except ValidationError as error:
        return _refused(request, table, error)
    note = _("%(code)s added.") % {"code": criterion.code}
    return _changed(request, table, before, focus=criterion.pk, rename=True, note=note)


@require_POST
@login_required
def criterion_rename(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = EditorState.load(table)
    try:
        criterion = _criterion(table, request.POST.get("criterion"))
        services.criterion_rename(
            criterion=criterion,
            user=request.user,
            revision=revision,
            title=request.POST.get("title", ""),
        )
    except ValidationError as error:
        return _refused(request, table, error)
    return _changed(request, table, before, focus=criterion.pk, note=_("Saved."))


@require_POST
@login_required
def criterion_move(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Alt+↑/↓ (``up``/``down``), Tab (``indent``) and Shift+Tab (``outdent``)."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = EditorState.load(table)
    try:
        criterion = _criterion(table, request.POST.get("criterion"))
        services.criterion_move(
            criterion=criterion,
            user=request.user,
            revision=revision,
            action=request.POST.get("action", ""),
        )
    except ValidationError as error:
        return _refused(request, table, error)
    return _changed(request, table, before, focus=criterion.pk)


@require_POST
@login_required
def criterion_place(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """A criterion dropped ``before``, ``after`` or ``inside`` another."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = EditorState.load(table)
    try:
        criterion = _criterion(table, request.POST.get("criterion"))
        target = _criterion(table, request.POST.get("target"))
        services.criterion_place(
            criterion=criterion,
            user=request.user,
            revision=revision,
            target=target,
            place=request.POST.get("place", ""),
        )
    except ValidationError as error:
        return _refused(request, table, error)
    return _changed(request, table, before, focus=criterion.pk)


@require_POST
@login_required
def criterion_delete(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Delete a criterion; with sub-criteria only when ``confirm`` says so."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = EditorState.load(table)
    try:
        criterion = _criterion(table, request.POST.get("criterion"))
        node = before.nodes[criterion.pk]
        siblings = (
            before.nodes[criterion.parent_id].children if criterion.parent_id else before.roots
        )
        index = siblings.index(node)
        services.criterion_delete(
            criterion=criterion,
            user=request.user,
            revision=revision,
            with_children=request.POST.get("confirm") == "1",
        )
    except ValidationError as error:
        return _refused(request, table, error)
    rest = [n for n in siblings if n is not node]
    nearest = rest[min(index, len(rest) - 1)].pk if rest else criterion.parent_id
    note = _("%(code)s deleted.") % {"code": criterion.code}
    return _changed(request, table, before, focus=nearest, note=note)


@require_POST
@login_required
def criterion_update(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The side panel's fields: answered with the panel (its refusals beside their fields)
    and, out of band, what the change altered in the tree."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    try:
        criterion = _criterion(table, request.POST.get("criterion"))
    except ValidationError as error:
        return _refused(request, table, error)
    before = EditorState.load(table)
    values, raw, errors = parse_parameters(criterion, request.POST)
    if not errors:
        try:
            services.criterion_update(
                criterion=criterion, user=request.user, revision=revision, values=values
            )
        except (services.StaleTable, TableFrozen) as error:
            return _refused(request, table, error)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    if errors:
        if not request.htmx:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
            return redirect(_editor_url(table))
        fresh = _criterion(table, criterion.pk)
        shown = Criterion(**{**_field_values(fresh), "kind": values.get("kind", fresh.kind)})
        shown.pk, shown.table = fresh.pk, table
        context = {
            "table": table,
            "urls": _urls(table),
            "selected": shown,
            "fields": panel_fields(shown, raw, errors),
            "general_errors": errors.get("", []) + errors.get("__all__", []),
            "sum": None,
            "editable": True,
            "status_message": _("Not saved: correct the fields marked below."),
            "status_level": "danger",
        }
        return render(request, "scoring/table_editor.html#panel", context, status=422)
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect(f"{_editor_url(table)}?criterion={criterion.pk}")
    response = _changed(request, table, before, note=_("Saved."))
    context = {"table": table, "urls": _urls(table), "editable": True}
    context.update(_panel_context(table, criterion))
    panel = render(request, "scoring/table_editor.html#panel", context)
    response.content = panel.content + response.content
    return response


def _field_values(criterion: Criterion) -> dict:
    return {
        f.attname: getattr(criterion, f.attname)
        for f in Criterion._meta.concrete_fields
        if f.name not in ("id",)
    }


def _parse_bands(post) -> tuple[list, list[tuple[str, Decimal]], list[str]]:
    raw, bands, errors = [], [], []
    for label, minimum in zip(post.getlist("band_label"), post.getlist("band_min"), strict=False):
        label, minimum = label.strip(), minimum.strip()
        if not label and not minimum:
            continue
        raw.append((label, minimum))
        if not label:
            errors.append(_("A band with the minimum %(min)s has no name.") % {"min": minimum})
            continue
        try:
            number = _decimal(minimum)
        except ValueError:
            number = None
        if number is None:
            errors.append(
                _("Band “%(label)s” needs a minimum total (a number).") % {"label": label}
            )
            continue
        bands.append((label, number))
    return raw, bands, errors


@require_POST
@login_required
def table_settings(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The table's title, bands and bonus cap."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    before = EditorState.load(table)
    raw_bands, bands, band_errors = _parse_bands(request.POST)
    raw = {
        "title": request.POST.get("title", ""),
        "bands": raw_bands,
        "bonus_cap": request.POST.get("bonus_cap", ""),
    }
    errors: dict[str, list[str]] = {"bands": band_errors} if band_errors else {}
    try:
        bonus_cap = _decimal(raw["bonus_cap"])
    except ValueError:
        errors["bonus_cap"] = [_("“%(value)s” is not a number.") % {"value": raw["bonus_cap"]}]
    if not errors:
        try:
            services.table_settings_update(
                table=table,
                user=request.user,
                revision=revision,
                title=raw["title"],
                bands=bands,
                bonus_cap=bonus_cap,
            )
        except (services.StaleTable, TableFrozen) as error:
            return _refused(request, table, error)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    if errors:
        if not request.htmx:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
            return redirect(_editor_url(table))
        table.refresh_from_db()
        context = {
            "table": table,
            "urls": _urls(table),
            "settings": _settings_context(table, raw, errors),
            "editable": True,
        }
        return render(request, "scoring/table_editor.html#settings", context, status=422)
    response = _changed(request, table, before, note=_("Saved."))
    if request.htmx:
        context = {
            "table": table,
            "urls": _urls(table),
            "settings": _settings_context(table),
            "editable": True,
        }
        settings_html = render(request, "scoring/table_editor.html#settings", context)
        response.content = settings_html.content + response.content
    return response


@require_POST
@login_required
def table_publish(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Publish the draft (the publishing checks first); then its clusters are chosen on the
    tables page."""
    table, revision, refusal = _change(request, pk, table_pk)
    if refusal:
        return refusal
    try:
        services.table_publish_checked(table=table, user=request.user, revision=revision)
    except TableNotPublishable as error:
        messages.error(
            request,
            _("%(table)s cannot be published yet: %(count)d problems, shown in the editor.")
            % {"table": table, "count": len(error.messages)},
        )
        return redirect(_editor_url(table))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_editor_url(table))
    messages.success(
        request,
        _("%(table)s is published. Tick the clusters it applies to.") % {"table": table},
    )
    return redirect(f"{reverse('campaign_tables', args=[table.campaign_id])}#table-{table.pk}")


# --- Preview and history -------------------------------------------------------------------------


@require_GET
@login_required
def table_preview(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The sheet page a unit will see, drawn from the table as it is now (read-only; no
    sheet is created). ``?member=<id>`` picks the unit among the members of the table's
    clusters (else of the campaign's)."""
    table = _table(request, pk, table_pk, change=False)
    members = _preview_members(table)
    chosen = next((m for m in members if m.pk == _int(request.GET.get("member"))), None)
    chosen = chosen or (members[0] if members else None)
    if chosen is None:
        unit, cluster = Unit(name=_("A unit of the cluster"), code="—"), None
    else:
        unit, cluster = chosen.unit, chosen.cluster
    context = sheet_views.preview_context(table, unit, cluster)
    context.update(
        members=members,
        member=chosen,
        editor_url=_editor_url(table),
        tables_url=reverse("campaign_tables", args=[table.campaign_id]),
    )
    return render(request, "scoring/sheet.html", context)


def _preview_members(table: ScoreTable) -> list[Membership]:
    members = Membership.objects.select_related("unit", "cluster").order_by(
        "cluster__number", "unit__code"
    )
    attached = members.filter(cluster__in=table.clusters.all())
    found = list(attached)
    return found or list(members.filter(cluster__campaign_id=table.campaign_id))


@dataclass
class HistoryEvent:
    when: object
    user: object
    subject: str
    kind: str
    reason: str
    changes: list = field(default_factory=list)


CRITERION_FIELDS = ["code", "title", "kind", "parent", "guidance", *services.PARAMETERS]
TABLE_FIELDS = ["title", "status", "bands", "bonus_cap"]


def history_events(table: ScoreTable) -> list[HistoryEvent]:
    """The newest changes to the table and its criteria (deleted ones too), each with who,
    when, why and what changed; two queries whatever the number of records."""
    codes = dict(table.criteria.values_list("pk", "code"))
    rows = list(
        Criterion.history.filter(table_id=table.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    codes.update({r.id: r.code for r in rows if r.id not in codes})
    events: list[HistoryEvent] = []
    previous: dict[int, dict] = {}
    kinds = {"+": _("added"), "~": _("changed"), "-": _("deleted")}
    for record in rows:
        values = {name: getattr(record, name) for name in CRITERION_FIELDS if name != "parent"}
        values["parent"] = codes.get(record.parent_id, "")
        before = previous.get(record.id)
        previous[record.id] = values
        events.append(
            HistoryEvent(
                when=record.history_date,
                user=record.history_user,
                subject=f"{record.code}. {record.title}",
                kind=kinds.get(record.history_type, ""),
                reason=_reason(record),
                changes=[]
                if record.history_type == "-"
                else _field_changes(before, values, CRITERION_FIELDS),
            )
        )
    before = None
    for record in (
        ScoreTable.history.filter(id=table.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        values = {name: getattr(record, name) for name in TABLE_FIELDS}
        events.append(
            HistoryEvent(
                when=record.history_date,
                user=record.history_user,
                subject=_("The table"),
                kind=kinds.get(record.history_type, ""),
                reason=_reason(record),
                changes=_field_changes(before, values, TABLE_FIELDS, model=ScoreTable),
            )
        )
        before = values
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:HISTORY_LIMIT]


def _reason(record) -> str:
    """Why the record was made, unless it only repeats what happened (added, deleted)."""
    reason = record.history_change_reason or ""
    if reason in ("added", "deleted", "created"):
        return ""
    return str(services.REASONS.get(reason, ""))


def _field_changes(before, after, names, model=Criterion) -> list:
    fields = {n for n in names if n != "parent"}
    shown_before = (
        None
        if before is None
        else {k: _plain(v, k if k in fields else "", model) for k, v in before.items()}
    )
    shown_after = {k: _plain(v, k if k in fields else "", model) for k, v in after.items()}
    names = [n for n in names if n != "parent"]
    found = history_changes(model, names, shown_before, shown_after)
    if before is not None and before.get("parent") != after.get("parent"):
        found.insert(0, Change(_("under"), before.get("parent") or "—", after["parent"] or "—"))
    return found


def _plain(value, name: str = "", model=Criterion):
    """A recorded value as the history list shows it: a choice by its label, bands in a
    line."""
    if isinstance(value, list):
        return ", ".join(f"{b.get('label')} ≥ {b.get('min')}" for b in value)
    if name and isinstance(value, str) and value:
        choices = dict(model._meta.get_field(name).choices or [])
        return str(choices.get(value, value))
    return value


@require_GET
@login_required
def table_history(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Who changed what in the table, newest first."""
    table = _table(request, pk, table_pk, change=False)
    context = {"table": table, "events": history_events(table)}
    return render(request, "scoring/table_editor.html#history", context)


# --- New tables (from the tables page) ----------------------------------------------------------


@require_POST
@login_required
def table_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft table: blank, or a copy of a table of this campaign or of last year's
    (``source``); then its editor."""
    campaign = _managed_campaign(request, pk)
    require(permissions.can_create_table(request.user, campaign))
    own, _last, previous = copy_sources(campaign)
    sources = {t.pk: t for t in [*own, *previous]}
    source_pk = _int(request.POST.get("source"))
    title = request.POST.get("title", "")
    try:
        if request.POST.get("source"):
            if source_pk not in sources:
                raise ValidationError(_("Choose a table to copy from the list."))
            table = services.table_copy(
                source=sources[source_pk], campaign=campaign, user=request.user, title=title
            )
        else:
            table = services.table_create_blank(campaign=campaign, user=request.user, title=title)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('campaign_tables', args=[campaign.pk])}#new-table")
    messages.success(request, _("%(table)s was created as a draft.") % {"table": table})
    return redirect(reverse("campaign_table_editor", args=[campaign.pk, table.pk]))


@require_POST
@login_required
def table_new_version(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """ "Edit" on a published table: its next version as a draft (or the draft already made
    from it), opened in the editor."""
    table = _table(request, pk, table_pk, change=False)
    require(permissions.can_create_table(request.user, table.campaign))
    draft = services.table_edit_published(table=table, user=request.user)
    if draft.pk != table.pk:
        messages.info(
            request,
            _(
                "You are editing %(draft)s, a new draft of %(table)s: the published version "
                "and the sheets scored with it do not change."
            )
            % {"draft": draft, "table": table},
        )
    return redirect(reverse("campaign_table_editor", args=[table.campaign_id, draft.pk]))


_T = "campaigns/<int:pk>/tables/<int:table_pk>/"
urlpatterns = [
    path("campaigns/<int:pk>/tables/new/", table_create, name="campaign_table_create"),
    path(f"{_T}edit/", table_editor, name="campaign_table_editor"),
    path(f"{_T}new-version/", table_new_version, name="campaign_table_new_version"),
    path(f"{_T}settings/", table_settings, name="campaign_table_settings"),
    path(f"{_T}publish/", table_publish, name="campaign_table_publish"),
    path(f"{_T}preview/", table_preview, name="campaign_table_preview"),
    path(f"{_T}history/", table_history, name="campaign_table_history"),
    path(f"{_T}criteria/panel/", criterion_panel, name="campaign_table_criterion_panel"),
    path(f"{_T}criteria/add/", criterion_add, name="campaign_table_criterion_add"),
    path(f"{_T}criteria/rename/", criterion_rename, name="campaign_table_criterion_rename"),
    path(f"{_T}criteria/move/", criterion_move, name="campaign_table_criterion_move"),
    path(f"{_T}criteria/place/", criterion_place, name="campaign_table_criterion_place"),
    path(f"{_T}criteria/delete/", criterion_delete, name="campaign_table_criterion_delete"),
    path(f"{_T}criteria/update/", criterion_update, name="campaign_table_criterion_update"),
]
