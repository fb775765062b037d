"""Which period (the year-end review or the six-month review, clusters.models.Period) a
read or a write of scores is about, and which phase opens its stages.

Every function that works on "a cluster's sheets at a stage" takes ``period_id``: the
period's id, or None for the campaign's year-end review, the default every caller that
existed before periods means (its sheets are found through a join, without reading the
period).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from clusters.enums import PeriodKind, Phase
from clusters.models import Campaign, Cluster, Period


def of_period(period_id: int | None, prefix: str = "") -> Q:
    """The rows (sheets, or with ``prefix`` "sheet__" entries) of one period."""
    if period_id is None:
        return Q(**{f"{prefix}period__kind": PeriodKind.YEAR_END})
    return Q(**{f"{prefix}period_id": period_id})


def period_id_of(period: Period | None) -> int | None:
    """The id to pass for ``period``: None for the year-end review (see above)."""
    return None if period is None or period.is_year_end else period.pk


def phase_of(campaign: Campaign, period: Period | None = None) -> str:
    """The phase that opens the period's stages: the campaign's for the year-end review."""
    if period is None or period.is_year_end:
        return campaign.phase
    return period.phase


def sheet_phase(sheet) -> str:
    """The phase of the period a sheet belongs to (reads the sheet's period once)."""
    return phase_of(sheet.cluster.campaign, sheet.period)


def six_month_of(campaign: Campaign | Cluster) -> Period | None:
    """The campaign's six-month review, if it has one (one query)."""
    campaign_id = campaign.campaign_id if isinstance(campaign, Cluster) else campaign.pk
    return Period.objects.filter(campaign_id=campaign_id, kind=PeriodKind.SIX_MONTH).first()


def period_from(campaign: Campaign | Cluster, value: str | None) -> Period | None:
    """The period a request names (``?period=six_month``), None for the year-end review.
    A campaign without a six-month review answers None for it too (the caller decides
    whether that is "not found")."""
    if value != PeriodKind.SIX_MONTH:
        return None
    return six_month_of(campaign)


def period_query(period: Period | None) -> str:
    """What a link adds to name the period: nothing for the year-end review."""
    return "" if period is None or period.is_year_end else f"?period={period.kind}"


# The phases a six-month review opens its stages with (the year-end review's are the same
# values of its campaign's phase).
STAGE_PHASES = (
    Phase.SELF_ASSESSMENT,
    Phase.CLUSTER_SCORING,
    Phase.EXPLANATION,
    Phase.FINAL_REVIEW,
    Phase.PUBLISHED,
)


def period_for(request, scope: Campaign | Cluster) -> Period | None:
    """The period a request names (``?period=six_month``, or a form's ``period``): None
    for the year-end review (the default: every URL without it means the year-end review),
    404 for anything else or a campaign without a six-month review."""
    value = request.GET.get("period") or request.POST.get("period") or PeriodKind.YEAR_END
    if value == PeriodKind.YEAR_END:
        return None
    period = period_from(scope, value)
    if period is None:
        raise Http404
    return period
