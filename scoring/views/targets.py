"""The units' own targets (chỉ tiêu giao riêng) of a score table, for the staff who manage
its campaign.

- ``table_targets``: the member units of the table's clusters (rows) × its target criteria
  (columns). Cells move, save and take a block pasted from Excel exactly like the scoring
  grid: the page uses static/js/grid.js with the grid's cell markup (``cell_html``).
- ``table_target_save``: one cell (``value``, ``version``): 200 saved, 422 refused (the
  reason on the cell, nothing stored), 409 someone saved first (the newer value shown).
- ``table_targets_xlsx``, ``table_targets_upload``, ``table_targets_upload_confirm``: the
  Excel round trip, as for the grid (scoring/views/excel.py): a template with hidden keys, a
  preview of every change and error by cell, then all or nothing.
- ``table_targets_history``: who changed which target, when, from what to what.

A campaign outside the user's scope answers 404; officers, who see their campaign but do
not manage it, 403. Once the campaign is published the page is read-only. The page reads a
fixed number of queries whatever the number of units and criteria.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import Lag
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters.enums import Phase
from clusters.models import Campaign, Unit
from scoring import permissions
from scoring.enums import CriterionKind
from scoring.interchange import excel_targets
from scoring.models import Criterion, ScoreTable, UnitTarget
from scoring.services.targets import (
    PERCENT_METRICS,
    StaleTarget,
    target_parse,
    unit_target_save,
    unit_targets_fill,
)
from scoring.views.common import campaign_for, require
from scoring.views.excel import XLSX, _max_mb, preview_folder
from scoring.views.grid_html import Marks, Text, cell_html
from scoring.views.uploads import PendingUploads, capped_upload

SESSION_KEY = "scoring_target_uploads"
PER_PAGE = 50


def _table(request: HttpRequest, pk: int, table_pk: int) -> tuple[Campaign, ScoreTable]:
    """The table of a campaign the user sees (else 404) and manages (else 403)."""
    campaign = campaign_for(request.user, pk)
    table = get_object_or_404(ScoreTable.objects.filter(campaign=campaign), pk=table_pk)
    require(permissions.can_view_targets(request.user, campaign))
    table.campaign = campaign
    return campaign, table


def _cell(criterion: Criterion, unit: Unit, target, r: int, c: int, ro: bool, text: Text):
    """The grid's cell dict (scoring/views/grid_html.py) for one unit's target."""
    return {
        "id": f"{criterion.pk}_{unit.pk}-target",
        "cls": " is-own" if target is not None else "",
        "r": r,
        "c": c,
        "value": text.value(target.target) if target is not None else "",
        "version": target.version if target is not None else 0,
        "ro": ro,
        "err": "",
        "self": "",
        "x": "",
        "p": None,
    }


@require_GET
@login_required
def table_targets(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Units × target criteria, typed or pasted cell by cell."""
    campaign, table = _table(request, pk, table_pk)
    data = excel_targets.target_data(table)
    editable = permissions.can_set_targets(request.user, campaign)
    text, marks = Text(), Marks()
    columns = [
        {
            "i": c,
            "criterion": criterion,
            "percent": criterion.metric in PERCENT_METRICS,
            "default": text.value(criterion.target) if criterion.target is not None else "",
        }
        for c, criterion in enumerate(data.criteria)
    ]
    rows, cluster = [], None
    for r, membership in enumerate(data.memberships):
        unit = membership.unit
        if membership.cluster.pk != getattr(cluster, "pk", None):
            cluster = membership.cluster
            rows.append({"cluster": cluster})
        ro = not editable or unit.pk in data.locked
        cells = [
            cell_html(
                _cell(criterion, unit, data.targets.get((criterion.pk, unit.pk)), r, c, ro, text),
                marks,
            )
            for c, criterion in enumerate(data.criteria)
        ]
        rows.append(
            {
                "i": r,
                "unit": unit,
                "membership": membership,
                "locked": unit.pk in data.locked,
                "html": "".join(cells),
            }
        )
    save_url = reverse("table_target_save", args=[campaign.pk, table.pk, 0, 0])
    return render(
        request,
        "scoring/targets.html",
        {
            "campaign": campaign,
            "table": table,
            "columns": columns,
            "rows": rows,
            "units": len(data.memberships),
            "editable": editable and bool(data.criteria) and bool(data.memberships),
            "published": campaign.phase == Phase.PUBLISHED,
            # Targets the copy of the year brought and nobody has changed since.
            "copied": sum(1 for t in data.targets.values() if t.copied),
            "save_url": save_url.replace("/0_0/", "/__entry__/"),
        },
    )


