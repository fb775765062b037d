"""A unit's score sheet: the criteria tree with each criterion's inputs, saved row by row
(htmx), submitting and returning the sheet, and — once the cluster's scores
are visible — the stages side by side with the unit's explanations.

The page is built in a fixed number of queries whatever the size of the table
(``sheet_context``): the table's rows, the visible sheets of the unit, their entries (with
explanations), the unit's targets and the evidence, each in one query.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clusters import permissions as org
from clusters.enums import PeriodKind, Phase
from clusters.models import Cluster, Membership, Unit
from clusters.models.periods import period_label
from clusters.services.deadlines import deadline_state
from clusters.views.deadlines import deadline_refused
from scoring import engine, forms, lead, permissions, queries, services, workflow
from scoring.deadlines import DeadlineClosed, closed_message
from scoring.deadlines import exempt as deadline_exempt
from scoring.engine.signed import signed_groups
from scoring.enums import CriterionKind, Metric, SheetStatus, Stage
from scoring.models import (
    Criterion,
    Evidence,
    Explanation,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
    UnitBaseline,
    UnitTarget,
)
from scoring.periods import of_period, period_id_of, phase_of, sheet_phase, six_month_of
from scoring.views.common import OWN_UNIT_NOTICE, entry_for, require, sheet_for

STAGE_ORDER = [Stage.SELF, Stage.CLUSTER, Stage.FINAL]

LABELS = services.FIELD_LABELS
CHOICES = {
    "passed": [("1", pgettext_lazy("criterion", "Passed")), ("0", gettext_lazy("Not passed"))],
    "violated": [("0", gettext_lazy("Did not happen")), ("1", gettext_lazy("Happened"))],
}
WHOLE = {"count", "numerator", "denominator", "baseline"}
D0 = Decimal(0)


# --- What a row shows ---------------------------------------------------------------------


def as_text(value: object) -> str:
    """A stored value as typed text: decimal comma in Vietnamese, no trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))
    return str(value)


@dataclass
class Input:
    """One input of a criterion, as the row shows it."""

    name: str
    label: str
    value: str
    whole: bool = False
    choices: list = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The value as read-only text."""
        for value, label in self.choices:
            if value == self.value:
                return str(label)
        return self.value or "—"


@dataclass
class Cell:
    """A criterion's points at one stage (the compare columns)."""

    stage: str
    entry: ScoreEntry | None
    current: bool = False
    diff: str = ""
    subtotal: Decimal | None = None
    sign: str = ""  # before a signed group's subtotal: "+" it adds, "−" it takes away

    @property
    def points(self) -> Decimal | None:
        return None if self.entry is None else self.entry.points

    @property
    def label(self) -> str:
        """The stage's name (what a card on a phone writes above the points)."""
        return str(Stage(self.stage).label)


@dataclass
class Row:
    """One criterion of the table on this page."""

    criterion: Criterion
    entry: ScoreEntry | None = None
    inputs: list[Input] = field(default_factory=list)
    target: Decimal | None = None
    own_target: bool = False
    # The unit's last-year figure of a target criterion, with its source (UnitBaseline).
    last_year: object = None
    cells: list[Cell] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    explain_entry: ScoreEntry | None = None
    explanation: Explanation | None = None
    can_explain: bool = False
    messages: list[str] = field(default_factory=list)
    level: str = ""
    # A group with no base leaf shows its leaves' net effect, signed per cell (engine.signed).
    signed: bool = False

    @property
    def is_group(self) -> bool:
        return self.criterion.kind == CriterionKind.GROUP

    @property
    def key(self) -> str:
        """What the row's element ids end with: its entry, or its criterion in a preview."""
        return str(self.entry.pk) if self.entry is not None else f"c{self.criterion.pk}"

    @property
    def pair(self) -> str:
        return self.criterion.metric if len(self.inputs) == 2 else ""

    @property
    def percent(self) -> bool:
        return self.criterion.metric in (Metric.RATE, Metric.REDUCTION)

    @property
    def needs_target(self) -> bool:
        return self.criterion.kind == CriterionKind.TARGET and self.criterion.method in (
            "threshold",
            "proportional",
        )

    @property
    def current_cell(self) -> Cell | None:
        return next((c for c in self.cells if c.current), None)

    @property
    def not_assigned(self) -> bool:
        """The criterion is not assigned to the sheet's unit: no input, no points."""
        return self.entry is not None and self.entry.not_assigned

    @property
    def is_entered(self) -> bool:
        if self.entry is None:
            return False
        if self.criterion.kind == CriterionKind.VETO:
            return self.entry.violated is not None
        return self.entry.points is not None


