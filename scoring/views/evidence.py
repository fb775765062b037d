"""Evidence files on a sheet's entries: attaching (the sheet's editors, while it is
editable; the type is read from the content and the size is limited by
settings.UPLOAD_MAX_MB), citing an exchange activity or a model instead of a file,
removing, and downloading (only for whoever may see the sheet; files are never served from
MEDIA_URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from emulation.files import protected_file_response
from scoring import permissions, services
from scoring.models import Evidence, ScoreEntry
from scoring.views.common import entry_for, require
from scoring.views.sheet import LEVELS, Row, back, named, page_path


def _evidence_response(request: HttpRequest, entry: ScoreEntry, level: str, notes: list[str]):
    if not request.htmx:
        for note in notes:
            messages.add_message(request, LEVELS[level], note)
        return back(request, entry.sheet)
    # As on the page: the criterion's files on every sheet of the unit the user may see.
    row = Row(
        criterion=entry.criterion,
        entry=entry,
        evidence=[
            named(item)
            for item in Evidence.objects.filter(
                entry__sheet__in=permissions.visible_sheets(request.user).filter(
                    cluster_id=entry.sheet.cluster_id, unit_id=entry.sheet.unit_id
                ),
                entry__criterion_id=entry.criterion_id,
            ).order_by("uploaded_at", "pk")
        ],
    )
    context = {
        "row": row,
        "can_edit": permissions.can_edit_sheet(request.user, entry.sheet),
        "sheet": entry.sheet,
        "notes": notes,
        "level": level,
        "page_path": page_path(request),
    }
    return render(request, "scoring/sheet.html#evidence", context)


@require_POST
@login_required
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach evidence to an entry (the sheet's editors, while it is editable)."""
    entry = entry_for(request.user, pk)
    require(permissions.can_edit_sheet(request.user, entry.sheet))
    try:
        services.evidence_add(
            entry=entry,
            upload=request.FILES.get("file"),
            description=request.POST.get("description", ""),
        )
    except ValidationError as error:
        return _evidence_response(request, entry, "danger", error.messages)
    return _evidence_response(request, entry, "success", [_("The file was attached.")])


def _cite_choices(entry: ScoreEntry) -> dict:
    sheet = entry.sheet
    return {
        "activities": services.citable_activities(sheet).order_by("-held_on", "pk"),
        "models": services.citable_models(sheet).select_related("unit").order_by("title", "pk"),
    }


@require_http_methods(["GET", "POST"])
@login_required
def evidence_cite(request: HttpRequest, pk: int) -> HttpResponse:
    """Cite an exchange activity the unit hosted or took part in, or a model of the unit
    (or replicated by it), as evidence for an entry (the sheet's editors, while editable)."""
    entry = entry_for(request.user, pk)
    require(permissions.can_edit_sheet(request.user, entry.sheet))
    if request.method == "GET":
        template = "scoring/evidence_cite.html" + ("#form" if request.htmx else "")
        context = {"entry": entry, "sheet": entry.sheet, **_cite_choices(entry)}
        target = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        context["page_path"] = target if safe else ""
        return render(request, template, context)
    choices = _cite_choices(entry)
    activity = choices["activities"].filter(pk=_int(request.POST.get("activity"))).first()
    model = choices["models"].filter(pk=_int(request.POST.get("advanced_model"))).first()
    try:
        services.evidence_cite(
            entry=entry,
            activity=activity,
            advanced_model=model,
            description=request.POST.get("description", ""),
        )
    except ValidationError as error:
        return _evidence_response(request, entry, "danger", error.messages)
    return _evidence_response(request, entry, "success", [_("The evidence was cited.")])


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_POST
@login_required
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a file attached by mistake (the sheet's editors, while it is editable)."""
    evidence = get_object_or_404(
        Evidence.objects.filter(entry__sheet__in=permissions.visible_sheets(request.user)),
        pk=pk,
    )
    entry = entry_for(request.user, evidence.entry_id)
    require(permissions.can_edit_sheet(request.user, entry.sheet))
    services.evidence_remove(evidence=evidence)
    return _evidence_response(request, entry, "success", [_("The file was removed.")])


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as a download, for whoever may see its sheet (never served from MEDIA_URL)."""
    evidence = get_object_or_404(
        Evidence.objects.filter(entry__sheet__in=permissions.visible_sheets(request.user)),
        pk=pk,
    )
    # A citation has no file: protected_file_response answers "not found".
    return protected_file_response(request, evidence.file)


urlpatterns = [
    path("entries/<int:pk>/evidence/", evidence_upload, name="evidence_upload"),
    path("entries/<int:pk>/cite/", evidence_cite, name="evidence_cite"),
    path("evidence/<int:pk>/", evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", evidence_delete, name="evidence_delete"),
]
