"""Past titles kept by hand and from Excel (issue 15 point 5, docs/awards.md "Past titles"):
the years before the product, when titles were granted on paper. Every write goes through
``awards.titles.past_title_record`` (the one function that records a past title) with the
user and the reason kept in the history; a change of unit, year or title moves the record
(its history follows it), a deletion needs its reason.

Past titles written by a decision (source ``decision``) are the decision's: they change
with the decision, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from awards.enums import PastTitleSource
from awards.models import PastTitle
from awards.titles import past_title_record
from clusters.models import Unit


def _refuse_decision(past: PastTitle) -> None:
    if past.source == PastTitleSource.DECISION:
        raise ValidationError(
            _("This title was written by a decision; it changes with the decision, not here.")
        )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why (the source, or what is corrected).")})
    return reason[:100]


@transaction.atomic
def past_title_add(
    *,
    organiser: Unit,
    unit: Unit,
    year: int,
    code: str,
    name: str,
    reference: str = "",
    note: str = "",
    reason: str,
    user=None,
) -> PastTitle:
    """Record by hand that ``unit`` held ``code`` in ``year``; refused when it is recorded
    already (correct that record instead)."""
    reason = _reason(reason)
    if PastTitle.objects.filter(unit=unit, year=year, code=code).exists():
        raise ValidationError(
            _("%(unit)s already holds this title for %(year)s; correct that record instead.")
            % {"unit": unit.name, "year": year}
        )
    return past_title_record(
        organiser=organiser,
        unit=unit,
        year=year,
        code=code,
        name=name,
        source=PastTitleSource.ENTERED,
        reference=reference,
        note=note,
        reason=reason,
        user=user,
    )


@transaction.atomic
def past_title_change(
    *,
    past: PastTitle,
    unit: Unit,
    year: int,
    code: str,
    name: str,
    reference: str = "",
    note: str = "",
    reason: str,
    user=None,
) -> PastTitle:
    """Correct a past title kept by hand or imported: its unit, year, title, source and
    note; the history keeps every version with who and why."""
    reason = _reason(reason)
    past = PastTitle.objects.select_for_update().get(pk=past.pk)
    _refuse_decision(past)
    if (past.unit_id, past.year, past.code) != (unit.pk, year, code):
        if PastTitle.objects.filter(unit=unit, year=year, code=code).exclude(pk=past.pk).exists():
            raise ValidationError(
                _("%(unit)s already holds this title for %(year)s.")
                % {"unit": unit.name, "year": year}
            )
        # Moved first, so that past_title_record finds it under its new key.
        PastTitle.objects.filter(pk=past.pk).update(unit=unit, year=year, code=code)
    return past_title_record(
        organiser=past.organiser,
        unit=unit,
        year=year,
        code=code,
        name=name,
        source=past.source,
        reference=reference,
        note=note,
        reason=reason,
        user=user,
    )


@transaction.atomic
def past_title_delete(*, past: PastTitle, reason: str, user=None) -> None:
    """Delete a past title kept by hand or imported, with the reason in its history."""
    reason = _reason(reason)
    past = PastTitle.objects.select_for_update().get(pk=past.pk)
    _refuse_decision(past)
    past._history_user = user
    past._change_reason = reason
    past.delete()


@dataclass(frozen=True)
class PastTitleRow:
    """One past title to import: a unit, a year, a title (code and name), the source or
    decision number, a note."""

    unit: Unit
    year: int
    code: str
    name: str
    reference: str = ""
    note: str = ""


@transaction.atomic
def past_titles_import(
    *, organiser: Unit, rows: list[PastTitleRow], file_name: str = "", user=None
) -> list[PastTitle]:
    """Record every row as an imported past title of ``organiser``, all or nothing: a row
    already recorded (same unit, year and title) refuses the whole import."""
    reason = (_("Imported from Excel: %(name)s") % {"name": file_name})[:100]
    keys = {(row.unit.pk, row.year, row.code) for row in rows}
    if len(keys) != len(rows):
        raise ValidationError(_("The same unit, year and title appear twice."))
    stored = set(
        PastTitle.objects.filter(
            unit_id__in={k[0] for k in keys},
            year__in={k[1] for k in keys},
            code__in={k[2] for k in keys},
        ).values_list("unit_id", "year", "code")
    )
    present = [row for row in rows if (row.unit.pk, row.year, row.code) in stored]
    if present:
        raise ValidationError(
            _("%(unit)s already holds %(title)s for %(year)s; nothing was imported.")
            % {"unit": present[0].unit.name, "title": present[0].name, "year": present[0].year}
        )
    return [
        past_title_record(
            organiser=organiser,
            unit=row.unit,
            year=row.year,
            code=row.code,
            name=row.name,
            source=PastTitleSource.IMPORTED,
            reference=row.reference,
            note=row.note,
            reason=reason,
            user=user,
        )
        for row in rows
    ]