def named(evidence: Evidence) -> Evidence:
    """The name a file is shown by: its description, else its file name without folders."""
    evidence.display_name = evidence.description or os.path.basename(evidence.file.name)
    return evidence


def _inputs(criterion: Criterion, entry: ScoreEntry | None) -> list[Input]:
    result = []
    for name in forms.input_fields(criterion):
        stored = None if entry is None else getattr(entry, services.INPUT_FIELDS[name])
        result.append(
            Input(
                name=name,
                label=str(LABELS[name]),
                value=as_text(stored),
                whole=name in WHOLE or (name == "actual" and criterion.metric == Metric.REDUCTION),
                choices=CHOICES.get(name, []),
            )
        )
    return result


def _diff(points: Decimal | None, before: Decimal | None) -> str:
    if points is None or before is None or points == before:
        return ""
    return "diff-down" if points < before else "diff-up"


def _read_only_reason(user, sheet: ScoreSheet) -> str:
    phase = sheet_phase(sheet)
    if sheet.status == SheetStatus.LOCKED:
        return _("This sheet is locked: its results are published.")
    if permissions.own_unit_notice(user, sheet):
        return str(OWN_UNIT_NOTICE)
    if sheet.stage == Stage.SELF and sheet.status == SheetStatus.SUBMITTED:
        return _("This self-assessment has been submitted; it can change again only if returned.")
    open_phase = {
        Stage.SELF: Phase.SELF_ASSESSMENT,
        Stage.CLUSTER: Phase.CLUSTER_SCORING,
        Stage.FINAL: Phase.FINAL_REVIEW,
    }[sheet.stage]
    if phase != open_phase:
        return _("Scores at this stage can be changed only while “%(phase)s”.") % {
            "phase": Phase(open_phase).label
        }
    return _("You may look at this sheet but not change it.")


