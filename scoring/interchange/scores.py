"""``thidua.scores/1``: check every value with the engine, then store a cluster's scores
at one stage, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clusters.enums import PeriodKind
from clusters.models import Cluster, Period, Unit
from scoring import engine, services
from scoring.enums import CriterionKind, SheetStatus, Stage
from scoring.interchange.common import (
    FORMAT_SCORES,
    Checker,
    ScoringFileError,
    campaign_from_file,
    check_head,
    file_call,
    show,
    type_name,
)
from scoring.models import (
    BASE_CRITERION_KINDS,
    Criterion,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
    UnitTarget,
)
from scoring.periods import of_period, period_id_of, six_month_of
from scoring.services.assignments import not_assigned_to_unit, table_marks, unassigned_ids

_ENTRY_KEYS = (*services.INPUT_FIELDS, "target", "override", "reason", "comment")
_BOOLEAN_INPUTS = frozenset({"passed", "violated"})
_WHOLE_INPUTS = frozenset({"count", "numerator", "denominator"})


@dataclass
class EntryPlan:
    """The checked values for one entry; ``values`` in services.sheet_fill's names."""

    criterion: Criterion
    values: dict[str, Any]
    target: Decimal | None = None
    set_target: bool = False
    not_assigned: bool = False


@dataclass
class SheetPlan:
    """The checked entries for one unit; ``sheet`` is None when it is still to be created."""

    unit: Unit
    sheet: ScoreSheet | None
    entries: list[EntryPlan]


@dataclass
class ScoresPlan:
    """A checked ``thidua.scores/1`` document: what :func:`scores_import` stores."""

    cluster: Cluster
    stage: str
    sheets: list[SheetPlan]
    period: Period | None = None  # None: the year-end review


@dataclass
class ScoresSummary:
    """What an import of scores did."""

    cluster: Cluster
    stage: str
    sheets_created: list[str] = field(default_factory=list)
    sheets_updated: list[str] = field(default_factory=list)
    entries: int = 0
    targets: int = 0
    not_assigned: int = 0


def _where(unit: str, code: str | None = None) -> str:
    if code is None:
        return _("unit %(unit)s") % {"unit": unit}
    return _("unit %(unit)s, criterion %(code)s") % {"unit": unit, "code": code}


def _check_not_assigned(check: Checker, where: str, criterion: Criterion, raw: dict):
    """``{"not_assigned": true}``: the criterion is not assigned to the unit."""
    if not check.keys(where, raw, ("not_assigned",)):
        return None
    if raw["not_assigned"] is not True:
        check.add(
            where,
            _("not_assigned can only be true; leave it out for a criterion that applies"),
        )
        return None
    if criterion.kind not in BASE_CRITERION_KINDS:
        check.add(where, _("bonus, deduction and veto criteria always apply to every unit"))
        return None
    return EntryPlan(criterion=criterion, values={}, not_assigned=True)


def _check_entry(
    check: Checker,
    where: str,
    criterion: Criterion,
    raw: Any,
    stored: ScoreEntry | None,
    unassigned: bool = False,
) -> EntryPlan | None:
    """One entry of the file, merged with what is stored and checked by the engine.
    ``unassigned``: the criterion is not assigned to the unit (it takes no input)."""
    if isinstance(raw, dict) and "not_assigned" in raw:
        return _check_not_assigned(check, where, criterion, raw)
    if not check.keys(where, raw, (), _ENTRY_KEYS):
        return None
    if unassigned and any(key in services.INPUT_FIELDS or key == "override" for key in raw):
        check.add(
            where,
            _('is not assigned to this unit and takes no input (write {"not_assigned": true})'),
        )
        return None
    ok = True
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            values[key] = "" if key in ("reason", "comment") else None
        elif key in ("reason", "comment"):
            text = check.text(where, raw, key, required=False)
            ok = text is not None and ok
            values[key] = text
        elif key in _BOOLEAN_INPUTS:
            ok = check.boolean(where, key, value) is not None and ok
            values[key] = value
        else:
            number = check.decimal(where, key, value)
            if number is None:
                ok = False
            elif key in _WHOLE_INPUTS and number == number.to_integral_value():
                number = int(number)
            values[key] = number
    if not ok:
        return None

    # The entry as it will be: what is stored, with the file's keys laid over it.
    merged = dict.fromkeys(services.INPUT_FIELDS)
    override, reason = None, ""
    if stored is not None:
        merged = {name: getattr(stored, column) for name, column in services.INPUT_FIELDS.items()}
        override, reason = stored.override, stored.override_reason
    merged.update({k: v for k, v in values.items() if k in services.INPUT_FIELDS})
    override = values.get("override", override)
    reason = values.get("reason", reason)
    spec = services.criterion_spec(criterion, None)
    entry = engine.EntryInput(**merged, target=values.get("target"), override=override)
    errors = engine.validate_entry(spec, entry)
    for error in errors:
        check.add(where, services.input_error_message(spec, entry, error, with_code=False))
    refused = {error.field for error in errors}
    if override is not None and not (reason or "").strip():
        check.add(where, _("an override needs a written reason"))
        ok = False
    columns = {**services.INPUT_FIELDS, "override": "override", "target": None}
    for key, value in values.items():
        if key in refused or value is None or key not in columns:
            continue
        model, name = (UnitTarget, "target") if key == "target" else (ScoreEntry, columns[key])
        ok = check.field(where, key, model, name, value) and ok
    if errors or not ok:
        return None
    stored_values = {k: v for k, v in values.items() if k not in ("target", "override", "reason")}
    if "override" in values or "reason" in values:
        # sheet_fill takes an override with its reason; give both as they will be.
        stored_values["override"] = override
        stored_values["reason"] = reason if override is not None else ""
    plan = EntryPlan(criterion=criterion, values=stored_values)
    if "target" in values and criterion.kind == CriterionKind.TARGET:
        plan.target, plan.set_target = values["target"], True
    return plan


