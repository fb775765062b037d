"""Units' own targets (chỉ tiêu giao riêng): reading what people type, the rules a target
obeys, saving one value under an optimistic lock, and storing a block of values (a paste
or an Excel upload) all or nothing.

Every write goes through :func:`unit_target_save`: it keeps the row's ``version`` (a save
based on an older one is refused with :class:`StaleTarget`), records who changed what in
the history, and recomputes the points the target affects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from clusters.models import Membership, Unit
from scoring.enums import CriterionKind, Metric, SheetStatus
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable, UnitTarget
from scoring.services.recompute import recompute_after_change, recompute_scope

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
DECIMALS = UnitTarget._meta.get_field("target").decimal_places
WHOLE_DIGITS = UnitTarget._meta.get_field("target").max_digits - DECIMALS
PERCENT_METRICS = (Metric.RATE, Metric.REDUCTION)


class StaleTarget(Exception):
    """Someone changed the target since the value being saved was read."""

    def __init__(self, message: str, current: UnitTarget | None) -> None:
        super().__init__(message)
        self.current = current


def _params(criterion: Criterion, unit: Unit | None, text: str = "") -> dict:
    return {"code": criterion.code, "unit": unit.label if unit else "", "value": text}


def _where(criterion: Criterion, unit: Unit | None) -> str:
    return f"{criterion.code} · {unit.label}" if unit else criterion.code


def target_problem(criterion: Criterion, value: Decimal, unit: Unit | None = None) -> str | None:
    """Why ``value`` cannot be ``unit``'s target for ``criterion``, or None."""
    where = _where(criterion, unit)
    if criterion.kind != CriterionKind.TARGET:
        return _("%(where)s: this criterion takes no target.") % {"where": where}
    if value < 0:
        return _("%(where)s: a target must not be negative.") % {"where": where}
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMALS:
        return _("%(where)s: a target has at most %(n)d decimals.") % {
            "where": where,
            "n": DECIMALS,
        }
    if value >= Decimal(10) ** WHOLE_DIGITS:
        return _("%(where)s: this target is too large.") % {"where": where}
    if criterion.metric in PERCENT_METRICS and value > 100:
        return _(
            "%(where)s: this criterion is measured as a percentage; the target must be at most 100."
        ) % {"where": where}
    return None


def target_parse(
    criterion: Criterion, text: object, unit: Unit | None = None
) -> tuple[Decimal | None, str | None]:
    """Typed text → (target, None), or (None, the reason it was refused). Empty text is
    (None, None): the unit's own target is removed. A decimal comma or point is read; a
    percentage sign is accepted after a percentage (rate or reduction)."""
    raw = "" if text is None else str(text)
    cleaned = raw.strip().replace("\u00a0", "").replace(" ", "")
    if cleaned == "":
        return None, None
    if cleaned.endswith("%") and criterion.metric in PERCENT_METRICS:
        cleaned = cleaned[:-1]
    where = _where(criterion, unit)
    if not _NUMBER.match(cleaned):
        return None, _("%(where)s: the target must be a number, not “%(value)s”.") % {
            "where": where,
            "value": raw.strip(),
        }
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None, _("%(where)s: the target must be a number, not “%(value)s”.") % {
            "where": where,
            "value": raw.strip(),
        }
    problem = target_problem(criterion, value, unit)
    return (None, problem) if problem else (value, None)


def target_units(table: ScoreTable) -> list[int]:
    """The ids of the units that may hold a target of ``table``: the members of the
    clusters it applies to."""
    return list(
        Membership.objects.filter(cluster__score_tables=table)
        .values_list("unit_id", flat=True)
        .distinct()
        .order_by("unit_id")
    )


def _check_member(criterion: Criterion, unit: Unit) -> None:
    if not Membership.objects.filter(cluster__score_tables=criterion.table_id, unit=unit).exists():
        raise ValidationError(
            _("%(unit)s is not a member of a cluster this score table applies to.")
            % {"unit": unit.label}
        )


