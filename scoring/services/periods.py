"""The six-month review (sơ kết): adding it to a campaign with its score tables, and moving
it through its phases. Its sheets, stages and publication are the year-end review's
services with ``period`` (scoring.workflow, scoring.services.entries)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.enums import PeriodKind, Phase
from clusters.models import Campaign, Period
from clusters.models.periods import SIX_MONTH_PHASES
from scoring import notices as scoring_notices
from scoring.enums import TableStatus
from scoring.models import Criterion, NotAssigned, Publication, ScoreSheet, ScoreTable, UnitTarget
from scoring.services.pledge_links import pledge_links_copy
from scoring.services.tables import table_renumber

# How the six-month review gets its score tables.
COPY_TABLES = "copy"  # a draft copy of each of the year-end review's newest tables
OWN_TABLES = "own"  # none: staff make or import its own tables


@transaction.atomic
def six_month_add(*, campaign: Campaign, tables: str = COPY_TABLES, user=None) -> Period:
    """Add the six-month review to ``campaign`` (once), in its setting-up phase.

    With ``tables="copy"`` each of the year-end review's tables (its newest version) is
    copied as a draft of the six-month review, for the same clusters, with its criteria,
    the units' own targets, the criteria not assigned to units and the pledge items' links;
    staff adapt and publish them as any draft. With ``"own"`` the review starts without
    tables. Refused once the campaign's year-end results are published.
    """
    if tables not in (COPY_TABLES, OWN_TABLES):
        raise ValidationError(_("Choose how the six-month review gets its score tables."))
    if campaign.phase == Phase.PUBLISHED:
        raise ValidationError(
            _("The year's results are published; a six-month review can no longer be added.")
        )
    if Period.objects.filter(campaign=campaign, kind=PeriodKind.SIX_MONTH).exists():
        raise ValidationError(_("This campaign already has a six-month review."))
    period = Period(campaign=campaign, kind=PeriodKind.SIX_MONTH, phase=Phase.SETUP)
    period._history_user = user
    period.full_clean()
    period.save()
    if tables == COPY_TABLES:
        year_end = Period.objects.year_end(campaign)
        newest: dict[str, ScoreTable] = {}
        for table in ScoreTable.objects.filter(period=year_end).order_by("title", "-version"):
            newest.setdefault(table.title, table)
        for table in newest.values():
            table_copy_to_period(table=table, period=period)
    return period


def _copy_title(table: ScoreTable, period: Period) -> str:
    return _("%(title)s — six-month review") % {"title": table.title}


@transaction.atomic
def table_copy_to_period(*, table: ScoreTable, period: Period) -> ScoreTable:
    """A draft copy of ``table`` (criteria, units' own targets, criteria not assigned,
    pledge items' links, clusters) as version 1 of a table of ``period``."""
    if period.campaign_id != table.campaign_id:
        raise ValidationError(_("Choose a review of the table's campaign."))
    copy = ScoreTable(
        campaign_id=table.campaign_id,
        period=period,
        title=_copy_title(table, period)[:255],
        version=1,
        status=TableStatus.DRAFT,
        bands=table.bands,
        bonus_cap=table.bonus_cap,
    )
    copy.full_clean()
    copy.save()
    copy.clusters.set(table.clusters.all())
    new_by_old: dict[int, Criterion] = {}
    for criterion in table.criteria.order_by("position", "pk"):  # parents first
        new_by_old[criterion.pk] = Criterion.objects.create(
            table=copy,
            parent=new_by_old.get(criterion.parent_id),
            **{
                f.name: getattr(criterion, f.name)
                for f in Criterion._meta.concrete_fields
                if f.name not in {"id", "table", "parent"}
            },
        )
    table_renumber(table=copy)
    UnitTarget.objects.bulk_create(
        UnitTarget(criterion=new_by_old[t.criterion_id], unit_id=t.unit_id, target=t.target)
        for t in UnitTarget.objects.filter(criterion__table=table)
    )
    NotAssigned.objects.bulk_create(
        NotAssigned(
            criterion=new_by_old[m.criterion_id],
            unit_id=m.unit_id,
            unit_kind=m.unit_kind,
            reason=m.reason,
            created_by_id=m.created_by_id,
        )
        for m in NotAssigned.objects.filter(criterion__table=table)
    )
    pledge_links_copy(source=table, target=copy)
    return copy


@transaction.atomic
def period_set_phase(*, period: Period, phase: str, user=None) -> Period:
    """Move the six-month review to ``phase`` (recorded with the user). Publishing it needs
    every cluster that scores it published; the year-end review moves with its campaign
    (clusters.services.campaign_set_phase)."""
    if period.is_year_end:
        raise ValidationError(_("The year-end review moves with its campaign's phase."))
    if phase not in SIX_MONTH_PHASES:
        raise ValidationError(_("Choose one of the review's phases."))
    if period.phase == phase:
        return period
    if phase == Phase.PUBLISHED:
        waiting = unpublished_clusters(period)
        if waiting:
            raise ValidationError(
                _("Publish every cluster's results first: %(clusters)s."),
                params={"clusters": ", ".join(waiting)},
            )
    period = Period.objects.select_for_update().get(pk=period.pk)
    period.phase = phase
    period._history_user = user
    period.full_clean()
    period.save(update_fields=["phase"])
    scoring_notices.period_phase_opened(period=period)
    return period


def unpublished_clusters(period: Period) -> list[str]:
    """The names of the clusters with sheets in ``period`` whose results of the period are
    not published (their latest publication act is not a publish)."""
    scored = set(ScoreSheet.objects.filter(period=period).values_list("cluster_id", flat=True))
    latest: dict[int, str] = {}
    for cluster_id, action in (
        Publication.objects.filter(period=period)
        .order_by("cluster_id", "at", "pk")
        .values_list("cluster_id", "action")
    ):
        latest[cluster_id] = action
    waiting = [pk for pk in scored if latest.get(pk) != Publication.Action.PUBLISH]
    return sorted(period.campaign.clusters.filter(pk__in=waiting).values_list("name", flat=True))
