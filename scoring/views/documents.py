"""Official documents of the scoring, each as a Word file and as a print page:

- a unit's score sheet (Phiếu chấm điểm), for whoever may see the sheet (others: 404);
- the cluster's year-end minutes with the ranking (Biên bản), at the final stage once the
  results are published, before that at the cluster stage for managers and the cluster's
  leader and deputy units (scoring.permissions.minutes_stage); a cluster outside the user's
  scope answers 404, one they may see but not these minutes for 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from clusters.documents.base import docx_response, print_context
from emulation.routers import reads_from_replica
from scoring import permissions
from scoring.documents import minutes_document, sheet_document
from scoring.periods import period_query
from scoring.views.common import cluster_for, period_for, require, sheet_for


@reads_from_replica
@require_GET
@login_required
def sheet_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The score sheet as a Word file."""
    return docx_response(sheet_document(sheet_for(request.user, pk)))


@reads_from_replica
@require_GET
@login_required
def sheet_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The score sheet as a print-ready A4 page."""
    sheet = sheet_for(request.user, pk)
    context = print_context(
        sheet_document(sheet),
        docx_url=reverse("sheet_docx", args=[pk]),
        back_url=reverse("sheet_detail", args=[pk]),
    )
    return render(request, "scoring/documents/sheet.html", context)


def _minutes(request: HttpRequest, pk: int):
    """The cluster's minutes of the period the request names (``?period=six_month``: the
    six-month review's; the year-end review's by default)."""
    cluster = cluster_for(request.user, pk)
    period = period_for(request, cluster)
    stage = permissions.minutes_stage(request.user, cluster, period)
    require(stage is not None)
    return cluster, minutes_document(cluster, stage, period), period_query(period)


@reads_from_replica
@require_GET
@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The year-end minutes as a Word file."""
    _cluster, document, _query = _minutes(request, pk)
    return docx_response(document)


@reads_from_replica
@require_GET
@login_required
def minutes_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The year-end minutes as a print-ready A4 page."""
    _cluster, document, query = _minutes(request, pk)
    context = print_context(
        document,
        docx_url=reverse("minutes_docx", args=[pk]) + query,
        back_url=reverse("ranking_default", args=[pk]) + query,
    )
    return render(request, "scoring/documents/minutes.html", context)


urlpatterns = [
    path("sheets/<int:pk>/document.docx", sheet_docx, name="sheet_docx"),
    path("sheets/<int:pk>/print/", sheet_print, name="sheet_print"),
    path("clusters/<int:pk>/documents/minutes.docx", minutes_docx, name="minutes_docx"),
    path("clusters/<int:pk>/documents/minutes/", minutes_print, name="minutes_print"),
]