def _answer(table, criterion, unit, *, typed=None, error="", stale=False, status=200):
    """The cell again, from what is stored now (with the typed value and the reason when
    it was refused), at its place in the page: grid.js swaps it in place."""
    data = excel_targets.target_data(table)
    r = next(i for i, m in enumerate(data.memberships) if m.unit_id == unit.pk)
    c = next(i for i, k in enumerate(data.criteria) if k.pk == criterion.pk)
    target = data.targets.get((criterion.pk, unit.pk))
    cell = _cell(criterion, unit, target, r, c, unit.pk in data.locked, Text())
    if typed is not None:
        cell["value"] = typed
    if error:
        cell["err"] = error
        cell["cls"] += " is-stale" if stale else " is-invalid"
    return HttpResponse(cell_html(cell, Marks()), status=status)


@require_POST
@login_required
def table_target_save(
    request: HttpRequest, pk: int, table_pk: int, criterion_pk: int, unit_pk: int
) -> HttpResponse:
    """Store one unit's target (``value``; empty removes it) if ``version`` is still the
    stored one (0: none yet)."""
    campaign, table = _table(request, pk, table_pk)
    require(permissions.can_set_targets(request.user, campaign))
    criterion = get_object_or_404(
        Criterion.objects.filter(table=table, kind=CriterionKind.TARGET), pk=criterion_pk
    )
    unit = get_object_or_404(
        Unit.objects.filter(memberships__cluster__score_tables=table).distinct(), pk=unit_pk
    )
    if request.POST.get("field", "target") != "target":
        return HttpResponseBadRequest(_("This cell has no such input."))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The cell's version is missing."))
    typed = request.POST.get("value", "")
    value, problem = target_parse(criterion, typed, unit)
    if problem:
        return _answer(table, criterion, unit, typed=typed, error=problem, status=422)
    try:
        unit_target_save(
            criterion=criterion,
            unit=unit,
            target=value,
            user=request.user,
            expected_version=version,
        )
    except StaleTarget:
        message = _("Someone else changed this target first; the newer value is shown.")
        return _answer(table, criterion, unit, error=message, stale=True, status=409)
    except ValidationError as refused:
        error = " ".join(refused.messages)
        return _answer(table, criterion, unit, typed=typed, error=error, status=422)
    return _answer(table, criterion, unit)


# --- History -----------------------------------------------------------------------------------


