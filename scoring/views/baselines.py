"""Last year's figures (issue 14 point 2), for the staff who manage the campaign (the same
rule as the units' own targets: scoring.permissions.can_view_targets / can_set_targets).

- ``campaign_baselines``: the report of the campaign: per score table, how many figures
  carried, and every unit and target criterion whose figure was typed rather than carried,
  or is still missing.
- ``table_baselines``: one table's target criteria × its units: the figure, where it came
  from ("2023, final, published 20/12/2023", or typed with its reason), and a form to type
  or correct it with a reason.
- ``table_baseline_set`` (POST): type or correct one figure (scoring.services.baselines.
  baseline_set); ``table_baselines_carry`` (POST): carry again from last year's published
  results (typed figures are kept).

A campaign outside the user's scope answers 404; one they see but do not manage, 403; once
the campaign is published the pages are read-only and the actions refused (403). Each page
reads a fixed number of queries whatever the number of units and criteria.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters.models import Campaign, Unit
from scoring import permissions
from scoring.enums import BaselineSource, CriterionKind
from scoring.models import Criterion, ScoreTable, UnitBaseline
from scoring.services.baselines import (
    baseline_set,
    baselines_carry,
    baselines_report,
    previous_campaign,
    table_units,
    value_parse,
)
from scoring.views.common import campaign_for, require


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = campaign_for(request.user, pk)
    require(permissions.can_view_targets(request.user, campaign))
    return campaign


def _table(request: HttpRequest, pk: int, table_pk: int) -> tuple[Campaign, ScoreTable]:
    campaign = _campaign(request, pk)
    return campaign, get_object_or_404(ScoreTable.objects.filter(campaign=campaign), pk=table_pk)


@require_GET
@login_required
def campaign_baselines(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    rows = baselines_report(campaign)
    tables = list(ScoreTable.objects.filter(campaign=campaign).order_by("title", "-version"))
    carried = Counter(
        UnitBaseline.objects.filter(
            criterion__table__campaign=campaign, source=BaselineSource.CARRIED
        ).values_list("criterion__table_id", flat=True)
    )
    for table in tables:
        table.carried = carried.get(table.pk, 0)
        table.typed = sum(1 for r in rows if r.table.pk == table.pk and r.baseline)
        table.missing = sum(1 for r in rows if r.table.pk == table.pk and not r.baseline)
    context = {
        "campaign": campaign,
        "previous": previous_campaign(campaign),
        "tables": tables,
        "rows": rows,
        "editable": permissions.can_set_targets(request.user, campaign),
    }
    return render(request, "scoring/baselines_report.html", context)


@require_GET
@login_required
def table_baselines(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    campaign, table = _table(request, pk, table_pk)
    criteria = list(table.criteria.filter(kind=CriterionKind.TARGET).order_by("position"))
    units = table_units(table)
    stored = {
        (b.criterion_id, b.unit_id): b
        for b in UnitBaseline.objects.filter(criterion__table=table).select_related("updated_by")
    }
    rows = [
        {"criterion": c, "unit": u, "baseline": stored.get((c.pk, u.pk))}
        for c in criteria
        for u in units
    ]
    context = {
        "campaign": campaign,
        "table": table,
        "previous": previous_campaign(campaign),
        "rows": rows,
        "editable": permissions.can_set_targets(request.user, campaign),
    }
    return render(request, "scoring/baselines.html", context)


@require_POST
@login_required
def table_baseline_set(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    campaign, table = _table(request, pk, table_pk)
    require(permissions.can_set_targets(request.user, campaign))
    criterion = get_object_or_404(
        Criterion.objects.filter(table=table, kind=CriterionKind.TARGET),
        pk=request.POST.get("criterion") or 0,
    )
    unit = get_object_or_404(Unit.objects.filter(pk__in=[u.pk for u in table_units(table)]),
                             pk=request.POST.get("unit") or 0)  # fmt: skip
    version = request.POST.get("version", "")
    try:
        value = value_parse(criterion, request.POST.get("value"))
        baseline_set(
            criterion=criterion,
            unit=unit,
            value=value,
            reason=request.POST.get("reason", ""),
            user=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(code)s · %(unit)s: last year's figure saved.")
            % {"code": criterion.code, "unit": unit.label},
        )
    return redirect(f"{request.path.rsplit('set/', 1)[0]}#b-{criterion.pk}-{unit.pk}")


@require_POST
@login_required
def table_baselines_carry(request: HttpRequest, pk: int, table_pk: int) -> HttpResponse:
    campaign, table = _table(request, pk, table_pk)
    require(permissions.can_set_targets(request.user, campaign))
    result = baselines_carry(table=table, user=request.user)
    messages.success(
        request,
        _(
            "%(stored)d figures carried or brought up to date, %(kept)d kept, "
            "%(missing)d still to type."
        )
        % {"stored": result.stored, "kept": result.kept, "missing": len(result.missing)},
    )
    return redirect("table_baselines", pk=campaign.pk, table_pk=table.pk)


urlpatterns = [
    path("campaigns/<int:pk>/baselines/", campaign_baselines, name="campaign_baselines"),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/baselines/",
        table_baselines,
        name="table_baselines",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/baselines/set/",
        table_baseline_set,
        name="table_baseline_set",
    ),
    path(
        "campaigns/<int:pk>/tables/<int:table_pk>/baselines/carry/",
        table_baselines_carry,
        name="table_baselines_carry",
    ),
]