def scores_read(data: Any, *, source: str = "-", organiser: str | None = None) -> ScoresPlan:
    """Check a decoded ``thidua.scores/1`` document against the format, the cluster's
    table and the engine's validation, writing nothing. Raises :class:`ScoringFileError`
    with every problem, each naming the file, the unit and the criterion."""
    check = Checker(source)
    year = check_head(
        check, data, FORMAT_SCORES, ("year", "cluster", "stage", "sheets"), ("period",)
    )
    campaign = campaign_from_file(check, data, year, organiser)
    # The review the scores are of: the year-end review unless the file names another.
    kind = data.get("period", PeriodKind.YEAR_END)
    period, period_known = None, True
    if kind not in PeriodKind.values:
        check.add(
            "period",
            _("must be one of %(choices)s, not %(value)s")
            % {"choices": ", ".join(PeriodKind.values), "value": show(kind)},
        )
        period_known = False
    elif kind == PeriodKind.SIX_MONTH and campaign is not None:
        period = six_month_of(campaign)
        if period is None:
            check.add(
                "period",
                _("the campaign %(year)d has no six-month review") % {"year": campaign.year},
            )
            period_known = False
    stage = data.get("stage")
    if "stage" in data and stage not in Stage.values:
        check.add(
            "stage",
            _("must be one of %(choices)s, not %(value)s")
            % {"choices": ", ".join(Stage.values), "value": show(stage)},
        )
        stage = None
    cluster = None
    code = check.text("cluster", data, "cluster") if "cluster" in data else None
    if campaign is not None and code is not None:
        cluster = Cluster.objects.filter(campaign=campaign, code=code).first()
        if cluster is None:
            check.add(
                "cluster",
                _('the campaign %(year)d has no cluster with the code "%(code)s"')
                % {"year": campaign.year, "code": code},
            )
    raw_sheets = data.get("sheets", [])
    if not isinstance(raw_sheets, list):
        check.add("sheets", _("must be a list, not %(type)s") % {"type": type_name(raw_sheets)})
        raw_sheets = []
    if cluster is None or stage is None or not period_known:
        check.raise_if_any()
        raise ScoringFileError([_("%(file)s: cannot be read") % {"file": source}])

    members = {m.unit.code: m.unit for m in cluster.memberships.select_related("unit")}
    period_id = period_id_of(period)
    sheets = {
        s.unit.code: s
        for s in ScoreSheet.objects.filter(
            of_period(period_id), cluster=cluster, stage=stage
        ).select_related("unit")
    }
    locked = any(s.status == SheetStatus.LOCKED for s in sheets.values())
    stored_entries = {
        (e.sheet_id, e.criterion_id): e
        for e in ScoreEntry.objects.filter(
            of_period(period_id, "sheet__"), sheet__cluster=cluster, sheet__stage=stage
        )
    }
    current = services.table_for_cluster(cluster, period)
    criteria_of: dict[int, dict[str, Criterion]] = {}
    marks = table_marks(
        {s.table_id for s in sheets.values()} | ({current.pk} if current else set())
    )
    loaded_of: dict[int, services.TableSpec] = {}

    def unassigned_to(table: ScoreTable, unit: Unit) -> frozenset[int]:
        if not marks.get(table.pk):
            return frozenset()
        if table.pk not in loaded_of:
            loaded_of[table.pk] = services.load_table(table)
        return unassigned_ids(loaded_of[table.pk], marks[table.pk], unit.pk, unit.kind)

    def criteria(table: ScoreTable) -> dict[str, Criterion]:
        if table.pk not in criteria_of:
            criteria_of[table.pk] = {c.code: c for c in table.criteria.all()}
        return criteria_of[table.pk]

    plans: list[SheetPlan] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_sheets):
        where = f"sheets[{index}]"
        if not check.keys(where, item, ("unit", "entries")):
            continue
        unit_code = check.text(where, item, "unit")
        if unit_code is None:
            continue
        where = _where(unit_code)
        if unit_code in seen:
            check.add(where, _("the file lists this unit twice"))
            continue
        seen.add(unit_code)
        unit = members.get(unit_code)
        if unit is None:
            if Unit.objects.filter(code=unit_code).exists():
                check.add(
                    where,
                    _("is not a member of cluster %(cluster)s in %(year)d")
                    % {"cluster": cluster.code, "year": campaign.year},
                )
            else:
                check.add(where, _("no unit has this code"))
            continue
        if locked:
            check.add(
                where,
                _(
                    'the stage "%(stage)s" of cluster %(cluster)s is locked (published); its '
                    "scores cannot change"
                )
                % {"stage": stage, "cluster": cluster.code},
            )
            continue
        sheet = sheets.get(unit_code)
        table = sheet.table if sheet is not None else current
        if table is None:
            check.add(
                where,
                _("no published score table applies to cluster %(cluster)s")
                % {"cluster": cluster.code},
            )
            continue
        entries = item["entries"]
        if not isinstance(entries, dict):
            check.add(
                where,
                _("entries must be an object (criterion code: values), not %(type)s")
                % {"type": type_name(entries)},
            )
            continue
        sheet_plan = SheetPlan(unit=unit, sheet=sheet, entries=[])
        unassigned = unassigned_to(table, unit)
        for criterion_code, raw in entries.items():
            where = _where(unit_code, criterion_code)
            criterion = criteria(table).get(criterion_code)
            if criterion is None:
                check.add(
                    where,
                    _('the table "%(table)s" has no criterion with this code')
                    % {"table": str(table)},
                )
                continue
            if criterion.kind == CriterionKind.GROUP:
                check.add(where, _("is a group; enter its criteria instead"))
                continue
            stored = None
            if sheet is not None:
                stored = stored_entries.get((sheet.pk, criterion.pk))
            entry = _check_entry(
                check, where, criterion, raw, stored, unassigned=criterion.pk in unassigned
            )
            if entry is not None:
                sheet_plan.entries.append(entry)
        plans.append(sheet_plan)
    check.raise_if_any()
    return ScoresPlan(cluster=cluster, stage=stage, sheets=plans, period=period)


