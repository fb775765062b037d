"""Official documents of the scoring, each as a Word file and as a print page:

- a unit's score sheet (Phiếu chấm điểm), for whoever may see the sheet (others: 404);
- the cluster's year-end minutes with the ranking (Biên bản), at the final stage once the
  results are published, before that at the cluster stage for managers and the cluster's
  leader and deputy units (scoring.permissions.minutes_stage); a cluster outside the user's
  scope answers 404, one they may see but not these minutes for 403. The minutes' print
  page carries the form of the meeting's day and place (``minutes_meeting``, POST) for
  those who may record it (scoring.permissions.can_record_meeting).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from clusters.documents.base import docx_response, print_context
from emulation.routers import reads_from_replica
from scoring import permissions
from scoring.documents import minutes_document, review_meeting, sheet_document
from scoring.forms import MeetingForm
from scoring.periods import period_for, period_query
from scoring.services.meetings import meeting_record
from scoring.views.common import cluster_for, require, sheet_for


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
    return _minutes_page(request, pk)


def _minutes_page(request: HttpRequest, pk: int, form: MeetingForm | None = None):
    cluster, document, query = _minutes(request, pk)
    period = period_for(request, cluster)
    context = print_context(
        document,
        docx_url=reverse("minutes_docx", args=[pk]) + query,
        back_url=reverse("ranking_default", args=[pk]) + query,
    )
    if permissions.can_record_meeting(request.user, cluster, period):
        if form is None:
            meeting = review_meeting(cluster, period)
            initial = {"held_on": meeting.held_on, "place": meeting.place} if meeting else {}
            form = MeetingForm(initial=initial)
        context["meeting_form"] = form
        context["meeting_url"] = reverse("minutes_meeting", args=[pk]) + query
    status = 400 if form is not None and form.errors else 200
    return render(request, "scoring/documents/minutes.html", context, status=status)


@require_POST
@login_required
def minutes_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the day and place of the review meeting, then show the minutes dated on it; a
    bad day is refused with its message on the page (400) and nothing is stored."""
    cluster = cluster_for(request.user, pk)
    period = period_for(request, cluster)
    require(permissions.can_record_meeting(request.user, cluster, period))
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting_record(cluster=cluster, period=period, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect(reverse("minutes_print", args=[pk]) + period_query(period))
    return _minutes_page(request, pk, form)


urlpatterns = [
    path("sheets/<int:pk>/document.docx", sheet_docx, name="sheet_docx"),
    path("sheets/<int:pk>/print/", sheet_print, name="sheet_print"),
    path("clusters/<int:pk>/documents/minutes.docx", minutes_docx, name="minutes_docx"),
    path("clusters/<int:pk>/documents/minutes/", minutes_print, name="minutes_print"),
    path("clusters/<int:pk>/documents/minutes/meeting/", minutes_meeting, name="minutes_meeting"),
]
