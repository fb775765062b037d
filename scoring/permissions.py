"""Who may see and change score tables and sheets — the one place these rules live.

For now scoring is managed by administrators and province staff (Django admin and the
commands); the pages for units and cluster leaders come with their own rules here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from clusters import permissions as org
from clusters.models import User
from scoring.models import ScoreSheet, ScoreTable


def can_manage_scoring(user: User) -> bool:
    return org.is_administrator(user) or org.is_province_staff(user)


def managed_tables(user: User) -> QuerySet[ScoreTable]:
    if not can_manage_scoring(user):
        return ScoreTable.objects.none()
    return ScoreTable.objects.filter(campaign__in=org.managed_campaigns(user))


def managed_sheets(user: User) -> QuerySet[ScoreSheet]:
    if not can_manage_scoring(user):
        return ScoreSheet.objects.none()
    return ScoreSheet.objects.filter(cluster__campaign__in=org.managed_campaigns(user))
