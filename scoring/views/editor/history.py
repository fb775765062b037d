"""Who changed what in a table and its criteria, from django-simple-history's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from scoring.models import Criterion, ScoreTable
from scoring.services import editor as services
from scoring.views.history import Change, field_changes
from scoring.views.sheet import as_text

HISTORY_LIMIT = 100


@dataclass
class HistoryEvent:
    when: object
    user: object
    subject: str
    kind: str
    reason: str
    changes: list = field(default_factory=list)


CRITERION_FIELDS = ["code", "title", "kind", "parent", "guidance", *services.PARAMETERS]
TABLE_FIELDS = ["title", "status", "bands", "bonus_cap"]


def history_events(table: ScoreTable) -> list[HistoryEvent]:
    """The newest changes to the table and its criteria (deleted ones too), each with who,
    when, why and what changed; two queries whatever the number of records."""
    codes = dict(table.criteria.values_list("pk", "code"))
    rows = list(
        Criterion.history.filter(table_id=table.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    codes.update({r.id: r.code for r in rows if r.id not in codes})
    events: list[HistoryEvent] = []
    previous: dict[int, dict] = {}
    kinds = {"+": _("added"), "~": _("changed"), "-": _("deleted")}
    for record in rows:
        values = {name: getattr(record, name) for name in CRITERION_FIELDS if name != "parent"}
        values["parent"] = codes.get(record.parent_id, "")
        before = previous.get(record.id)
        previous[record.id] = values
        events.append(
            HistoryEvent(
                when=record.history_date,
                user=record.history_user,
                subject=f"{record.code}. {record.title}",
                kind=kinds.get(record.history_type, ""),
                reason=_reason(record),
                changes=[]
                if record.history_type == "-"
                else _field_changes(before, values, CRITERION_FIELDS),
            )
        )
    before = None
    for record in (
        ScoreTable.history.filter(id=table.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        values = {name: getattr(record, name) for name in TABLE_FIELDS}
        events.append(
            HistoryEvent(
                when=record.history_date,
                user=record.history_user,
                subject=_("The table"),
                kind=kinds.get(record.history_type, ""),
                reason=_reason(record),
                changes=_field_changes(before, values, TABLE_FIELDS, model=ScoreTable),
            )
        )
        before = values
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:HISTORY_LIMIT]


def _reason(record) -> str:
    """Why the record was made, unless it only repeats what happened (added, deleted)."""
    reason = record.history_change_reason or ""
    if reason in ("added", "deleted", "created"):
        return ""
    return str(services.REASONS.get(reason, ""))


def _field_changes(before, after, names, model=Criterion) -> list[Change]:
    """The fields that differ, by their label; for a first record, those that hold a value."""

    def label(name: str) -> str:
        return _("under") if name == "parent" else str(model._meta.get_field(name).verbose_name)

    def shown(name: str, value) -> str:
        return _shown(value, name, model)

    return field_changes(names, before, after, label=label, shown=shown)


def _shown(value, name: str, model) -> str:
    """A recorded value as the history list shows it: a choice by its label, bands in a
    line, a number with the decimal comma."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return as_text(value)
    if isinstance(value, list):
        return ", ".join(f"{b.get('label')} ≥ {b.get('min')}" for b in value)
    if name != "parent" and isinstance(value, str):
        choices = dict(model._meta.get_field(name).choices or [])
        return str(choices.get(value, value))
    return str(value)
