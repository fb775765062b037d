"""The six-month review (sơ kết) pages: adding it to a campaign, and moving its phases.

- ``six_month_add``: the campaign's managers add the six-month review, with a copy of the
  year-end tables or its own tables (scoring.services.periods.six_month_add).
- ``period_phase``: move the six-month review to another phase (the rules of
  scoring.permissions.period_phases_open_to; publishing it needs every cluster that scores
  it published).

The overview, grids, rankings, reports and documents name the period with ``?period=``
(``period_for``); without it they are the year-end review's, as before.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusters.enums import PeriodKind, Phase
from clusters.models import Campaign, Period
from clusters.models.periods import period_label
from scoring import forms, permissions
from scoring.periods import six_month_of
from scoring.services import periods as period_services
from scoring.views.common import campaign_for, require

PHASE_LABELS = dict(Phase.choices)


def period_tabs(user, campaign: Campaign, period: Period | None) -> dict:
    """What a campaign page shows to switch between its periods: the year-end review and
    the six-month review where the campaign has one, and the link to add it for those who
    may. One query (none more when ``period`` is the six-month review)."""
    six_month = period if period is not None else six_month_of(campaign)
    overview = reverse("campaign_overview", args=[campaign.pk])
    tabs = []
    if six_month is not None:
        tabs.append(
            {
                "kind": PeriodKind.SIX_MONTH,
                "label": period_label(PeriodKind.SIX_MONTH, campaign.year),
                "url": f"{overview}?period={PeriodKind.SIX_MONTH}",
                "current": period is not None,
            }
        )
    tabs.append(
        {
            "kind": PeriodKind.YEAR_END,
            "label": period_label(PeriodKind.YEAR_END, campaign.year),
            "url": overview,
            "current": period is None,
        }
    )
    can_add = six_month is None and permissions.can_add_six_month(user, campaign)
    return {
        "period": period,
        "period_label": period_label(period.kind if period else PeriodKind.YEAR_END, campaign.year),
        "period_tabs": tabs,
        "six_month_add_url": (reverse("six_month_add", args=[campaign.pk]) if can_add else None),
    }


@require_http_methods(["GET", "POST"])
@login_required
def six_month_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the six-month review to the campaign: choose its tables, then go to its
    overview (its phases start at setting up)."""
    campaign = campaign_for(request.user, pk)
    require(permissions.can_add_six_month(request.user, campaign))
    if six_month_of(campaign) is not None:
        messages.info(request, _("This campaign already has a six-month review."))
        return redirect(reverse("campaign_overview", args=[campaign.pk]) + "?period=six_month")
    form = forms.SixMonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period_services.six_month_add(
                campaign=campaign, tables=form.cleaned_data["tables"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(period)s added. Publish its score tables, then open self-assessment.")
                % {"period": period_label(PeriodKind.SIX_MONTH, campaign.year)},
            )
            return redirect(reverse("campaign_overview", args=[campaign.pk]) + "?period=six_month")
    return render(
        request,
        "scoring/six_month_add.html",
        {
            "campaign": campaign,
            "form": form,
            "period_label": period_label(PeriodKind.SIX_MONTH, campaign.year),
            "year_end_tables": campaign.score_tables.filter(
                period__kind=PeriodKind.YEAR_END
            ).count(),
        },
    )


@require_POST
@login_required
def period_phase(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the campaign's six-month review to the phase in the form's field ``phase``.
    Managers move it forwards or backwards; only an administrator moves it away from
    published (a crafted request from anyone else answers 403)."""
    user = request.user
    campaign = campaign_for(user, pk)
    period = six_month_of(campaign)
    if period is None:
        raise Http404
    require(permissions.can_set_phase(user, campaign))
    overview = redirect(reverse("campaign_overview", args=[campaign.pk]) + "?period=six_month")
    phase = request.POST.get("phase", "")
    if phase not in Phase.values:
        messages.error(request, _("Choose a phase from the list."))
        return overview
    if phase == period.phase:
        messages.info(
            request,
            _("The review is already in the phase “%(phase)s”.") % {"phase": PHASE_LABELS[phase]},
        )
        return overview
    require(phase in permissions.period_phases_open_to(user, period))
    previous = period.phase
    try:
        period_services.period_set_phase(period=period, phase=phase, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return overview
    messages.success(
        request,
        _("Phase changed from “%(old)s” to “%(new)s”.")
        % {"old": PHASE_LABELS[previous], "new": PHASE_LABELS[phase]},
    )
    return overview


urlpatterns = [
    path("campaigns/<int:pk>/six-month/", six_month_add, name="six_month_add"),
    path("campaigns/<int:pk>/six-month/phase/", period_phase, name="period_phase"),
]