def sheet_context(user, sheet: ScoreSheet) -> dict:
    """Everything the sheet page shows, in a fixed number of queries."""
    criteria = queries.table_rows(sheet.table)
    others = (
        permissions.visible_sheets(user)
        .filter(cluster_id=sheet.cluster_id, unit_id=sheet.unit_id, period_id=sheet.period_id)
        .exclude(pk=sheet.pk)
        .select_related("cluster__campaign", "period")
    )
    by_stage = {s.stage: s for s in [sheet, *others]}
    compare = Stage.CLUSTER in by_stage and len(by_stage) > 1
    stages = [s for s in STAGE_ORDER if s in by_stage] if compare else [sheet.stage]
    entries = queries.entries_by_sheet([by_stage[s].pk for s in stages])
    for stage in stages:  # the permission checks below read entry.sheet: no query
        for entry in entries.get(by_stage[stage].pk, {}).values():
            entry.sheet = by_stage[stage]
    targets = dict(
        UnitTarget.objects.filter(
            criterion__table_id=sheet.table_id, unit_id=sheet.unit_id
        ).values_list("criterion_id", "target")
    )
    last_year = {
        b.criterion_id: b
        for b in UnitBaseline.objects.filter(
            criterion__table_id=sheet.table_id, unit_id=sheet.unit_id
        )
    }
    evidence: dict[int, list[Evidence]] = {}
    for item in (
        Evidence.objects.filter(entry__sheet_id__in=[s.pk for s in by_stage.values()])
        .select_related("entry")
        .order_by("uploaded_at", "pk")
    ):
        evidence.setdefault(item.entry.criterion_id, []).append(named(item))

    codes = {c.pk: c.code for c in criteria}
    loaded = queries.loaded_table(sheet.table, criteria)
    subtotals = {
        stage: queries.subtotals(loaded, entries.get(by_stage[stage].pk, {})) for stage in stages
    }
    # Groups with no base leaf show their leaves' net effect, signed (bonuses, deductions or
    # a mix: docs/scoring.md "Shown groups").
    signed = signed_groups(loaded.spec_list)
    points_by_stage = {
        stage: {
            codes[pk]: e.points
            for pk, e in entries.get(by_stage[stage].pk, {}).items()
            if pk in codes
        }
        for stage in stages
    }
    mine = entries.get(sheet.pk, {})
    explaining = compare and sheet_phase(sheet) == Phase.EXPLANATION

    rows = []
    for criterion in criteria:
        row = Row(criterion=criterion, entry=mine.get(criterion.pk))
        previous = None
        for stage in stages:
            entry = entries.get(by_stage[stage].pk, {}).get(criterion.pk)
            cell = Cell(stage=stage, entry=entry, current=stage == sheet.stage)
            group = signed.get(criterion.code)
            if group is not None:
                row.signed = True
                cell.sign = group.sign(points_by_stage[stage])
                cell.subtotal = group.points(points_by_stage[stage])
            elif row.is_group:
                cell.subtotal = subtotals[stage].get(criterion.code)
            else:
                cell.diff = _diff(cell.points, previous)
                previous = cell.points if entry is not None else previous
            row.cells.append(cell)
        if not row.is_group:
            row.inputs = [] if row.not_assigned else _inputs(criterion, row.entry)
            row.own_target = criterion.pk in targets
            row.target = targets.get(criterion.pk, criterion.target)
            row.last_year = last_year.get(criterion.pk)
            row.evidence = evidence.get(criterion.pk, [])
            cluster_entry = entries.get(by_stage.get(Stage.CLUSTER, sheet).pk, {}).get(criterion.pk)
            if compare and cluster_entry is not None:
                row.explain_entry = cluster_entry
                row.explanation = getattr(cluster_entry, "explanation", None)
                self_entry = entries.get(by_stage.get(Stage.SELF, sheet).pk, {}).get(criterion.pk)
                row.can_explain = explaining and permissions.can_explain(
                    user, cluster_entry, None if self_entry is None else self_entry.points
                )
        rows.append(row)

    leaves = [r for r in rows if not r.is_group and r.entry is not None and not r.not_assigned]
    can_edit = permissions.can_edit_sheet(user, sheet)
    columns = 7 + len(stages)
    return {
        "sheet": sheet,
        "campaign": sheet.cluster.campaign,
        "period_label": period_label(sheet.period.kind, sheet.cluster.campaign.year),
        "phase_label": Phase(sheet_phase(sheet)).label,
        "rows": rows,
        "stage_sheets": [(s, Stage(s).label, by_stage[s]) for s in stages],
        "compare": compare,
        "explaining": explaining,
        "columns": columns,
        "can_edit": can_edit,
        "can_submit": permissions.can_submit_sheet(user, sheet),
        "can_return": permissions.can_return_sheet(user, sheet),
        "read_only_reason": "" if can_edit else _read_only_reason(user, sheet),
        "entered": sum(1 for r in leaves if r.is_entered),
        "leaf_count": len(leaves),
        "max_total": sum((c.max_points for c in criteria if c.parent_id is None), Decimal(0)),
        "not_assigned": [r.criterion.code for r in rows if r.not_assigned],
        "lead": lead.lead_for(user, sheet, rows),
    }


