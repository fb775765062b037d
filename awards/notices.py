"""Notifications awards sends (docs/notifications.md): a decision on titles recorded for a
unit. A thin call of clusters.services.notices.notify, made by awards.services inside its
transaction."""

from __future__ import annotations

from django.urls import reverse

from awards.models import Decision
from clusters.enums import NoticeKind
from clusters.models import Unit
from clusters.services import notices


def decision_recorded(*, decision: Decision, unit: Unit) -> None:
    """Tell the unit's accounts that ``decision`` decides on its title (granted or refused):
    once per decision and unit, however many of its titles the decision names."""
    campaign = decision.campaign
    notices.notify(
        users=notices.unit_users([unit.pk]),
        kind=NoticeKind.DECISION_RECORDED,
        campaign=campaign,
        url=reverse("home"),
        key=f"decision_recorded:{decision.pk}:{unit.pk}",
        number=decision.number,
        date=decision.date,
        campaign_name=campaign.name,
        year=campaign.year,
    )