def _next_version(criterion: Criterion, unit: Unit) -> int:
    """The version of a new row: above every version the pair ever had, so a client that
    read a target since removed cannot overwrite the new one."""
    last = UnitTarget.history.filter(criterion_id=criterion.pk, unit_id=unit.pk).aggregate(
        v=Max("version")
    )["v"]
    return (last or 0) + 1


@transaction.atomic
def unit_target_save(
    *,
    criterion: Criterion,
    unit: Unit,
    target: Decimal | None,
    user=None,
    expected_version: int | None = None,
    change_reason: str = "",
    recompute: bool = True,
) -> UnitTarget | None:
    """Set ``unit``'s own target for ``criterion`` (None removes it, and the criterion's
    default target applies again).

    ``expected_version`` is the version the value was read against (0: no target then);
    when the stored one differs, :class:`StaleTarget` is raised and nothing is stored. A
    refused value raises ValidationError naming the criterion and unit. The points the
    target affects are recomputed unless ``recompute`` is false (a caller storing many
    recomputes once). Returns the stored row, or None once removed.
    """
    current = UnitTarget.objects.select_for_update().filter(criterion=criterion, unit=unit).first()
    version = current.version if current else 0
    if expected_version is not None and expected_version != version:
        raise StaleTarget(_("Someone else changed this target first."), current)
    if target is not None:
        problem = target_problem(criterion, target, unit)
        if problem:
            raise ValidationError(problem)
    if current is None and target is None:
        return None
    if current is not None and target is not None and current.target == target:
        return current
    _check_member(criterion, unit)
    if ScoreSheet.objects.filter(
        table_id=criterion.table_id, unit=unit, status=SheetStatus.LOCKED
    ).exists():
        raise ValidationError(
            _(
                "%(where)s: the results of %(unit)s are published and locked; its target "
                "cannot change."
            )
            % {"where": _where(criterion, unit), "unit": unit.label}
        )
    who = user if user is not None and user.is_authenticated else None
    if target is None:
        current._history_user = who
        current._change_reason = change_reason
        current.delete()
        stored = None
    else:
        stored = current or UnitTarget(
            criterion=criterion, unit=unit, version=_next_version(criterion, unit) - 1
        )
        stored.target = target
        stored.copied = False
        stored.version += 1
        stored.updated_by = who
        stored._history_user = who
        stored._change_reason = change_reason
        stored.full_clean()
        stored.save()
    if recompute:
        for entry in ScoreEntry.objects.filter(
            criterion=criterion, sheet__unit=unit
        ).select_related("sheet", "criterion"):
            if entry.sheet.status != SheetStatus.LOCKED:
                recompute_after_change(entry)
    return stored


@dataclass(frozen=True)
class TargetChange:
    """One value of a block to store, with the version it was read against."""

    criterion: Criterion
    unit: Unit
    target: Decimal | None
    expected_version: int | None = None


@transaction.atomic
def unit_targets_fill(
    *, table: ScoreTable, changes: Iterable[TargetChange], user=None, change_reason: str = ""
) -> int:
    """Store a block of targets of ``table`` all or nothing (a StaleTarget or
    ValidationError on any value stores none), then recompute the table's unlocked sheets
    of the units concerned once. Returns how many values were stored."""
    changes = list(changes)
    errors: list[str] = []
    for change in changes:
        if change.criterion.table_id != table.pk:
            errors.append(
                _("%(code)s is not a criterion of this score table.")
                % {"code": change.criterion.code}
            )
            continue
        try:
            unit_target_save(
                criterion=change.criterion,
                unit=change.unit,
                target=change.target,
                user=user,
                expected_version=change.expected_version,
                change_reason=change_reason,
                recompute=False,
            )
        except ValidationError as refused:
            errors.extend(refused.messages)
    if errors:
        raise ValidationError(errors)
    units = {c.unit.pk for c in changes}
    if units:
        recompute_scope(
            ScoreSheet.objects.filter(table=table, unit_id__in=units).exclude(
                status=SheetStatus.LOCKED
            )
        )
    return len(changes)