def preview_context(table: ScoreTable, unit: Unit, cluster: Cluster | None) -> dict:
    """The sheet page as ``unit`` will see its self-assessment under ``table`` (a draft
    too), before anything is entered: read-only, and no sheet or entry is created. A
    criterion the publishing checks would refuse shows no input."""
    sheet = ScoreSheet(table=table, cluster=cluster, unit=unit, stage=Stage.SELF)
    criteria = queries.table_rows(table)
    targets = {}
    if unit.pk is not None:
        targets = dict(
            UnitTarget.objects.filter(criterion__table_id=table.pk, unit_id=unit.pk).values_list(
                "criterion_id", "target"
            )
        )
    signed = signed_groups(queries.loaded_table(table, criteria).spec_list)
    rows = []
    for criterion in criteria:
        row = Row(criterion=criterion)
        cell = Cell(stage=Stage.SELF, entry=None, current=True)
        if row.is_group:
            row.signed = criterion.code in signed
            cell.subtotal = D0
        row.cells.append(cell)
        if not row.is_group:
            try:
                row.inputs = _inputs(criterion, None)
            except ValueError:  # a parameter still missing in the draft
                row.inputs = []
            row.own_target = criterion.pk in targets
            row.target = targets.get(criterion.pk, criterion.target)
        rows.append(row)
    leaves = [r for r in rows if not r.is_group]
    return {
        "sheet": sheet,
        "campaign": table.campaign,
        "rows": rows,
        "stage_sheets": [(Stage.SELF, Stage.SELF.label, sheet)],
        "compare": False,
        "explaining": False,
        "columns": 8,
        "can_edit": False,
        "can_submit": False,
        "can_return": False,
        "read_only_reason": "",
        "entered": 0,
        "leaf_count": len(leaves),
        "max_total": sum((c.max_points for c in criteria if c.parent_id is None), Decimal(0)),
        "preview": True,
        "preview_table": table,
    }


def page_path(request: HttpRequest) -> str:
    """The page's own path, also in an htmx request (for the forms' ``next``)."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return request.get_full_path()


def _row_for(context: dict, entry_pk: int) -> Row:
    return next(r for r in context["rows"] if r.entry is not None and r.entry.pk == entry_pk)


def back(request: HttpRequest, sheet: ScoreSheet) -> HttpResponse:
    """Back to the page the form came from (``next``), else the sheet."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("sheet_detail", pk=sheet.pk)


# --- Pages --------------------------------------------------------------------------------


def _my_period(request: HttpRequest, cluster: Cluster):
    """The period "my sheet" shows: the one the request names (``?period=six_month``, 404
    where the campaign has no six-month review); without a name, the six-month review
    while its self-assessment is open, else the year-end review."""
    wanted = request.GET.get("period")
    if wanted == PeriodKind.YEAR_END:
        return None
    six_month = six_month_of(cluster)
    if wanted == PeriodKind.SIX_MONTH:
        if six_month is None:
            raise Http404
        return six_month
    if six_month is not None and six_month.phase == Phase.SELF_ASSESSMENT:
        return six_month
    return None


@require_GET
@login_required
def my_sheet(request: HttpRequest) -> HttpResponse:
    """The user's unit's self-assessment in the newest campaign the unit takes part in,
    created when self-assessment is open; otherwise a page that says why there is none."""
    user = request.user
    membership = (
        Membership.objects.filter(unit_id=user.unit_id)
        .select_related("cluster__campaign", "unit")
        .order_by("-cluster__campaign__year", "-cluster__campaign_id")
        .first()
    )
    cluster = membership.cluster if membership else None
    period = _my_period(request, cluster) if cluster else None
    sheet = ScoreSheet.objects.filter(
        of_period(period_id_of(period)), cluster=cluster, unit_id=user.unit_id, stage=Stage.SELF
    )
    reason = ""
    if not org.is_unit_officer(user):
        reason = "not_officer"
    elif membership is None:
        reason = "no_cluster"
    elif not sheet.exists():
        if phase_of(cluster.campaign, period) != Phase.SELF_ASSESSMENT:
            reason = "not_open"
        elif services.table_for_cluster(cluster, period) is None:
            reason = "no_table"
        else:
            services.sheet_get_or_create(
                cluster=cluster, unit=membership.unit, stage=Stage.SELF, period=period
            )
    if reason:
        context = {"reason": reason, "membership": membership, "period": period}
        return render(request, "scoring/sheet.html", context)
    sheet = sheet_for(user, sheet.values_list("pk", flat=True).get())
    context = with_deadline(user, sheet, sheet_context(user, sheet))
    context.update(is_my_sheet=True, page_path=page_path(request))
    return render(request, "scoring/sheet.html", context)


