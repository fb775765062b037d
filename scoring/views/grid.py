"""The scoring grid: the cluster leader's scoring of every member (stage "cluster") and the
standing agency's final review (stage "final"), as one spreadsheet-like page.

Criteria are rows and member units columns (``?by=units`` swaps them). Every input of a
leaf criterion is a cell, saved on its own when it is left (``grid_cell_save``); the answer
is the cell again (its new version, or the error that kept it from being stored) with
out-of-band swaps for the points, subtotals, totals, ranks and bands that changed.
Overrides with a reason (``grid_override``) work the same way.

The page and a cell save both read a fixed number of queries whatever the size of the
cluster and the table (``build_grid``): the members, the sheets at the stage, the table's
criteria, the entries, the self-assessments and their entries, the explanations and the
units' own targets, each in one query. The starting of stages, publishing and reopening
live in scoring/views/review.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters.enums import PeriodKind, Phase
from clusters.models import Cluster, DeadlineExtension
from clusters.models.periods import period_label
from clusters.services.deadlines import state_for
from scoring import forms, permissions, services, workflow
from scoring.deadlines import STAGE_PHASE, closed_message
from scoring.deadlines import exempt as deadline_exempt
from scoring.enums import CriterionKind, SheetStatus, Stage
from scoring.models import ScoreEntry
from scoring.periods import of_period, period_for, period_id_of, period_query, phase_of
from scoring.services.change import EntryChange, entry_change
from scoring.views.common import cluster_for, entry_for, require
from scoring.views.grid_build import (
    FIGURES,
    GRID_STAGES,
    Grid,
    _optional_url,
    _stage,
    build_grid,
)
from scoring.views.grid_html import Marks, badge_html, cell_html, figure_html, subtotal_html
from scoring.views.grid_saved import saved_parts

# --- The page ----------------------------------------------------------------------------------


def _readonly_reason(grid: Grid, user, published: bool, period=None) -> str:
    if grid.editable or not grid.columns:
        return ""
    closed = next((c["closed"] for c in grid.columns if c.get("closed")), "")
    if closed:
        return closed
    phase = phase_of(grid.cluster.campaign, period)
    if published or any(c["sheet"].status == SheetStatus.LOCKED for c in grid.columns):
        return _("These results are published and locked; nothing can change.")
    if grid.stage == Stage.CLUSTER and phase != Phase.CLUSTER_SCORING:
        return _("Cluster scoring is not open; the grid is read-only.")
    if grid.stage == Stage.FINAL and phase != Phase.FINAL_REVIEW:
        return _("The final review is not open; the grid is read-only.")
    if grid.stage == Stage.CLUSTER:
        return _(
            "The cluster's leader and deputy units score at this stage; the grid is read-only."
        )
    return _("The standing agency scores the final review; the grid is read-only.")


def grid_deadline(user, cluster: Cluster, stage: str, period) -> tuple:
    """The deadline of the current phase (the banner's, one query; none in setting up and
    once published) and ``closed(unit_id)``: why a unit's column is closed to ``user`` by
    it, "" when open. A column closes when the phase is the stage's, the deadline closes
    input and the user is not exempt (staff, administrators), unless the scored unit has an
    extension still running (docs/deadlines.md: the extension that counts for a
    cluster-stage sheet is the scored unit's). The extensions are read in one query, only
    when the deadline itself has closed input for this user."""
    phase = phase_of(cluster.campaign, period)
    if phase in (Phase.SETUP, Phase.PUBLISHED):
        return None, None
    state = state_for(campaign=cluster.campaign, period=period, phase=phase, cluster=cluster)
    if (
        state is None
        or phase != STAGE_PHASE.get(stage)
        or not state.closes_input()
        or deadline_exempt(user)
    ):
        return state, None
    extended: dict[int, date] = {}
    for unit_id, due in (
        DeadlineExtension.objects.filter(deadline_id=state.deadline_id)
        .order_by("-created_at", "-pk")
        .values_list("unit_id", "due_date")
    ):
        extended.setdefault(unit_id, due)  # newest first: the latest counts

    def closed(unit_id: int) -> str:
        due = extended.get(unit_id)
        unit_state = replace(state, due=due, extended=True) if due else state
        return closed_message(unit_state) if unit_state.closes_input() else ""

    return state, closed


def grid_context(request: HttpRequest, cluster: Cluster, stage: str) -> dict:
    user = request.user
    by_units = request.GET.get("by") == "units"
    period = period_for(request, cluster)
    query = period_query(period)
    deadline, closed = grid_deadline(user, cluster, stage, period)
    grid = build_grid(cluster, stage, user, by_units=by_units, period=period, closed=closed)
    # Publishing is the final stage's: the cluster stage's grid does not speak of it.
    published = stage == Stage.FINAL and workflow.is_published(cluster, period)
    publication = (
        cluster.publications.filter(of_period(period_id_of(period)))
        .select_related("user")
        .order_by("-at", "-pk")
        .first()
        if published
        else None
    )
    stages = [
        {
            "stage": s,
            "label": Stage(s).label,
            "url": reverse("grid", args=[cluster.pk, s]) + query,
        }
        for s in GRID_STAGES
        if permissions.can_view_grid(user, cluster, s)
    ]
    base_url = reverse("grid", args=[cluster.pk, stage]) + query
    by_query = "&by=units" if query else "?by=units"
    save_url = reverse("grid_cell_save", args=[cluster.pk, stage, 0])
    override_url = reverse("grid_override", args=[cluster.pk, stage, 0])
    return {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "stage": stage,
        "stage_label": Stage(stage).label,
        "stages": stages,
        "grid": grid,
        "by_units": by_units,
        "criteria_url": base_url,
        "units_url": f"{base_url}{by_query}",
        "period": period,
        "phase_label": Phase(phase_of(cluster.campaign, period)).label,
        "period_label": period_label(
            period.kind if period else PeriodKind.YEAR_END, cluster.campaign.year
        ),
        "save_url": save_url.replace("/0/", "/__entry__/"),
        "override_url": override_url.replace("/0/", "/__entry__/"),
        "history_url": _optional_url("entry_history", 0).replace("/0/", "/__entry__/"),
        "ranking_url": _optional_url("ranking", cluster.pk, stage) + query,
        "overview_url": _optional_url("campaign_overview", cluster.campaign_id),
        "published": published,
        "publication": publication,
        "can_start": permissions.can_start_stage(user, cluster, stage, period),
        "can_publish": stage == Stage.FINAL
        and not published
        and bool(grid.columns)
        and permissions.can_publish(user, cluster, period),
        "can_reopen": stage == Stage.FINAL and published and permissions.can_reopen(user, cluster),
        "readonly_reason": _readonly_reason(grid, user, published, period),
        "has_returns": any(c["return_url"] for c in grid.columns),
        "fig_labels": dict(FIGURES),
        "deadline": deadline,
    }


@require_GET
@login_required
def grid(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """Every member's scores at a stage, editable cell by cell where the user may score.
    htmx requests (the refresh button) get the grid card only."""
    stage = _stage(stage)
    cluster = cluster_for(request.user, pk)
    require(permissions.can_view_grid(request.user, cluster, stage))
    context = grid_context(request, cluster, stage)
    template = "scoring/grid.html#grid_card" if request.htmx else "scoring/grid.html"
    return render(request, template, context)


# --- Saving a cell -----------------------------------------------------------------------------


def _grid_entry(user, pk: int, stage: str, entry_pk: int) -> ScoreEntry:
    """An entry of this cluster's grid at this stage that the user may see, or 404 (an
    entry of another cluster or stage is not part of this grid)."""
    # Only what the rules and the save need: each join costs PostgreSQL planning time.
    entry = entry_for(
        user, entry_pk, related=("criterion", "sheet__cluster__campaign", "sheet__period")
    )
    if entry.sheet.cluster_id != pk or entry.sheet.stage != stage:
        raise Http404
    return entry


def _answer(request, entry: ScoreEntry, main_field: str, *, typed=None, error="", stale=False):
    """The saved cell, with out-of-band swaps for everything its save may have changed."""
    sheet = entry.sheet
    by_units = request.POST.get("by") == "units"
    grid = build_grid(
        sheet.cluster,
        sheet.stage,
        request.user,
        by_units=by_units,
        focus=entry.criterion.code,
        period=sheet.period,
    )
    main = grid.cells.get(f"{entry.pk}-{main_field}")
    if main is None:  # pragma: no cover - the entry belongs to the grid (checked above)
        raise Http404
    if typed is not None:
        main["value"] = typed
    if error:
        main["err"] = error
        main["cls"] += " is-stale" if stale else " is-invalid"
    partners = [
        c for c in grid.cells.values() if c["entry"] == entry.pk and c["field"] != main_field
    ]
    if not stale:
        # Only a stale save replaces the other inputs (the user may be typing in them);
        # their points still change, as badges of their own.
        partners = []
    swapped = {id(c["p"]) for c in [main, *partners] if c["p"]}
    marks = Marks()
    parts = [
        *(cell_html(c, marks, oob=True) for c in partners),
        *(badge_html(b, oob=True) for b in grid.badges if id(b) not in swapped),
        *(subtotal_html(c, oob=True) for c in grid.subtotals),
        *(figure_html(c, marks, oob=True) for c in grid.figures),
    ]
    context = {
        "main": mark_safe(cell_html(main, marks)),
        "parts": mark_safe("".join(parts)),
        "columns": grid.columns,
    }
    status = 409 if stale else (422 if error else 200)
    return render(request, "scoring/grid.html#save_response", context, status=status)


@require_POST
@login_required
def grid_cell_save(request: HttpRequest, pk: int, stage: str, entry_pk: int) -> HttpResponse:
    """Store one cell (``field``, ``value``; the entry's other inputs may come along by
    name) if ``version`` is still the entry's version. Answers the cell: 200 saved, 422
    refused (the error on the cell, nothing stored), 409 someone saved first (the newer
    value shown)."""
    stage = _stage(stage)
    entry = _grid_entry(request.user, pk, stage, entry_pk)
    require(permissions.can_edit_sheet(request.user, entry.sheet))
    names = forms.input_fields(entry.criterion)
    main_field = request.POST.get("field", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The cell's version is missing."))
    if main_field not in names:
        return HttpResponseBadRequest(_("This criterion has no such input."))
    raw = {name: request.POST[name] for name in names if name in request.POST}
    raw[main_field] = request.POST.get("value", "")
    typed = raw[main_field]
    if version != entry.version:
        return _stale(request, entry, main_field)
    parsed = forms.parse_entry(entry.criterion, raw)
    errors = parsed.errors
    if not errors:
        try:
            change = entry_change(
                entry=entry, user=request.user, values=parsed.values, expected_version=version
            )
        except services.StaleEntry:
            return _stale(request, entry, main_field)
        except services.SheetLocked as locked:
            raise PermissionDenied from locked
        except ValidationError as refused:
            errors = refused.messages
    if errors:
        return _answer(request, entry, main_field, typed=typed, error=" ".join(errors))
    return _saved(request, change, main_field)


def _saved(request, change: EntryChange, main_field: str) -> HttpResponse:
    """The stored cell and what it moved, from the save itself (no query). Rendered
    without the context processors: a fragment needs none of the page's navigation."""
    by_units = request.POST.get("by") == "units"
    context = saved_parts(change, request.user, main_field, by_units=by_units)
    context["main"] = mark_safe(context["main"])
    context["parts"] = mark_safe(context["parts"])
    return HttpResponse(render_to_string("scoring/grid.html#save_response", context))


