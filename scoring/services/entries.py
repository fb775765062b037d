"""Sheets and their entries: creating sheets, storing inputs (one or many), evidence."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from clusters.images import clean_field_upload
from clusters.models import Activity, AdvancedModel, Cluster, Period, Unit
from scoring.deadlines import ensure_open
from scoring.enums import CriterionKind, SheetStatus
from scoring.models import Evidence, ScoreEntry, ScoreSheet, ScoreTable
from scoring.periods import of_period, period_id_of
from scoring.services.assignments import sheet_unassigned
from scoring.services.baselines import fill_carried_baseline
from scoring.services.change import entry_change
from scoring.services.recompute import (
    lock_sheets,
    recompute_ranks,
    recompute_sheets,
)
from scoring.services.specs import (
    INPUT_FIELDS,
    SheetLocked,
    _input_errors,
    criterion_spec,
    entry_input,
)

# The model fields that hold an entry's inputs, by the engine's EntryInput field name.
from scoring.services.tables import table_for_cluster

# --- Sheets ---------------------------------------------------------------------------


@transaction.atomic
def sheet_get_or_create(
    *,
    cluster: Cluster,
    unit: Unit,
    stage: str,
    table: ScoreTable | None = None,
    period: Period | None = None,
) -> ScoreSheet:
    """The unit's sheet at ``stage`` of ``period`` (None: the year-end review), created
    with one empty entry per leaf criterion, on the period's table."""
    period_id = period_id_of(period)
    lock_sheets(cluster.pk, stage, period_id=period_id)  # first, as every scoring write does
    sheet = ScoreSheet.objects.filter(
        of_period(period_id), cluster=cluster, unit=unit, stage=stage
    ).first()
    if sheet is not None:
        return sheet
    table = table or table_for_cluster(cluster, period)
    if table is None:
        raise ValidationError(
            _("No published score table applies to %(cluster)s."), params={"cluster": cluster}
        )
    if not cluster.memberships.filter(unit=unit).exists():
        raise ValidationError(
            _("%(unit)s is not a member of %(cluster)s."), params={"unit": unit, "cluster": cluster}
        )
    sheet = ScoreSheet(table=table, cluster=cluster, unit=unit, stage=stage)
    sheet.full_clean()
    sheet.save()
    leaves = table.criteria.exclude(kind=CriterionKind.GROUP).values_list("pk", flat=True)
    unassigned = sheet_unassigned(table=table, unit=unit)
    ScoreEntry.objects.bulk_create(
        ScoreEntry(sheet=sheet, criterion_id=pk, not_assigned=pk in unassigned) for pk in leaves
    )
    recompute_sheets([sheet.pk])
    recompute_ranks(cluster=cluster, stage=stage, period_id=sheet.period_id)
    return sheet


def entry_update(
    *,
    entry: ScoreEntry,
    user=None,
    values: Mapping[str, object],
    expected_version: int | None = None,
    recompute: bool = True,
    change_reason: str = "",
) -> ScoreEntry:
    """Store new inputs for one entry and recompute what they affect.

    ``values`` uses the engine's names (points, passed, count, actual, numerator,
    denominator, baseline, violated, override) plus ``reason`` (for an override) and
    ``comment``; keys left out keep their value. A bad input is refused with a message that
    names the criterion, and nothing is stored. With ``expected_version``, a save based on
    an older version is refused (StaleEntry) instead of overwriting someone else's change.
    The change is recorded in the entry's history with ``user`` and ``change_reason`` (the
    override's reason when there is one). The work is ``entry_change``'s (which also says
    what the change moved, for a cell save's answer).
    """
    return entry_change(
        entry=entry,
        user=user,
        values=values,
        expected_version=expected_version,
        recompute=recompute,
        change_reason=change_reason,
    ).entry


