"""Helpers every scoring view uses to fetch within the user's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from clusters.models import Campaign, Cluster
from scoring import permissions
from scoring.models import ScoreEntry, ScoreSheet

# Shown where a staff member meets their own unit's final sheet (scoring.permissions).
OWN_UNIT_NOTICE = _(
    "This is your own unit: nobody judges their own unit. Another staff member of the "
    "standing agency, or an administrator, scores, overrides and returns it."
)


def require(allowed: bool) -> None:
    """Refuse (403) an action the user may see but not do."""
    if not allowed:
        raise PermissionDenied


def sheet_for(user, pk: int) -> ScoreSheet:
    """A sheet the user may see, or 404."""
    qs = permissions.visible_sheets(user).select_related(
        "unit", "cluster__campaign__organiser", "table", "period"
    )
    return get_object_or_404(qs, pk=pk)


ENTRY_RELATED = (
    "criterion",
    "sheet__unit",
    "sheet__cluster__campaign",
    "sheet__table",
    "sheet__period",
)


def entry_for(user, pk: int, related: tuple[str, ...] = ENTRY_RELATED) -> ScoreEntry:
    """An entry on a sheet the user may see, or 404; ``related`` is read with it."""
    qs = ScoreEntry.objects.filter(sheet__in=permissions.visible_sheets(user)).select_related(
        *related
    )
    return get_object_or_404(qs, pk=pk)


def cluster_for(user, pk: int) -> Cluster:
    """A cluster the user may see, or 404."""
    qs = permissions.visible_clusters(user).select_related("campaign__organiser")
    return get_object_or_404(qs, pk=pk)


def campaign_for(user, pk: int) -> Campaign:
    from clusters.permissions import visible_campaigns

    return get_object_or_404(visible_campaigns(user).select_related("organiser"), pk=pk)
