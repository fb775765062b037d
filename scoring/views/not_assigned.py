"""The criteria of a score table not assigned (không giao) to a unit or to a kind of unit,
for the staff who manage its campaign (beside the units' own targets).

- ``table_not_assigned``: the marks, the units they concern with their assigned share of the
  table, the form that adds a mark (POST) and the latest changes of the history.
- ``table_not_assigned_remove``: assign a criterion again (POST).

A campaign outside the user's scope answers 404; officers, who see their campaign but do
not manage it, 403. Once the campaign is published the page is read-only (and a unit whose
results are locked refuses any change: scoring.services.assignments). The page reads a
fixed number of queries whatever the number of units and marks.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusters.models import Membership, Unit
from scoring import permissions
from scoring.forms import NotAssignedForm
from scoring.models import BASE_CRITERION_KINDS, Criterion, NotAssigned
from scoring.services.assignments import (
    marks_of,
    not_assigned_add,
    not_assigned_remove,
    unassigned_ids,
)
from scoring.services.specs import load_table
from scoring.views.common import require
from scoring.views.targets import _table

HISTORY_ROWS = 20


def _units(table):
    return Unit.objects.filter(memberships__cluster__score_tables=table).distinct().order_by("code")


def _concerned(table, loaded, marks) -> list[dict]:
    """The member units some criterion is not assigned to, with those criteria and the
    assigned share of the table's base maximum."""
    memberships = (
        Membership.objects.filter(cluster__score_tables=table)
        .select_related("unit", "cluster")
        .order_by("cluster__number", "unit__code")
    )
    rows = [(m.criterion_id, m.unit_id, m.unit_kind) for m in marks]
    base = {pk: spec for pk, spec in loaded.specs.items() if spec.kind in BASE_CRITERION_KINDS}
    table_max = sum((spec.max_points for spec in base.values()), Decimal(0))
    concerned, seen = [], set()
    for membership in memberships:
        unit = membership.unit
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        ids = unassigned_ids(loaded, rows, unit.pk, unit.kind)
        if not ids:
            continue
        assigned = table_max - sum((base[pk].max_points for pk in ids), Decimal(0))
        concerned.append(
            {
                "unit": unit,
                "cluster": membership.cluster,
                "codes": [spec.code for pk, spec in base.items() if pk in ids],
                "assigned": assigned,
                "table_max": table_max,
            }
        )
    return concerned


@require_http_methods(["GET", "POST"])
@login_required
def table_not_assigned(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    """The table's criteria not assigned to a unit or kind; POST adds a mark."""
    campaign, table = _table(request, pk, table_pk)
    editable = permissions.can_set_not_assigned(request.user, campaign)
    loaded = load_table(table)
    markable = Criterion.objects.filter(
        table=table, kind__in=["group", *BASE_CRITERION_KINDS]
    ).order_by("position", "pk")
    form = NotAssignedForm(
        request.POST if request.method == "POST" else None,
        criteria=markable,
        units=_units(table),
    )
    if request.method == "POST":
        require(editable)
        if form.is_valid():
            data = form.cleaned_data
            try:
                not_assigned_add(
                    criterion=data["criterion"],
                    unit=data["unit"],
                    unit_kind=data["unit_kind"],
                    reason=data["reason"],
                    user=request.user,
                )
            except ValidationError as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(code)s is marked not assigned; the sheets concerned are recomputed.")
                    % {"code": data["criterion"].code},
                )
                return redirect("table_not_assigned", campaign.pk, table.pk)
    marks = marks_of(table)
    history = list(
        NotAssigned.history.filter(criterion__table=table)
        .select_related("history_user", "criterion", "unit")
        .order_by("-history_date", "-history_id")[:HISTORY_ROWS]
    )
    return render(
        request,
        "scoring/not_assigned.html",
        {
            "campaign": campaign,
            "table": table,
            "form": form,
            "editable": editable,
            "marks": marks,
            "concerned": _concerned(table, loaded, marks),
            "history": history,
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def table_not_assigned_remove(
    request: HttpRequest, pk: int, table_pk: int, mark_pk: int
) -> HttpResponse:
    """Assign the mark's criterion again to its unit or kind."""
    campaign, table = _table(request, pk, table_pk)
    mark = get_object_or_404(
        NotAssigned.objects.filter(criterion__table=table).select_related("criterion", "unit"),
        pk=mark_pk,
    )
    require(permissions.can_set_not_assigned(request.user, campaign))
    try:
        not_assigned_remove(mark=mark, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(code)s is assigned again; the sheets concerned are recomputed.")
            % {"code": mark.criterion.code},
        )
    return redirect("table_not_assigned", campaign.pk, table.pk)


urlpatterns = [
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/not-assigned/",
        table_not_assigned,
        name="table_not_assigned",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/not-assigned/<int:mark_pk>/remove/",
        table_not_assigned_remove,
        name="table_not_assigned_remove",
    ),
]