@transaction.atomic
def sheet_fill(
    *,
    sheet: ScoreSheet,
    values: Mapping[str, Mapping[str, object]],
    user=None,
    change_reason: str = "",
) -> list[ScoreEntry]:
    """Store many entries of one sheet at once (imports, the demo), by criterion code.
    An entry not assigned to the unit takes no input (refused like a bad value).

    Every value is validated first and every problem reported together (each naming its
    criterion); nothing is stored unless all are valid. Points are not recomputed here:
    the caller runs ``recompute_scope`` once for everything it filled.
    """
    # first, as every scoring write does
    lock_sheets(sheet.cluster_id, sheet.stage, period_id=sheet.period_id)
    if sheet.status == SheetStatus.LOCKED:
        raise SheetLocked(_("This sheet is locked; its scores cannot change."), code="locked")
    ensure_open(sheet, user)
    # Only the entries are locked, never the criteria joined to them.
    entries = {
        e.criterion.code: e
        for e in sheet.entries.select_related("criterion").select_for_update(of=("self",))
    }
    errors: list[str] = []
    changed: list[ScoreEntry] = []
    for code, data in values.items():
        entry = entries.get(code)
        if entry is None:
            errors.append(_("%(code)s: no such criterion to score in this table.") % {"code": code})
            continue
        if entry.not_assigned:
            errors.append(
                _("%(code)s is not assigned to this unit; it takes no input.") % {"code": code}
            )
            continue
        for name, field in INPUT_FIELDS.items():
            if name in data:
                setattr(entry, field, data[name])
        if "override" in data:
            entry.override = data["override"]
            entry.override_reason = str(data.get("reason") or "")
        if "comment" in data:
            entry.comment = str(data["comment"] or "")
        fill_carried_baseline(entry, sheet.unit_id)
        if entry.override is not None and not entry.override_reason.strip():
            errors.append(_("%(code)s: an override needs a written reason.") % {"code": code})
        errors += _input_errors(criterion_spec(entry.criterion, None), entry_input(entry))
        entry.version += 1
        entry.updated_by = user if user is not None and user.is_authenticated else None
        changed.append(entry)
    if errors:
        raise ValidationError(errors)
    fields = [
        *INPUT_FIELDS.values(),
        "override",
        "override_reason",
        "comment",
        "version",
        "updated_by",
        "updated_at",
    ]
    now = timezone.now()
    for entry in changed:
        entry.updated_at = now
    bulk_update_with_history(
        changed,
        ScoreEntry,
        fields,
        default_user=user if user is not None and user.is_authenticated else None,
        default_change_reason=change_reason,
    )
    ScoreSheet.objects.filter(pk=sheet.pk).update(version=F("version") + 1)
    return changed


@transaction.atomic
def evidence_add(*, entry: ScoreEntry, upload, description: str = "") -> Evidence:
    """Attach a file to an entry; its type is read from its content (validate_document)
    and its size limited by settings.UPLOAD_MAX_MB. A photo is stored re-encoded, without
    its metadata (GPS location included), at most 2,000 px (clusters.images)."""
    if upload is None:
        raise ValidationError(_("Choose a file to upload."))
    evidence = Evidence(entry=entry, file=upload, description=(description or "").strip()[:255])
    evidence.full_clean()
    clean_field_upload(evidence, "file")
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence) -> None:
    """Remove a file attached by mistake, and its stored copy."""
    evidence.delete()
    # Only once the row is gone (and the transaction commits) is the file removed.
    transaction.on_commit(lambda: evidence.file.delete(save=False))


def citable_activities(sheet: ScoreSheet):
    """The exchange activities of the sheet's campaign that its unit hosted or took part in."""
    unit_id = sheet.unit_id
    took_part = Activity.participants.through.objects.filter(unit_id=unit_id)
    return Activity.objects.filter(campaign_id=sheet.cluster.campaign_id).filter(
        Q(host_id=unit_id) | Q(pk__in=took_part.values("activity_id"))
    )


def citable_models(sheet: ScoreSheet):
    """The models and advanced examples of the sheet's unit, or replicated by it."""
    unit_id = sheet.unit_id
    replicated = AdvancedModel.replicated_by.through.objects.filter(unit_id=unit_id)
    return AdvancedModel.objects.filter(
        Q(unit_id=unit_id) | Q(pk__in=replicated.values("advancedmodel_id"))
    )


@transaction.atomic
def evidence_cite(
    *,
    entry: ScoreEntry,
    activity: Activity | None = None,
    advanced_model: AdvancedModel | None = None,
    description: str = "",
) -> Evidence:
    """Cite an exchange activity the entry's unit hosted or took part in (in the sheet's
    campaign), or a model of the unit or replicated by it, as evidence; no file is needed.
    Without a description the cited item's title (and date) names it on the sheet."""
    if activity is None and advanced_model is None:
        raise ValidationError(_("Choose an exchange activity or a model to cite."))
    sheet = entry.sheet
    if activity is not None and not citable_activities(sheet).filter(pk=activity.pk).exists():
        raise ValidationError(_("The unit neither hosted nor took part in this activity."))
    if (
        advanced_model is not None
        and not citable_models(sheet).filter(pk=advanced_model.pk).exists()
    ):
        raise ValidationError(_("This model is neither the unit's nor replicated by it."))
    description = (description or "").strip()
    if not description:
        description = str(activity) if activity is not None else advanced_model.title
    evidence = Evidence(
        entry=entry,
        activity=activity,
        advanced_model=advanced_model,
        description=description[:255],
    )
    evidence.full_clean()
    evidence.save()
    return evidence