def with_deadline(user, sheet: ScoreSheet, context: dict) -> dict:
    """The deadline of the sheet's current phase, for its banner (one query); once it has
    passed in close mode, the unit's officers see the sheet read-only, saying why
    (docs/deadlines.md; the services refuse the writes anyway)."""
    phase = sheet_phase(sheet)
    state = None
    if phase not in (Phase.SETUP, Phase.PUBLISHED):
        state = deadline_state(
            period_q=Q(period_id=sheet.period_id),
            phase=phase,
            cluster_id=sheet.cluster_id,
            unit_id=sheet.unit_id,
        )
    context.update(deadline=state, deadline_known=True)
    closed = state is not None and state.closes_input() and not deadline_exempt(user)
    if context.get("can_edit") and closed:
        context.update(can_edit=False, can_submit=False, read_only_reason=closed_message(state))
    explaining = [row for row in context.get("rows", ()) if row.can_explain]
    if explaining and closed:
        # In the explanations phase the state read is the explaining (scored) unit's, the
        # one whose extension counts: no explanation form once it has closed.
        for row in explaining:
            row.can_explain = False
        context.update(explaining=False, read_only_reason=closed_message(state))
    return context


@require_GET
@login_required
def sheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = sheet_for(request.user, pk)
    context = with_deadline(request.user, sheet, sheet_context(request.user, sheet))
    context["page_path"] = page_path(request)
    return render(request, "scoring/sheet.html", context)


# --- Saving a row ----------------------------------------------------------------------------


def _changes(entry: ScoreEntry, values: dict) -> dict:
    """Only the values that differ from what is stored (an unchanged save records nothing)."""
    changed = {}
    for name, value in values.items():
        stored = entry.comment if name == "comment" else getattr(entry, services.INPUT_FIELDS[name])
        if value != stored:
            changed[name] = value
    return changed


