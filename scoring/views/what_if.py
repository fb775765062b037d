"""The sheet's what-if mode ("Thử tính", issue 16 point 5): the changed inputs are posted,
and the points, total, band, rank and the gap to the leading unit come back recomputed by
the same engine as a save (scoring.lead.what_if). Nothing is stored, so whoever may see the
sheet may try: the rank and the gap only where they may see the cluster's ranking."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from scoring import forms, lead
from scoring.views.common import sheet_for

# A what-if input: w<entry id>-<input name>, named so by static/js/what_if.js from the sheet's own
# inputs (ids e<entry id>-<input name>) when the mode is on.
FIELD = re.compile(r"^w(\d+)-([a-z_]+)$")


def parsed_changes(sheet, data) -> tuple[dict[int, dict], list[str]]:
    """The posted what-if inputs of ``sheet``'s entries, parsed as a save parses them (one
    query: the sheet's entries with their criteria)."""
    posted: dict[int, dict[str, str]] = {}
    for key in data:
        match = FIELD.match(key)
        if match:
            posted.setdefault(int(match[1]), {})[match[2]] = data.get(key)
    if not posted:
        return {}, []
    changes, errors = {}, []
    entries = sheet.entries.filter(pk__in=list(posted)).select_related("criterion")
    for entry in entries:
        result = forms.parse_entry(entry.criterion, posted[entry.pk])
        errors += result.errors
        result.values.pop("comment", None)
        changes[entry.pk] = result.values
    return changes, errors


@require_POST
@login_required
def sheet_what_if(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    sheet = sheet_for(user, pk)
    changes, errors = parsed_changes(sheet, request.POST)
    shows_rank = lead.may_see_ranking(user, sheet)
    result = lead.what_if(sheet, changes, ranks=shows_rank) if not errors else None
    if result is not None and result.errors:
        errors, result = result.errors, None
    context = {
        "sheet": sheet,
        "result": result,
        "errors": errors,
        "shows_rank": shows_rank,
    }
    return render(request, "scoring/what_if.html", context)


urlpatterns = [path("sheets/<int:pk>/what-if/", sheet_what_if, name="sheet_what_if")]
