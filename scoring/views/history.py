"""Who changed what, when and why: the history of a sheet and of one of its cells, for
whoever may see the sheet (django-simple-history records every saved change)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import Lag
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from scoring.enums import SheetStatus
from scoring.models import Explanation, ScoreEntry, ScoreSheet
from scoring.views.common import entry_for, sheet_for
from scoring.views.sheet import as_text

ENTRY_FIELDS = [
    "input_points",
    "passed",
    "count",
    "actual",
    "numerator",
    "denominator",
    "baseline",
    "violated",
    "override",
    "override_reason",
    "comment",
    "points",
]
SHEET_FIELDS = ["status", "return_comment"]
EXPLANATION_FIELDS = ["text"]
PER_PAGE = 50


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Event:
    """One historical record and what it changed."""

    record: object
    changes: list[Change] = field(default_factory=list)
    created: bool = False  # the object's first record: its values, without a "before"


def _shown(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return str(SheetStatus(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return as_text(value)
    return str(value)


def field_changes(
    names: Iterable[str],
    before: dict | None,
    after: dict,
    *,
    label: Callable[[str], str],
    shown: Callable[[str, object], str],
) -> list[Change]:
    """The fields of two historical records' values that differ, each by its ``label`` and
    its values as ``shown``; for a first record (``before`` None), the fields that hold a
    value."""
    result = []
    for name in names:
        old = None if before is None else before.get(name)
        new = after.get(name)
        if old in ("", None) and new in ("", None):
            continue
        if old != new:
            result.append(
                Change(label=label(name), before=shown(name, old), after=shown(name, new))
            )
    return result


def _changes(model, names: list[str], before: dict | None, after: dict) -> list[Change]:
    """The fields that differ by their verbose name; for a first record, those with a value."""

    def label(name: str) -> str:
        return str(model._meta.get_field(name).verbose_name)

    return field_changes(names, before, after, label=label, shown=_shown)


def _events(model, records, names: list[str], key: str = "id") -> list[Event]:
    """Records of any number of objects → events, newest first, each diffed against the
    previous record of the same object."""
    last: dict[int, dict] = {}
    events = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        values = {name: getattr(record, name) for name in names}
        before = last.get(getattr(record, key))
        events.append(Event(record, _changes(model, names, before, values), before is None))
        last[getattr(record, key)] = values
    return list(reversed(events))


def _entry_changes(sheet: ScoreSheet, page_number) -> tuple[object, list[Event]]:
    """One page of the changes to a sheet's entries, each with the values before it (a
    window over each entry's records: one query per page, whatever the sheet's size)."""
    order = [F("history_date").asc(), F("history_id").asc()]
    before = {
        f"before_{name}": Window(Lag(name), partition_by=[F("id")], order_by=order)
        for name in [*ENTRY_FIELDS, "history_id"]
    }
    records = (
        ScoreEntry.history.filter(sheet_id=sheet.pk)
        .annotate(**before)
        .select_related("history_user", "criterion")
        .order_by("-history_date", "-history_id")
    )
    page = Paginator(records, PER_PAGE).get_page(page_number)
    events = []
    for record in page.object_list:
        after = {name: getattr(record, name) for name in ENTRY_FIELDS}
        first = record.history_type == "+" or record.before_history_id is None
        old = None if first else {name: getattr(record, f"before_{name}") for name in ENTRY_FIELDS}
        events.append(Event(record, _changes(ScoreEntry, ENTRY_FIELDS, old, after), first))
    return page, events


@require_GET
@login_required
def sheet_history(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = sheet_for(request.user, pk)
    status_events = _events(
        ScoreSheet,
        sheet.history.select_related("history_user"),
        SHEET_FIELDS,
    )
    page, entry_events = _entry_changes(sheet, request.GET.get("page"))
    explanation_events = _events(
        Explanation,
        Explanation.history.filter(entry__sheet_id=sheet.pk).select_related(
            "history_user", "entry__criterion"
        ),
        EXPLANATION_FIELDS,
    )
    return render(
        request,
        "scoring/history.html",
        {
            "sheet": sheet,
            "status_events": status_events,
            "entry_events": entry_events,
            "page": page,
            "explanation_events": explanation_events,
        },
    )


@require_GET
@login_required
def entry_history(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_for(request.user, pk)
    entry_events = _events(
        ScoreEntry,
        entry.history.select_related("history_user", "criterion"),
        ENTRY_FIELDS,
    )
    explanation_events = _events(
        Explanation,
        Explanation.history.filter(entry_id=entry.pk).select_related("history_user"),
        EXPLANATION_FIELDS,
    )
    return render(
        request,
        "scoring/history.html",
        {
            "sheet": entry.sheet,
            "entry": entry,
            "entry_events": entry_events,
            "explanation_events": explanation_events,
        },
    )


urlpatterns = [
    path("sheets/<int:pk>/history/", sheet_history, name="sheet_history"),
    path("entries/<int:pk>/history/", entry_history, name="entry_history"),
]
