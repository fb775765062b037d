"""The certificates of a decision's granted titles (awards/certificates.py):

- ``awards_certificates``: the page listing the decision's granted titles with their
  certificates, a Word file and a PDF each, and the whole decision's at once; it says when
  the server cannot make PDFs (LibreOffice missing, clusters/documents/pdf.py);
- ``awards_certificates_docx`` / ``awards_certificates_pdf``: every certificate of the
  decision, one per page, for the organiser's staff;
- ``awards_unit_certificates_docx`` / ``awards_unit_certificates_pdf``: one unit's, for the
  staff and for the unit itself.

A decision outside the campaigns the user may see answers 404, as does a unit the decision
grants nothing; a user who may see the campaign but not the certificates, 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from awards import certificates, permissions
from awards.models import Decision
from clusters.documents.base import DOCX_MIME
from clusters.documents.pdf import PDF_MIME, PdfUnavailable, docx_to_pdf, pdf_available
from clusters.models import Unit


def _decision(user, pk: int) -> Decision:
    qs = Decision.objects.filter(campaign__in=permissions.award_campaigns(user))
    return get_object_or_404(qs.select_related("campaign__organiser"), pk=pk)


def _unit(decision: Decision, unit_pk: int) -> Unit:
    """A unit the decision grants a title to (404 otherwise)."""
    if not certificates.granted(decision, unit_pk):
        raise Http404
    return get_object_or_404(Unit, pk=unit_pk)


def _file(content: bytes, name: str, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _answer(request: HttpRequest, decision: Decision, unit: Unit | None, kind: str):
    content = certificates.certificates_docx(decision, unit.pk if unit else None)
    if kind == "docx":
        return _file(content, certificates.file_name(decision, unit), DOCX_MIME)
    try:
        pdf = docx_to_pdf(content)
    except PdfUnavailable:
        context = {"decision": decision, "campaign": decision.campaign, "unit": unit}
        return render(request, "awards/certificates_no_pdf.html", context, status=503)
    return _file(pdf, certificates.file_name(decision, unit, "pdf"), PDF_MIME)


@require_GET
@login_required
def awards_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request.user, pk)
    campaign = decision.campaign
    items = certificates.granted(decision)
    whole = permissions.can_print_certificates(request.user, campaign)
    if not whole:
        items = [
            i
            for i in items
            if permissions.can_get_unit_certificate(request.user, campaign, i.unit_id)
        ]
        if not items:
            raise PermissionDenied
    units: dict[int, list] = {}
    for item in items:
        units.setdefault(item.unit_id, []).append(item)
    context = {
        "decision": decision,
        "campaign": campaign,
        "rows": [(group[0].unit, group) for group in units.values()],
        "whole": whole,
        "pdf_available": pdf_available(),
    }
    return render(request, "awards/certificates.html", context)


@require_GET
@login_required
def awards_certificates_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _whole(request, pk, "docx")


@require_GET
@login_required
def awards_certificates_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _whole(request, pk, "pdf")


def _whole(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    decision = _decision(request.user, pk)
    if not permissions.can_print_certificates(request.user, decision.campaign):
        raise PermissionDenied
    return _answer(request, decision, None, kind)


@require_GET
@login_required
def awards_unit_certificates_docx(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    return _one(request, pk, unit, "docx")


@require_GET
@login_required
def awards_unit_certificates_pdf(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    return _one(request, pk, unit, "pdf")


def _one(request: HttpRequest, pk: int, unit_pk: int, kind: str) -> HttpResponse:
    decision = _decision(request.user, pk)
    unit = _unit(decision, unit_pk)
    if not permissions.can_get_unit_certificate(request.user, decision.campaign, unit.pk):
        raise PermissionDenied
    return _answer(request, decision, unit, kind)


urlpatterns = [
    path(
        "awards/decisions/<int:pk>/certificates/",
        awards_certificates,
        name="awards_certificates",
    ),
    path(
        "awards/decisions/<int:pk>/certificates.docx",
        awards_certificates_docx,
        name="awards_certificates_docx",
    ),
    path(
        "awards/decisions/<int:pk>/certificates.pdf",
        awards_certificates_pdf,
        name="awards_certificates_pdf",
    ),
    path(
        "awards/decisions/<int:pk>/certificates/<int:unit>.docx",
        awards_unit_certificates_docx,
        name="awards_unit_certificates_docx",
    ),
    path(
        "awards/decisions/<int:pk>/certificates/<int:unit>.pdf",
        awards_unit_certificates_pdf,
        name="awards_unit_certificates_pdf",
    ),
]
