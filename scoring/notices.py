"""Notifications scoring sends (issue 16 point 3; docs/notifications.md): a sheet returned
for correction, an explanation written, a cluster's results published, a six-month review's
phase opened. Each is a thin call of clusters.services.notices.notify, made by the services
of scoring.workflow and scoring.services.periods inside their transaction, so a refused
change tells nobody anything."""

from __future__ import annotations

from django.urls import reverse

from clusters.enums import NoticeKind, PeriodKind
from clusters.models import Cluster, Period
from clusters.services import notices
from scoring.enums import Stage
from scoring.models import Explanation, Publication, ScoreSheet
from scoring.periods import period_query


def _kind(period: Period | None) -> str:
    return PeriodKind.YEAR_END if period is None else period.kind


def sheet_returned(*, sheet: ScoreSheet, comment: str) -> None:
    """Tell the unit's accounts that its sheet came back for correction, and why."""
    cluster = sheet.cluster
    notices.notify(
        users=notices.unit_users([sheet.unit_id]),
        kind=NoticeKind.SHEET_RETURNED,
        campaign=cluster.campaign,
        url=reverse("sheet_detail", args=[sheet.pk]),
        key=f"sheet_returned:{sheet.pk}:{sheet.version}",
        unit=str(sheet.unit),
        period=sheet.period.kind,
        year=cluster.campaign.year,
        comment=comment,
    )


def explanation_written(*, explanation: Explanation) -> None:
    """Tell the cluster's leader and deputy units (who scored it) that a unit explained
    its score on a criterion; once per explanation, not at each correction."""
    entry = explanation.entry
    sheet = entry.sheet
    cluster = sheet.cluster
    period = sheet.period
    users = notices.cluster_leader_users([cluster.pk]).exclude(unit_id=sheet.unit_id)
    notices.notify(
        users=users,
        kind=NoticeKind.EXPLANATION_ANSWERED,
        campaign=cluster.campaign,
        url=reverse("grid", args=[cluster.pk, Stage.CLUSTER])
        + period_query(None if period.is_year_end else period),
        key=f"explanation:{explanation.pk}",
        unit=str(sheet.unit),
        criterion=entry.criterion.code,
        period=period.kind,
        year=cluster.campaign.year,
    )


def results_published(*, cluster: Cluster, publication: Publication, period: Period | None) -> None:
    """Tell the accounts of the cluster's member units that its results are published."""
    members = cluster.memberships.values_list("unit_id", flat=True)
    notices.notify(
        users=notices.unit_users(members),
        kind=NoticeKind.RESULTS_PUBLISHED,
        campaign=cluster.campaign,
        url=reverse("ranking_default", args=[cluster.pk]) + period_query(period),
        key=f"results_published:{publication.pk}",
        cluster=cluster.name,
        period=_kind(period),
        year=cluster.campaign.year,
    )


def period_phase_opened(*, period: Period) -> None:
    """A six-month review's phase opened: its campaign's units are told."""
    notices.phase_opened_notify(
        campaign=period.campaign, period_kind=period.kind, phase=period.phase
    )
