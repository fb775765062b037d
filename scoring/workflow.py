"""The year-end stages as services: starting a stage, submitting and returning sheets,
explanations, publishing a cluster's results and reopening them.

Who may call which service when is decided by scoring.permissions; these functions keep
the data consistent whoever calls them (views, the admin, commands, tests).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.enums import Phase
from clusters.models import Cluster, Period
from scoring import notices, services
from scoring.deadlines import ensure_open
from scoring.enums import SheetStatus, Stage
from scoring.models import Explanation, Publication, ScoreEntry, ScoreSheet
from scoring.periods import of_period, period_id_of
from scoring.services.recompute import lock_sheets

_COPIED_INPUTS = [*services.INPUT_FIELDS.items()]


def _save_status(sheet: ScoreSheet, user, reason: str = "", **values) -> ScoreSheet:
    for name, value in values.items():
        setattr(sheet, name, value)
    sheet.version += 1
    sheet._history_user = user
    sheet._change_reason = reason
    sheet.save(update_fields=[*values, "version", "updated_at"])
    return sheet


def _locked_for_update(sheet: ScoreSheet) -> ScoreSheet:
    return ScoreSheet.objects.select_for_update().get(pk=sheet.pk)


@transaction.atomic
def sheet_submit(*, sheet: ScoreSheet, user) -> ScoreSheet:
    """Hand in a sheet (a unit's self-assessment, or the cluster's scoring of a unit)."""
    sheet = _locked_for_update(sheet)
    if sheet.status not in (SheetStatus.DRAFT, SheetStatus.RETURNED):
        raise ValidationError(_("Only a draft or returned sheet can be submitted."))
    ensure_open(sheet, user)
    return _save_status(
        sheet, user, _("Submitted"), status=SheetStatus.SUBMITTED, submitted_at=timezone.now()
    )


@transaction.atomic
def sheet_return(*, sheet: ScoreSheet, user, comment: str) -> ScoreSheet:
    """Send a submitted sheet back to its unit for correction, saying why."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say why the sheet is returned."))
    sheet = _locked_for_update(sheet)
    if sheet.status != SheetStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted sheet can be returned."))
    sheet = _save_status(sheet, user, comment, status=SheetStatus.RETURNED, return_comment=comment)
    notices.sheet_returned(sheet=sheet, comment=comment)
    return sheet


@transaction.atomic
def explanation_write(*, entry: ScoreEntry, user, text: str) -> Explanation:
    """Record (or correct) the unit's explanation of a cluster-stage score."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the explanation."))
    if entry.sheet.stage != Stage.CLUSTER:
        raise ValidationError(_("Explanations are written on the cluster's scores."))
    ensure_open(entry.sheet, user, Phase.EXPLANATION)
    explanation = Explanation.objects.filter(entry=entry).first() or Explanation(entry=entry)
    explanation.text = text
    explanation.author = user
    explanation._history_user = user
    explanation.full_clean()
    explanation.save()
    notices.explanation_written(explanation=explanation)
    return explanation


@transaction.atomic
def stage_start(
    *, cluster: Cluster, stage: str, user=None, period: Period | None = None
) -> list[ScoreSheet]:
    """Create every member's sheet at ``stage`` of ``period`` (None: the year-end review).
    The final stage starts from the cluster's scores of the same period (the standing
    agency reviews them), copied with their overrides."""
    in_period = of_period(period_id_of(period))
    sheets = []
    for membership in cluster.memberships.select_related("unit").order_by("unit__code"):
        existed = ScoreSheet.objects.filter(
            in_period, cluster=cluster, unit=membership.unit, stage=stage
        )
        is_new = not existed.exists()
        sheet = services.sheet_get_or_create(
            cluster=cluster, unit=membership.unit, stage=stage, period=period
        )
        sheets.append(sheet)
        if not is_new or stage != Stage.FINAL:
            continue
        source = ScoreSheet.objects.filter(
            in_period, cluster=cluster, unit=membership.unit, stage=Stage.CLUSTER
        ).first()
        if source is None:
            continue
        values = {}
        for entry in source.entries.select_related("criterion"):
            data = {name: getattr(entry, field) for name, field in _COPIED_INPUTS}
            data = {k: v for k, v in data.items() if v is not None}
            if entry.override is not None:
                data.update(override=entry.override, reason=entry.override_reason)
            if data:
                values[entry.criterion.code] = data
        services.sheet_fill(
            sheet=sheet,
            values=values,
            user=user,
            change_reason=_("Copied from the cluster's scores"),
        )
    services.recompute_scope(ScoreSheet.objects.filter(in_period, cluster=cluster, stage=stage))
    return sheets


def is_published(cluster: Cluster, period: Period | None = None) -> bool:
    """A cluster's results of ``period`` (None: the year-end review) are published when
    the period's latest publication act is a publish."""
    acts = cluster.publications.filter(of_period(period_id_of(period)))
    last = acts.order_by("-at", "-pk").first()
    return last is not None and last.action == Publication.Action.PUBLISH


@transaction.atomic
def cluster_publish(*, cluster: Cluster, user, period: Period | None = None) -> Publication:
    """Lock the cluster's final-stage sheets of ``period`` (None: the year-end review):
    they become that period's official results."""
    sheets = lock_sheets(cluster.pk, Stage.FINAL, period_id=period_id_of(period), related=("unit",))
    if not sheets:
        raise ValidationError(_("The final review has not started for this cluster."))
    if is_published(cluster, period):
        raise ValidationError(_("This cluster's results are already published."))
    incomplete = [str(s.unit) for s in sheets if not s.complete]
    if incomplete:
        raise ValidationError(
            _("These units' sheets are incomplete: %(units)s."),
            params={"units": ", ".join(incomplete)},
        )
    for sheet in sheets:
        _save_status(sheet, user, _("Published"), status=SheetStatus.LOCKED)
    publication = Publication(
        cluster=cluster,
        period_id=sheets[0].period_id,
        action=Publication.Action.PUBLISH,
        user=user,
    )
    publication.full_clean()
    publication.save()
    notices.results_published(cluster=cluster, publication=publication, period=period)
    return publication


@transaction.atomic
def cluster_reopen(
    *, cluster: Cluster, user, reason: str, period: Period | None = None
) -> Publication:
    """Unlock a published cluster's final sheets of ``period`` (None: the year-end review;
    administrators only, with a reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Reopening needs a written reason."))
    if not is_published(cluster, period):
        raise ValidationError(_("This cluster's results are not published."))
    sheets = lock_sheets(cluster.pk, Stage.FINAL, period_id=period_id_of(period))
    for sheet in sheets:
        _save_status(sheet, user, reason, status=SheetStatus.DRAFT)
    publication = Publication(
        cluster=cluster,
        period_id=sheets[0].period_id if sheets else (period.pk if period else None),
        action=Publication.Action.REOPEN,
        user=user,
        reason=reason,
    )
    publication.full_clean()
    publication.save()
    return publication