def scores_import(data: Any, *, source: str = "-", organiser: str | None = None) -> ScoresSummary:
    """Store a ``thidua.scores/1`` document: all of it, or nothing when any value is
    refused. Sheets are created where missing (with the cluster's published table);
    each entry takes the file's keys (keys left out keep their stored value, null clears);
    a ``target`` becomes the unit's own target; ``{"not_assigned": true}`` marks the
    criterion not assigned to the unit (for every stage; nothing is marked where a mark
    already covers it). The cluster's stage is recomputed once (and,
    when a target changed, the cluster's other unlocked stages, where it counts too)."""
    with transaction.atomic():
        plan = scores_read(data, source=source, organiser=organiser)
        check = Checker(source)
        summary = ScoresSummary(cluster=plan.cluster, stage=plan.stage)
        for sheet_plan in plan.sheets:
            unit = sheet_plan.unit
            for entry in sheet_plan.entries:
                if entry.not_assigned:
                    file_call(
                        check,
                        _where(unit.code, entry.criterion.code),
                        not_assigned_to_unit,
                        criterion=entry.criterion,
                        unit=unit,
                        reason=_("Imported from %(file)s") % {"file": source},
                    )
                    summary.not_assigned += 1
            sheet = file_call(
                check,
                _where(unit.code),
                services.sheet_get_or_create,
                cluster=plan.cluster,
                unit=unit,
                stage=plan.stage,
                period=plan.period,
            )
            (summary.sheets_updated if sheet_plan.sheet else summary.sheets_created).append(
                unit.code
            )
            values = {
                entry.criterion.code: entry.values for entry in sheet_plan.entries if entry.values
            }
            if values:
                file_call(
                    check,
                    _where(unit.code),
                    services.sheet_fill,
                    sheet=sheet,
                    values=values,
                    change_reason=_("Imported from %(file)s") % {"file": source},
                )
                summary.entries += len(values)
            for entry in sheet_plan.entries:
                if entry.set_target:
                    file_call(
                        check,
                        _where(unit.code, entry.criterion.code),
                        services.unit_target_set,
                        criterion=entry.criterion,
                        unit=unit,
                        target=entry.target,
                        recompute=False,
                    )
                    summary.targets += 1
        stages = {plan.stage}
        if summary.targets:
            # A unit's own target counts at every stage: recompute the cluster's other
            # stages too, except locked ones (which never change).
            sheets = ScoreSheet.objects.filter(
                of_period(period_id_of(plan.period)), cluster=plan.cluster
            )
            locked = set(sheets.filter(status=SheetStatus.LOCKED).values_list("stage", flat=True))
            stages |= set(sheets.values_list("stage", flat=True)) - locked
        services.recompute_scope(
            ScoreSheet.objects.filter(
                of_period(period_id_of(plan.period)),
                cluster=plan.cluster,
                stage__in=sorted(stages),
            )
        )
    return summary