def _stale(request, entry: ScoreEntry, main_field: str) -> HttpResponse:
    message = _("Someone else changed this score first; the newer value is shown.")
    return _answer(request, entry, main_field, error=message, stale=True)


@require_POST
@login_required
def grid_override(request: HttpRequest, pk: int, stage: str, entry_pk: int) -> HttpResponse:
    """Override a leaf's computed points with a written reason (``override``, ``reason``,
    ``version``), or clear the override (empty ``override``). htmx requests get the cell
    answer (422/409 with the message); others go back to the grid with a message."""
    stage = _stage(stage)
    entry = _grid_entry(request.user, pk, stage, entry_pk)
    sheet = entry.sheet
    require(permissions.can_edit_sheet(request.user, sheet))
    if entry.criterion.kind == CriterionKind.VETO:
        raise PermissionDenied
    parsed = forms.parse_entry(
        entry.criterion,
        {"override": request.POST.get("override", ""), "reason": request.POST.get("reason", "")},
        with_override=True,
    )
    errors = parsed.errors
    stale = False
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The cell's version is missing."))
    if not errors:
        try:
            change = entry_change(
                entry=entry,
                user=request.user,
                values=parsed.values,
                expected_version=version,
                change_reason=parsed.values.get("reason") or _("Override cleared"),
            )
        except services.StaleEntry:
            stale = True
            errors = [_("Someone else changed this score first; the newer value is shown.")]
        except services.SheetLocked as locked:
            raise PermissionDenied from locked
        except ValidationError as refused:
            errors = refused.messages
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors))
        else:
            messages.success(
                request, _("The points of %(code)s were saved.") % {"code": entry.criterion.code}
            )
        return redirect(reverse("grid", args=[pk, stage]) + period_query(sheet.period))
    if errors:
        status = 409 if stale else 422
        return render(
            request, "scoring/grid.html#override_errors", {"errors": errors}, status=status
        )
    last = forms.input_fields(entry.criterion)[-1]
    return _saved(request, change, last)


urlpatterns = [
    path("clusters/<int:pk>/grid/<str:stage>/", grid, name="grid"),
    path(
        "clusters/<int:pk>/grid/<str:stage>/cells/<int:entry_pk>/",
        grid_cell_save,
        name="grid_cell_save",
    ),
    path(
        "clusters/<int:pk>/grid/<str:stage>/override/<int:entry_pk>/",
        grid_override,
        name="grid_override",
    ),
]