@require_POST
@login_required
def sheet_entry_save(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Store one row's inputs; answer with its points, the totals and any message."""
    user = request.user
    sheet = sheet_for(user, pk)
    entry = get_object_or_404(sheet.entries.select_related("criterion"), pk=entry_pk)
    require(permissions.can_edit_sheet(user, sheet))
    try:
        version = int(request.POST["version"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest()
    criterion = entry.criterion
    parsed = forms.parse_entry(criterion, request.POST)
    level, notes, stale = "success", [], False
    required = forms.input_fields(criterion)
    typed = [n for n in required if (request.POST.get(n) or "").strip()]
    if len(required) > 1 and 0 < len(typed) < len(required):
        # Half of a pair typed so far: wait for the other half rather than refuse.
        for name in required:
            parsed.values.pop(name, None)
        level = "info"
        notes.append(
            _("%(code)s: enter %(fields)s together to save them.")
            % {"code": criterion.code, "fields": " / ".join(str(LABELS[n]) for n in required)}
        )
    if parsed.errors:
        level, notes = "danger", parsed.errors
    else:
        values = _changes(entry, parsed.values)
        try:
            if values:
                services.entry_update(
                    entry=entry, user=user, values=values, expected_version=version
                )
        except services.StaleEntry as error:
            level, notes, stale = "warning", error.messages, True
        except DeadlineClosed as closed:
            return deadline_refused(request, closed, back=reverse("sheet_detail", args=[pk]))
        except ValidationError as error:
            level, notes = "danger", error.messages
        else:
            if level == "success":
                notes = [_("Saved.")] if values else []
    if not request.htmx:
        for note in notes:
            messages.add_message(request, LEVELS[level], note)
        return redirect("sheet_detail", pk=sheet.pk)
    sheet = sheet_for(user, pk)
    context = sheet_context(user, sheet)
    row = _row_for(context, entry.pk)
    row.messages, row.level = notes, level
    context.update(row=row, oob=True, page_path=page_path(request))
    if stale:
        # The inputs must show the newer values: replace the whole row.
        response = render(request, "scoring/sheet.html#stale", context)
        response["HX-Retarget"] = f"#row-{entry.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "scoring/sheet.html#saved", context)


LEVELS = {
    "success": messages.SUCCESS,
    "info": messages.INFO,
    "warning": messages.WARNING,
    "danger": messages.ERROR,
}


# --- Submitting and returning ----------------------------------------------------------------


def _missing_codes(sheet: ScoreSheet) -> list[str]:
    """Codes of the criteria that still lack an input, in reading order."""
    missing = []
    entries = sheet.entries.filter(not_assigned=False)
    for entry in entries.select_related("criterion").order_by("criterion__position"):
        spec = services.criterion_spec(entry.criterion, None)
        if not engine.is_entered(spec, services.entry_input(entry)):
            missing.append(entry.criterion.code)
    return missing


@require_POST
@login_required
def sheet_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the sheet in; refused, with the criteria concerned, while any lacks an input."""
    sheet = sheet_for(request.user, pk)
    require(permissions.can_submit_sheet(request.user, sheet))
    missing = _missing_codes(sheet)
    if missing:
        messages.error(
            request,
            _("The sheet cannot be submitted yet: these criteria have no input: %(codes)s.")
            % {"codes": ", ".join(missing)},
        )
        return back(request, sheet)
    try:
        workflow.sheet_submit(sheet=sheet, user=request.user)
    except DeadlineClosed as closed:
        return deadline_refused(request, closed, back=reverse("sheet_detail", args=[pk]))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The sheet was submitted."))
    return back(request, sheet)


@require_POST
@login_required
def sheet_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a submitted self-assessment back to its unit, saying why."""
    sheet = sheet_for(request.user, pk)
    require(permissions.can_return_sheet(request.user, sheet))
    try:
        workflow.sheet_return(sheet=sheet, user=request.user, comment=request.POST.get("comment"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The sheet was returned to %(unit)s.") % {"unit": sheet.unit.label}
        )
    return back(request, sheet)


# --- Explanations ----------------------------------------------------------------------------


@require_POST
@login_required
def entry_explain(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's explanation of a cluster score lower than its own."""
    user = request.user
    entry = entry_for(user, pk)
    sheet = entry.sheet
    self_points = (
        ScoreEntry.objects.filter(
            sheet__cluster_id=sheet.cluster_id,
            sheet__unit_id=sheet.unit_id,
            sheet__stage=Stage.SELF,
            criterion_id=entry.criterion_id,
        )
        .values_list("points", flat=True)
        .first()
    )
    require(permissions.can_explain(user, entry, self_points))
    row = Row(criterion=entry.criterion, explain_entry=entry, can_explain=True)
    try:
        row.explanation = workflow.explanation_write(
            entry=entry, user=user, text=request.POST.get("text")
        )
        level, notes = "success", [_("The explanation was saved.")]
    except DeadlineClosed as closed:
        return deadline_refused(request, closed, back=reverse("sheet_detail", args=[sheet.pk]))
    except ValidationError as error:
        row.explanation = Explanation.objects.filter(entry=entry).first()
        level, notes = "danger", error.messages
    if not request.htmx:
        for note in notes:
            messages.add_message(request, LEVELS[level], note)
        return back(request, sheet)
    context = {"row": row, "notes": notes, "level": level, "page_path": page_path(request)}
    return render(request, "scoring/sheet.html#explanation", context)


urlpatterns = [
    path("my-sheet/", my_sheet, name="my_sheet"),
    path("sheets/<int:pk>/", sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/entries/<int:entry_pk>/", sheet_entry_save, name="sheet_entry_save"),
    path("sheets/<int:pk>/submit/", sheet_submit, name="sheet_submit"),
    path("sheets/<int:pk>/return/", sheet_return, name="sheet_return"),
    path("entries/<int:pk>/explanation/", entry_explain, name="entry_explain"),
]
