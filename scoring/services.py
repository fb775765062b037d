"""Writes to score tables and sheets, and the one place computed numbers are stored.

Every figure a sheet shows (an entry's points, the sheet's base, bonus, deduction, total,
band, completeness, rank and leading mark) is computed by scoring.engine and stored here:
``recompute_after_change`` for one changed entry (it recomputes only what that change
affects), ``recompute_scope`` for whole clusters or campaigns. Forms, imports, commands and
the demo all call these services.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from clusters.models import Campaign, Cluster, Unit
from scoring import engine
from scoring.enums import CriterionKind, Method, SheetStatus, TableStatus
from scoring.models import Criterion, Evidence, ScoreEntry, ScoreSheet, ScoreTable, UnitTarget

# The model fields that hold an entry's inputs, by the engine's EntryInput field name.
INPUT_FIELDS = {
    "points": "input_points",
    "passed": "passed",
    "count": "count",
    "actual": "actual",
    "numerator": "numerator",
    "denominator": "denominator",
    "baseline": "baseline",
    "violated": "violated",
}


class TableNotPublishable(ValidationError):
    """A table that cannot be published; ``messages`` lists every problem."""


class TableFrozen(ValidationError):
    """A published table cannot change; make a new version instead."""


class SheetLocked(ValidationError):
    """The sheet is locked (published) and cannot change."""


class StaleEntry(ValidationError):
    """Someone else saved the entry first; ``current`` is the newer entry."""

    def __init__(self, message: str, current: ScoreEntry) -> None:
        super().__init__(message, code="stale")
        self.current = current


# --- From rows to the engine's values ------------------------------------------------


def criterion_spec(criterion: Criterion, parent_code: str | None) -> engine.CriterionSpec:
    return engine.CriterionSpec(
        code=criterion.code,
        kind=criterion.kind,
        max_points=criterion.max_points,
        parent=parent_code,
        per_item=criterion.per_item,
        metric=criterion.metric or None,
        direction=criterion.direction,
        method=criterion.method or None,
        target=criterion.target,
        deduct=criterion.deduct,
        max_band=criterion.max_band or None,
        excludes_leading=criterion.excludes_leading,
    )


@dataclass(frozen=True)
class TableSpec:
    """A table as the engine sees it, loaded in one query."""

    table: ScoreTable
    criteria: list[Criterion]
    specs: dict[int, engine.CriterionSpec]  # by criterion id
    bands: list[engine.Band]

    @property
    def spec_list(self) -> list[engine.CriterionSpec]:
        return [self.specs[c.pk] for c in self.criteria]


def table_bands(table: ScoreTable) -> list[engine.Band]:
    return [engine.Band(label=b["label"], min=Decimal(str(b["min"]))) for b in table.bands or []]


def load_table(table: ScoreTable) -> TableSpec:
    criteria = list(table.criteria.order_by("position", "pk"))
    codes = {c.pk: c.code for c in criteria}
    specs = {c.pk: criterion_spec(c, codes.get(c.parent_id)) for c in criteria}
    return TableSpec(table=table, criteria=criteria, specs=specs, bands=table_bands(table))


def entry_input(entry: ScoreEntry, target: Decimal | None = None) -> engine.EntryInput:
    values = {name: getattr(entry, field) for name, field in INPUT_FIELDS.items()}
    return engine.EntryInput(**values, target=target, override=entry.override)


def _targets(
    criterion_ids: Iterable[int], unit_ids: Iterable[int]
) -> dict[tuple[int, int], Decimal]:
    rows = UnitTarget.objects.filter(
        criterion_id__in=list(criterion_ids), unit_id__in=list(unit_ids)
    ).values_list("criterion_id", "unit_id", "target")
    return {(c, u): t for c, u, t in rows}


# --- Score tables -----------------------------------------------------------------------


def _ensure_draft(table: ScoreTable) -> None:
    if table.status != TableStatus.DRAFT:
        raise TableFrozen(
            _("The table %(table)s is published and frozen; make a new version to change it."),
            params={"table": str(table)},
        )


@transaction.atomic
def table_renumber(*, table: ScoreTable) -> None:
    """Set every criterion's reading position and depth from the tree (pre-order)."""
    criteria = list(table.criteria.order_by("order", "pk"))
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    for criterion in criteria:
        children[criterion.parent_id].append(criterion)
    position = 0
    stack: list[tuple[Criterion, int]] = [(c, 0) for c in reversed(children[None])]
    while stack:
        criterion, depth = stack.pop()
        criterion.position, criterion.depth = position, depth
        position += 1
        stack.extend((c, depth + 1) for c in reversed(children[criterion.pk]))
    Criterion.objects.bulk_update(criteria, ["position", "depth"])