@require_GET
@login_required
def table_targets_history(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """Every change of the table's units' targets, newest first: who, when, before, after."""
    campaign, table = _table(request, pk, table_pk)
    records = (
        UnitTarget.history.filter(criterion__table=table)
        .annotate(
            before=Window(
                Lag("target"),
                partition_by=[F("criterion_id"), F("unit_id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
        .select_related("history_user", "criterion", "unit")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    text = Text()
    events = [
        {
            "record": record,
            "before": text.value(record.before) if record.history_type != "+" else "",
            "after": text.value(record.target) if record.history_type != "-" else "",
        }
        for record in page
    ]
    return render(
        request,
        "scoring/targets_history.html",
        {"campaign": campaign, "table": table, "page": page, "events": events},
    )


# --- Excel -------------------------------------------------------------------------------------


def _file_name(table: ScoreTable) -> str:
    return f"chi-tieu-{table.campaign.year}-{table.pk}-v{table.version}.xlsx"


@require_GET
@login_required
def table_targets_xlsx(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The units' targets as an .xlsx template, current values filled in."""
    campaign, table = _table(request, pk, table_pk)
    editable = permissions.can_set_targets(request.user, campaign)
    content = excel_targets.template_xlsx(table=table, editable=editable)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _file_name(table))
    return response


def _context(campaign, table, **extra) -> dict:
    return {
        "campaign": campaign,
        "table": table,
        "targets_url": reverse("table_targets", args=[campaign.pk, table.pk]),
        "template_url": reverse("table_targets_xlsx", args=[campaign.pk, table.pk]),
        "upload_url": reverse("table_targets_upload", args=[campaign.pk, table.pk]),
        "max_mb": _max_mb(),
        **extra,
    }


def _preview(request, campaign, table, plan, *, name, token="", status=200, stale=False):
    confirm_url = ""
    if token and plan.ok and plan.changes:
        confirm_url = reverse("table_targets_upload_confirm", args=[campaign.pk, table.pk, token])
    context = _context(
        campaign, table, plan=plan, file_name=name, stale=stale, confirm_url=confirm_url
    )
    return render(request, "scoring/targets_excel.html", context, status=status)


PENDING = PendingUploads(session_key=SESSION_KEY, folder=preview_folder, suffix=".xlsx")


def _remember(request, table, name: str, content: bytes, plan) -> str:
    data = {"table": table.pk, "name": name, "signature": plan.signature()}
    return PENDING.remember(request, content, data)


def _editable_table(request, pk: int, table_pk: int) -> tuple[Campaign, ScoreTable]:
    campaign, table = _table(request, pk, table_pk)
    require(permissions.can_set_targets(request.user, campaign))
    return campaign, table


@require_http_methods(["GET", "POST"])
@login_required
def table_targets_upload(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """GET: the upload form. POST (``file``): the preview of the uploaded template, every
    change and every error by cell; nothing is stored."""
    campaign, table = _editable_table(request, pk, table_pk)
    if request.method == "GET":
        return render(request, "scoring/targets_excel.html", _context(campaign, table))
    upload = request.FILES.get("file")
    if upload is None:
        plan = excel_targets.TargetPlan()
        plan.error("", _("Choose a file to upload."))
        return _preview(request, campaign, table, plan, name="", status=422)
    name, content, again = capped_upload(upload)
    plan, _data = excel_targets.read_upload(table=table, upload=again)
    token = ""
    if plan.ok and plan.changes:
        token = _remember(request, table, name, content, plan)
    status = 200 if plan.ok else 422
    return _preview(request, campaign, table, plan, name=name, token=token, status=status)


@require_POST
@login_required
def table_targets_upload_confirm(
    request: HttpRequest, pk: int, table_pk: int, token: str
) -> HttpResponse:
    """Store a previewed upload: read again against the current targets; if anything
    changed since the preview, show the new preview instead (409); else store all of it or
    nothing (``unit_targets_fill``)."""
    campaign, table = _editable_table(request, pk, table_pk)
    stored, content = PENDING.read(request, token, table=table.pk)
    name = stored["name"]
    upload = SimpleUploadedFile(name, content)
    plan, data = excel_targets.read_upload(table=table, upload=upload)
    status = PENDING.recheck(request, token, stored, plan)
    if status is not None:
        kept = token if status == 409 else ""
        return _preview(
            request, campaign, table, plan, name=name, token=kept, status=status, stale=True
        )
    reason = _("Imported from Excel: %(name)s") % {"name": name}
    try:
        count = unit_targets_fill(
            table=table, changes=plan.target_changes(data), user=request.user, change_reason=reason
        )
    except StaleTarget:
        return _preview(
            request, campaign, table, plan, name=name, token=token, status=409, stale=True
        )
    except ValidationError as refused:
        plan.error("", " ".join(refused.messages))
        return _preview(request, campaign, table, plan, name=name, status=422)
    PENDING.forget(request, token)
    messages.success(
        request,
        _("%(count)s targets were imported from %(name)s.") % {"count": count, "name": name},
    )
    return redirect("table_targets", campaign.pk, table.pk)


urlpatterns = [
    path("campaigns/<int:pk>/tables/<int:table_pk>/targets/", table_targets, name="table_targets"),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/targets/cells/<int:criterion_pk>_<int:unit_pk>/",
        table_target_save,
        name="table_target_save",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/targets/history/",
        table_targets_history,
        name="table_targets_history",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/targets/template.xlsx",
        table_targets_xlsx,
        name="table_targets_xlsx",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/targets/upload/",
        table_targets_upload,
        name="table_targets_upload",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/targets/upload/<str:token>/confirm/",
        table_targets_upload_confirm,
        name="table_targets_upload_confirm",
    ),
]
