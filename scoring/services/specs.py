"""Turning rows into the engine's values, the input fields, and the refusals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy

from scoring import engine
from scoring.enums import TableStatus
from scoring.models import Criterion, ScoreEntry, ScoreTable, UnitTarget

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
    """The table as the engine sees it, read in one query."""
    criteria = list(table.criteria.order_by("position", "pk"))
    codes = {c.pk: c.code for c in criteria}
    specs = {c.pk: criterion_spec(c, codes.get(c.parent_id)) for c in criteria}
    return TableSpec(table=table, criteria=criteria, specs=specs, bands=table_bands(table))


# Published tables are frozen (TableFrozen; the editor and the admin refuse them): their
# TableSpec is kept for the life of the process, so a cell save or a grid page does not
# read and rebuild 160 criteria every time (docs/performance.md). Keyed by id, checked
# against what identifies the published version (publication time, revision, bands, bonus
# cap); a save or delete of the table or one of its criteria drops the entry (signals
# below). Only the hot paths use it (table_spec); everything else reads with load_table.
_PUBLISHED_SPECS: dict[int, tuple[tuple, TableSpec]] = {}
_PUBLISHED_SPECS_MAX = 64


def _spec_key(table: ScoreTable) -> tuple | None:
    if table.status != TableStatus.PUBLISHED or table.published_at is None:
        return None
    return (
        table.published_at,
        table.created_at,
        getattr(table, "revision", None),
        table.bonus_cap,
        repr(table.bands),
    )


def table_spec(table: ScoreTable) -> TableSpec:
    """load_table(), with no query for a published table this process has loaded already.
    The criteria are shared between requests: read them, never change them."""
    key = _spec_key(table)
    if key is None:
        return load_table(table)
    hit = _PUBLISHED_SPECS.get(table.pk)
    if hit is not None and hit[0] == key:
        return hit[1]
    loaded = load_table(table)
    if len(_PUBLISHED_SPECS) >= _PUBLISHED_SPECS_MAX:
        _PUBLISHED_SPECS.pop(next(iter(_PUBLISHED_SPECS)), None)
    _PUBLISHED_SPECS[table.pk] = (key, loaded)
    return loaded


def forget_table(table_id: int | None) -> None:
    """Drop a table's kept TableSpec (its row or a criterion was saved or deleted)."""
    _PUBLISHED_SPECS.pop(table_id, None)


@receiver([post_save, post_delete], sender=ScoreTable, dispatch_uid="scoring_forget_table")
def _table_changed(sender, instance: ScoreTable, **kwargs) -> None:
    forget_table(instance.pk)


@receiver([post_save, post_delete], sender=Criterion, dispatch_uid="scoring_forget_criterion")
def _criterion_changed(sender, instance: Criterion, **kwargs) -> None:
    forget_table(instance.table_id)


def entry_input(entry: ScoreEntry, target: Decimal | None = None) -> engine.EntryInput:
    values = {name: getattr(entry, field) for name, field in INPUT_FIELDS.items()}
    return engine.EntryInput(**values, target=target, override=entry.override)


def _targets(
    criterion_ids: Iterable[int], unit_ids: Iterable[int]
) -> dict[tuple[int, int], Decimal]:
    rows = (
        UnitTarget.objects.filter(criterion_id__in=list(criterion_ids), unit_id__in=list(unit_ids))
        .order_by()
        .values_list("criterion_id", "unit_id", "target")
    )
    # Unordered: the default ordering (criterion, unit code) joins two tables to sort rows
    # that only fill a dict.
    return {(c, u): t for c, u, t in rows}


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