def table_problems(table: ScoreTable) -> list[str]:
    """Every reason the table cannot be published (empty when it can)."""
    loaded = load_table(table)
    problems = engine.check_table(loaded.spec_list, loaded.bands, table.bonus_cap)
    if not loaded.criteria:
        problems.insert(0, _("The table has no criteria."))
    return problems


@transaction.atomic
def table_publish(*, table: ScoreTable) -> ScoreTable:
    """Check the table and publish (freeze) it; refuse with every problem at once."""
    _ensure_draft(table)
    problems = table_problems(table)
    if problems:
        raise TableNotPublishable(problems)
    table.status = TableStatus.PUBLISHED
    table.published_at = timezone.now()
    table.full_clean()
    table.save(update_fields=["status", "published_at"])
    return table


@transaction.atomic
def table_new_version(*, table: ScoreTable) -> ScoreTable:
    """A draft copy of ``table`` (criteria, unit targets, clusters) as its next version."""
    latest = (
        ScoreTable.objects.filter(campaign=table.campaign, title=table.title)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    copy = ScoreTable(
        campaign=table.campaign,
        title=table.title,
        version=(latest or table.version) + 1,
        previous=table,
        bands=table.bands,
        bonus_cap=table.bonus_cap,
    )
    copy.full_clean()
    copy.save()
    copy.clusters.set(table.clusters.all())
    old = list(table.criteria.order_by("position", "pk"))
    new_by_old: dict[int, Criterion] = {}
    for criterion in old:  # pre-order: parents come before their children
        new_by_old[criterion.pk] = Criterion.objects.create(
            table=copy,
            parent=new_by_old.get(criterion.parent_id),
            **{
                f.name: getattr(criterion, f.name)
                for f in Criterion._meta.concrete_fields
                if f.name not in {"id", "table", "parent"}
            },
        )
    UnitTarget.objects.bulk_create(
        UnitTarget(criterion=new_by_old[t.criterion_id], unit_id=t.unit_id, target=t.target)
        for t in UnitTarget.objects.filter(criterion__table=table)
    )
    return copy


def table_for_cluster(cluster: Cluster) -> ScoreTable | None:
    """The newest published table that applies to ``cluster``."""
    return (
        ScoreTable.objects.filter(clusters=cluster, status=TableStatus.PUBLISHED)
        .order_by("-version", "-published_at")
        .first()
    )


@dataclass(frozen=True)
class CriterionData:
    """One criterion of a tree to store (imports build these), children in order."""

    code: str
    title: str
    kind: str
    guidance: str = ""
    max_points: Decimal = Decimal(0)
    per_item: Decimal | None = None
    metric: str = ""
    direction: str = "higher"
    method: str = ""
    target: Decimal | None = None
    deduct: Decimal = Decimal(0)
    max_band: str = ""
    excludes_leading: bool = True
    children: tuple[CriterionData, ...] = ()


def _tree_store(
    table: ScoreTable,
    *,
    criteria: Iterable[CriterionData],
    clusters: Iterable[Cluster],
    bands: list[dict],
    bonus_cap: Decimal | None,
) -> None:
    table.bands = list(bands)
    table.bonus_cap = bonus_cap
    table.full_clean()
    table.save()
    table.clusters.set(list(clusters))

    def store(items: Iterable[CriterionData], parent: Criterion | None) -> None:
        for order, item in enumerate(items, start=1):
            criterion = Criterion(
                table=table,
                parent=parent,
                order=order,
                **{k: v for k, v in item.__dict__.items() if k != "children"},
            )
            criterion.full_clean()
            criterion.save()
            store(item.children, criterion)

    store(criteria, None)
    table_renumber(table=table)


@transaction.atomic
def table_create_from_tree(
    *,
    campaign: Campaign,
    title: str,
    criteria: Iterable[CriterionData],
    clusters: Iterable[Cluster] = (),
    bands: list[dict] | None = None,
    bonus_cap: Decimal | None = None,
    previous: ScoreTable | None = None,
) -> ScoreTable:
    """A new draft table holding the tree ``criteria`` (siblings in the given order).

    With ``previous`` it is that table's next version: numbered one above the newest
    version of the title, and the units' own targets of ``previous`` carry over to the
    target criteria that keep their code.
    """
    latest = (
        ScoreTable.objects.filter(campaign=campaign, title=title)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    table = ScoreTable(campaign=campaign, title=title, version=(latest or 0) + 1, previous=previous)
    _tree_store(table, criteria=criteria, clusters=clusters, bands=bands or [], bonus_cap=bonus_cap)
    if previous is not None:
        new = {
            c.code: c for c in table.criteria.filter(kind=CriterionKind.TARGET).only("pk", "code")
        }
        UnitTarget.objects.bulk_create(
            UnitTarget(criterion=new[t.criterion.code], unit_id=t.unit_id, target=t.target)
            for t in UnitTarget.objects.filter(criterion__table=previous).select_related(
                "criterion"
            )
            if t.criterion.code in new
        )
    return table


@transaction.atomic
def table_replace_tree(
    *,
    table: ScoreTable,
    criteria: Iterable[CriterionData],
    clusters: Iterable[Cluster] = (),
    bands: list[dict] | None = None,
    bonus_cap: Decimal | None = None,
) -> ScoreTable:
    """Replace a draft table's criteria (and their unit targets), bands, bonus cap and
    clusters; refused for a published table or a draft that already has sheets."""
    _ensure_draft(table)
    if table.sheets.exists():
        raise ValidationError(
            _("The draft table %(table)s already has score sheets; its criteria cannot change."),
            params={"table": str(table)},
        )
    table.criteria.all().delete()
    _tree_store(table, criteria=criteria, clusters=clusters, bands=bands or [], bonus_cap=bonus_cap)
    return table


@transaction.atomic
def unit_target_set(
    *, criterion: Criterion, unit: Unit, target: Decimal | None, recompute: bool = True
) -> None:
    """Give ``unit`` its own target for ``criterion`` (None removes it), then recompute
    (unless ``recompute`` is false: a caller changing many recomputes once at the end)."""
    if target is None:
        UnitTarget.objects.filter(criterion=criterion, unit=unit).delete()
    else:
        obj = UnitTarget.objects.filter(criterion=criterion, unit=unit).first()
        obj = obj or UnitTarget(criterion=criterion, unit=unit)
        obj.target = target
        obj.full_clean()
        obj.save()
    if not recompute:
        return
    for entry in ScoreEntry.objects.filter(criterion=criterion, sheet__unit=unit).select_related(
        "sheet", "criterion"
    ):
        if entry.sheet.status != SheetStatus.LOCKED:
            recompute_after_change(entry)


# --- Sheets ---------------------------------------------------------------------------


@transaction.atomic
def sheet_get_or_create(
    *, cluster: Cluster, unit: Unit, stage: str, table: ScoreTable | None = None
) -> ScoreSheet:
    """The unit's sheet at ``stage``, created with one empty entry per leaf criterion."""
    sheet = ScoreSheet.objects.filter(cluster=cluster, unit=unit, stage=stage).first()
    if sheet is not None:
        return sheet
    table = table or table_for_cluster(cluster)
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
    ScoreEntry.objects.bulk_create(ScoreEntry(sheet=sheet, criterion_id=pk) for pk in leaves)
    recompute_sheets([sheet.pk])
    recompute_ranks(cluster=cluster, stage=stage)
    return sheet


FIELD_LABELS = {
    "points": gettext_lazy("points"),
    "passed": gettext_lazy("passed"),
    "count": gettext_lazy("count"),
    "actual": gettext_lazy("actual"),
    "numerator": gettext_lazy("numerator"),
    "denominator": gettext_lazy("denominator"),
    "baseline": gettext_lazy("baseline"),
    "violated": gettext_lazy("violated"),
    "target": gettext_lazy("target"),
    "override": gettext_lazy("override points"),
}
# The engine's refusals, by their stable reason, in the user's language.
_INPUT_MESSAGES = {
    "not_applicable": gettext_lazy("%(field)s does not apply to a %(kind)s criterion"),
    "not_a_number": gettext_lazy("%(field)s must be a number, not %(value)s"),
    "not_a_boolean": gettext_lazy("%(field)s must be true or false, not %(value)s"),
    "not_whole": gettext_lazy("%(field)s must be a whole number, not %(value)s"),
    "negative": gettext_lazy("%(field)s must not be negative (%(value)s)"),
    "above_max": gettext_lazy("%(field)s %(value)s is above the maximum %(max)s"),
    "too_many_decimals": gettext_lazy("%(field)s %(value)s has more than 2 decimals"),
    "numerator_above_denominator": gettext_lazy(
        "numerator %(numerator)s must not exceed denominator %(denominator)s"
    ),
    "missing": gettext_lazy("%(field)s is missing: this criterion's inputs go together"),
}


def _shown(value: object) -> str:
    return "null" if value is None else str(value)


def input_error_message(
    spec: engine.CriterionSpec,
    data: engine.EntryInput,
    error: engine.InputError,
    *,
    with_code: bool = True,
) -> str:
    """The engine's refusal in the user's language (the engine itself has no gettext);
    ``with_code`` puts the criterion's code first, for messages shown out of context."""
    template = _INPUT_MESSAGES.get(error.reason)
    if template is None:
        message = error.message
    else:
        field = error.field or ""
        message = str(template) % {
            "field": FIELD_LABELS.get(field, field),
            "value": _shown(getattr(data, field, None) if field else None),
            "kind": spec.kind,
            "max": spec.max_points,
            "numerator": _shown(data.numerator),
            "denominator": _shown(data.denominator),
        }
    return f"{error.code}: {message}" if with_code else message


def _input_errors(spec: engine.CriterionSpec, data: engine.EntryInput) -> list[str]:
    return [input_error_message(spec, data, e) for e in engine.validate_entry(spec, data)]


@transaction.atomic
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
    override's reason when there is one).
    """
    entry = (
        ScoreEntry.objects.select_for_update().select_related("sheet", "criterion").get(pk=entry.pk)
    )
    if entry.sheet.status == SheetStatus.LOCKED:
        raise SheetLocked(_("This sheet is locked; its scores cannot change."), code="locked")
    if expected_version is not None and expected_version != entry.version:
        raise StaleEntry(
            _("Someone else changed this score first; the newer value is shown."), current=entry
        )
    for name, field in INPUT_FIELDS.items():
        if name in values:
            setattr(entry, field, values[name])
    if "override" in values:
        entry.override = values["override"]
    if "reason" in values:
        entry.override_reason = str(values["reason"] or "")
    if "comment" in values:
        entry.comment = str(values["comment"] or "")
    if entry.override is None:
        entry.override_reason = ""
    elif not entry.override_reason.strip():
        raise ValidationError(
            _("%(code)s: an override needs a written reason."),
            params={"code": entry.criterion.code},
        )
    spec = criterion_spec(entry.criterion, None)  # a leaf's rules do not need its parent
    unit_id = entry.sheet.unit_id
    target = _targets([entry.criterion_id], [unit_id]).get((entry.criterion_id, unit_id))
    data = entry_input(entry, target)
    errors = _input_errors(spec, data)
    if errors:
        raise ValidationError(errors)
    if entry.criterion.method != Method.RELATIVE:
        # Stored now so the history row holds the points this change gave.
        entry.points = engine.leaf_points(spec, data)
    # The row is locked (select_for_update), so a plain increment is safe.
    entry.version += 1
    entry.updated_by = user if user is not None and user.is_authenticated else None
    entry._history_user = entry.updated_by
    entry._change_reason = change_reason or entry.override_reason
    entry.save()
    ScoreSheet.objects.filter(pk=entry.sheet_id).update(version=F("version") + 1)
    if recompute:
        recompute_after_change(entry)
    return entry


@transaction.atomic
def sheet_fill(
    *,
    sheet: ScoreSheet,
    values: Mapping[str, Mapping[str, object]],
    user=None,
    change_reason: str = "",
) -> list[ScoreEntry]:
    """Store many entries of one sheet at once (imports, the demo), by criterion code.

    Every value is validated first and every problem reported together (each naming its
    criterion); nothing is stored unless all are valid. Points are not recomputed here:
    the caller runs ``recompute_scope`` once for everything it filled.
    """
    if sheet.status == SheetStatus.LOCKED:
        raise SheetLocked(_("This sheet is locked; its scores cannot change."), code="locked")
    entries = {
        e.criterion.code: e for e in sheet.entries.select_related("criterion").select_for_update()
    }
    errors: list[str] = []
    changed: list[ScoreEntry] = []
    for code, data in values.items():
        entry = entries.get(code)
        if entry is None:
            errors.append(_("%(code)s: no such criterion to score in this table.") % {"code": code})
            continue
        for name, field in INPUT_FIELDS.items():
            if name in data:
                setattr(entry, field, data[name])
        if "override" in data:
            entry.override = data["override"]
            entry.override_reason = str(data.get("reason") or "")
        if "comment" in data:
            entry.comment = str(data["comment"] or "")
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
    and its size limited by settings.UPLOAD_MAX_MB."""
    if upload is None:
        raise ValidationError(_("Choose a file to upload."))
    evidence = Evidence(entry=entry, file=upload, description=(description or "").strip()[:255])
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence) -> None:
    """Remove a file attached by mistake, and its stored copy."""
    evidence.delete()
    # Only once the row is gone (and the transaction commits) is the file removed.
    transaction.on_commit(lambda: evidence.file.delete(save=False))


# --- Recomputing -------------------------------------------------------------------------


def _cluster_entries(cluster_id: int, stage: str, criterion_id: int) -> QuerySet[ScoreEntry]:
    return ScoreEntry.objects.filter(
        sheet__cluster_id=cluster_id, sheet__stage=stage, criterion_id=criterion_id
    ).select_related("sheet")


def recompute_criterion(*, criterion: Criterion, cluster_id: int, stage: str) -> list[int]:
    """Recompute one criterion's points on every sheet of a cluster at a stage (needed for
    the relative method); returns the ids of the sheets whose points changed."""
    entries = list(_cluster_entries(cluster_id, stage, criterion.pk))
    targets = _targets([criterion.pk], [e.sheet.unit_id for e in entries])
    spec = criterion_spec(criterion, None)
    inputs = {e.pk: entry_input(e, targets.get((criterion.pk, e.sheet.unit_id))) for e in entries}
    points = engine.points_for_cluster(spec, inputs)
    changed = []
    for entry in entries:
        if entry.points != points[entry.pk]:
            entry.points = points[entry.pk]
            changed.append(entry)
    ScoreEntry.objects.bulk_update(changed, ["points"])
    return sorted({e.sheet_id for e in changed})


def recompute_after_change(entry: ScoreEntry) -> None:
    """Recompute what a change to ``entry`` affects, and only that: the entry (or, for a
    relative-method criterion, that criterion across the cluster and stage), the figures
    of the sheets whose points changed, and the cluster's ranks at that stage."""
    sheet = entry.sheet
    criterion = entry.criterion
    if criterion.method == Method.RELATIVE:
        changed = recompute_criterion(
            criterion=criterion, cluster_id=sheet.cluster_id, stage=sheet.stage
        )
        changed = sorted({*changed, sheet.pk})
    else:
        target = _targets([criterion.pk], [sheet.unit_id]).get((criterion.pk, sheet.unit_id))
        points = engine.leaf_points(criterion_spec(criterion, None), entry_input(entry, target))
        if points != entry.points:
            entry.points = points
            ScoreEntry.objects.filter(pk=entry.pk).update(points=points)
        changed = [sheet.pk]
    if recompute_sheets(changed):
        recompute_ranks(cluster=sheet.cluster_id, stage=sheet.stage)


_FIGURES = ["base", "bonus", "deduction", "total", "band", "complete", "excluded_from_leading"]


def recompute_sheets(sheet_ids: Iterable[int], tables: dict[int, TableSpec] | None = None) -> int:
    """Recompute and store the figures of the given sheets from their entries' points.
    Returns how many sheets' figures changed."""
    sheets = list(ScoreSheet.objects.filter(pk__in=list(sheet_ids)).select_related("table"))
    if not sheets:
        return 0
    tables = tables if tables is not None else {}
    for sheet in sheets:
        if sheet.table_id not in tables:
            tables[sheet.table_id] = load_table(sheet.table)
    by_sheet: dict[int, list[tuple[int, Decimal | None, bool | None]]] = defaultdict(list)
    rows = ScoreEntry.objects.filter(sheet_id__in=[s.pk for s in sheets]).values_list(
        "sheet_id", "criterion_id", "points", "violated"
    )
    for sheet_id, criterion_id, points, violated in rows:
        by_sheet[sheet_id].append((criterion_id, points, violated))
    changed = []
    for sheet in sheets:
        loaded = tables[sheet.table_id]
        points: dict[str, Decimal | None] = {}
        violated: dict[str, bool] = {}
        for criterion_id, value, is_violated in by_sheet[sheet.pk]:
            code = loaded.specs[criterion_id].code
            points[code] = value
            if loaded.specs[criterion_id].kind == CriterionKind.VETO:
                violated[code] = bool(is_violated)
        figures = engine.sheet_figures(
            loaded.spec_list, points, violated, loaded.bands, loaded.table.bonus_cap
        )
        new = {
            "base": figures.base,
            "bonus": figures.bonus,
            "deduction": figures.deduction,
            "total": figures.total,
            "band": figures.band or "",
            "complete": figures.complete,
            "excluded_from_leading": figures.excluded_from_leading,
        }
        if any(getattr(sheet, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(sheet, name, value)
            changed.append(sheet)
    ScoreSheet.objects.bulk_update(changed, _FIGURES)
    return len(changed)


def recompute_ranks(*, cluster: Cluster | int, stage: str) -> None:
    """Rank the sheets of a cluster at a stage in one pass over one query, and mark the
    leading unit(s)."""
    cluster_id = cluster if isinstance(cluster, int) else cluster.pk
    sheets = list(
        ScoreSheet.objects.filter(cluster_id=cluster_id, stage=stage).only(
            "pk", "total", "excluded_from_leading", "rank", "leading"
        )
    )
    results = engine.rank_cluster(
        {s.pk: engine.RankInput(s.total, s.excluded_from_leading) for s in sheets}
    )
    changed = []
    for sheet in sheets:
        result = results[sheet.pk]
        if (sheet.rank, sheet.leading) != (result.rank, result.leading):
            sheet.rank, sheet.leading = result.rank, result.leading
            changed.append(sheet)
    ScoreSheet.objects.bulk_update(changed, ["rank", "leading"])


@dataclass
class RecomputeSummary:
    sheets: int = 0
    entries_changed: int = 0
    sheets_changed: int = 0


def recompute_scope(sheets: QuerySet[ScoreSheet]) -> RecomputeSummary:
    """Recompute every entry, sheet and rank of the given sheets, cluster by cluster and
    stage by stage, with a fixed number of queries per cluster and stage."""
    summary = RecomputeSummary()
    groups = sheets.order_by().values_list("cluster_id", "stage").distinct()
    tables: dict[int, TableSpec] = {}
    for cluster_id, stage in groups:
        with transaction.atomic():
            summary.entries_changed += _recompute_group(cluster_id, stage, tables)
            ids = list(
                ScoreSheet.objects.filter(cluster_id=cluster_id, stage=stage).values_list(
                    "pk", flat=True
                )
            )
            summary.sheets += len(ids)
            summary.sheets_changed += recompute_sheets(ids, tables)
            recompute_ranks(cluster=cluster_id, stage=stage)
    return summary


# The inputs of an entry as _recompute_group reads them: plain rows, no model instances.
_ENTRY_ROW = (
    "pk",
    "criterion_id",
    "sheet__unit_id",
    "sheet__table_id",
    "points",
    "override",
    *INPUT_FIELDS.values(),
)


def _recompute_group(cluster_id: int, stage: str, tables: dict[int, TableSpec]) -> int:
    rows = list(
        ScoreEntry.objects.filter(sheet__cluster_id=cluster_id, sheet__stage=stage).values_list(
            *_ENTRY_ROW
        )
    )
    if not rows:
        return 0
    table_ids = {row[3] for row in rows}
    for table in ScoreTable.objects.filter(pk__in=table_ids - tables.keys()):
        tables[table.pk] = load_table(table)
    specs = {pk: spec for loaded in tables.values() for pk, spec in loaded.specs.items()}
    targets = _targets({row[1] for row in rows}, {row[2] for row in rows})
    names = tuple(INPUT_FIELDS)
    by_criterion: dict[int, dict[int, engine.EntryInput]] = defaultdict(dict)
    for pk, criterion_id, unit_id, _table_id, _points, override, *inputs in rows:
        by_criterion[criterion_id][pk] = engine.EntryInput(
            **dict(zip(names, inputs, strict=True)),
            target=targets.get((criterion_id, unit_id)),
            override=override,
        )
    points: dict[int, Decimal | None] = {}
    for criterion_id, inputs in by_criterion.items():
        points.update(engine.points_for_cluster(specs[criterion_id], inputs))
    changed = {row[0]: points[row[0]] for row in rows if row[4] != points[row[0]]}
    _store_points(changed)
    return len(changed)


def _store_points(points: Mapping[int, Decimal | None], batch_size: int = 2000) -> None:
    """Store entries' points (by entry id), one statement per ``batch_size`` entries.

    On PostgreSQL an UPDATE ... FROM (VALUES ...): Django's bulk_update builds a
    CASE WHEN expression per row, and in a national recompute (750,000 entries) building
    those took longer than everything else together (docs/performance.md).
    """
    if not points:
        return
    if connection.vendor != "postgresql":
        ScoreEntry.objects.bulk_update(
            [ScoreEntry(pk=pk, points=value) for pk, value in points.items()],
            ["points"],
            batch_size=batch_size,
        )
        return
    table = connection.ops.quote_name(ScoreEntry._meta.db_table)
    items = list(points.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            rows = ", ".join(["(%s, %s::numeric)"] * len(batch))
            # Only placeholders and the quoted table name go into the text; values are
            # parameters.
            cursor.execute(
                f"UPDATE {table} AS e SET points = v.points "
                f"FROM (VALUES {rows}) AS v(id, points) WHERE e.id = v.id",
                [value for pair in batch for value in pair],
            )
