"""Helpers every scoring view uses to fetch within the user's scope."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from clusters import permissions as org
from clusters.permissions import campaign_for as campaign_for  # the ones for every app
from clusters.permissions import cluster_for as cluster_for
from clusters.permissions import require as require
from emulation.prepared import Prepared
from scoring import permissions
from scoring.models import ScoreEntry, ScoreSheet

# Shown where a staff member meets their own unit's final sheet (scoring.permissions).
OWN_UNIT_NOTICE = _(
    "This is your own unit: nobody judges their own unit. Another staff member of the "
    "standing agency, or an administrator, scores, overrides and returns it."
)


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


def _officer_entry(*, unit_id: int, pk: int, related: tuple[str, ...]):
    # No ordering: one row, and the default one joins the organiser and the unit (planning).
    return (
        ScoreEntry.objects.filter(sheet__in=permissions.officer_sheets(unit_id), pk=pk)
        .select_related(*related)
        .order_by()
    )


# A unit officer's entry: the read of every cell save by a cluster's leader or deputy, its
# SQL compiled once per process (emulation.prepared; docs/performance.md).
_OFFICER_ENTRY = Prepared(_officer_entry)


def entry_for(user, pk: int, related: tuple[str, ...] = ENTRY_RELATED) -> ScoreEntry:
    """An entry on a sheet the user may see, or 404; ``related`` is read with it."""
    if org.is_unit_officer(user):  # not staff nor an administrator
        found = _OFFICER_ENTRY.run(
            ("officer", related), {"related": related}, unit_id=user.unit_id, pk=pk
        )
        if not found:
            raise Http404
        return found[0]
    qs = ScoreEntry.objects.filter(sheet__in=permissions.visible_sheets(user)).select_related(
        *related
    )
    return get_object_or_404(qs, pk=pk)
