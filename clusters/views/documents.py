"""Official documents of a cluster: the signed pledge (Bản giao ước thi đua) as a Word file
and as a print page, for anyone who may see the cluster (others: 404; a cluster without a
pledge yet: 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from clusters import permissions
from clusters.documents.base import docx_response, print_context
from clusters.documents.pledge import pledge_document
from clusters.models import Pledge


def _pledge(user, pk: int) -> Pledge:
    cluster = permissions.cluster_for(user, pk)
    pledge = get_object_or_404(Pledge.objects.prefetch_related("items"), cluster=cluster)
    pledge.cluster = cluster
    return pledge


@require_GET
@login_required
def pledge_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The pledge as a Word file."""
    pledge = _pledge(request.user, pk)
    return docx_response(pledge_document(pledge))


@require_GET
@login_required
def pledge_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The pledge as a print-ready A4 page."""
    pledge = _pledge(request.user, pk)
    context = print_context(
        pledge_document(pledge),
        docx_url=reverse("pledge_docx", args=[pk]),
        back_url=reverse("cluster_detail", args=[pk]),
    )
    return render(request, "clusters/documents/pledge.html", context)


urlpatterns = [
    path("clusters/<int:pk>/documents/pledge.docx", pledge_docx, name="pledge_docx"),
    path("clusters/<int:pk>/documents/pledge/", pledge_print, name="pledge_print"),
]
