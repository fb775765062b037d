"""The office's own score table (.xlsx or .docx) imported from the browser, for the staff
who manage the campaign: the same reading and the same storing as
``import_scoretable FILE.xlsx|FILE.docx`` (scoring.interchange.office).

- ``table_import`` (``campaigns/<id>/tables/import/``): GET the upload form; POST a file
  and the clusters it applies to: the preview (the tree with codes, names, kinds, points
  and each group's sum, every row not understood by its row number, what would stop
  publication in the user's language, what the import would do). Nothing is stored: the
  import runs inside a transaction that is rolled back. The file waits in a private
  temporary folder under a token kept in the session (as the grid's Excel upload).
- ``table_import_confirm``: reads the kept file again and, when it is the one previewed,
  stores it as a draft, all or nothing, then opens it in the editor.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusters.models import Campaign, Cluster
from scoring import permissions
from scoring.engine import BASE_KINDS, Kind
from scoring.enums import CriterionKind
from scoring.interchange import ScoringFileError
from scoring.interchange.office import (
    OfficePreview,
    OfficeTable,
    office_import,
    office_preview,
    office_read,
)
from scoring.periods import six_month_of
from scoring.services import CriterionData
from scoring.views.common import campaign_for, require
from scoring.views.uploads import PendingUploads

SESSION_KEY = "scoring_table_imports"
ACCEPT = ".xlsx,.docx"


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "thidua-table-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user sees (else 404) and may make tables for (else 403)."""
    campaign = campaign_for(request.user, pk)
    require(permissions.can_create_table(request.user, campaign))
    return campaign


@dataclass
class PreviewRow:
    """One criterion as the preview lists it."""

    depth: int
    code: str
    title: str
    kind: str
    kind_label: str
    max_points: Decimal | None
    per_item: Decimal | None
    deduct: Decimal | None
    children_sum: Decimal | None  # a group's: the sum of its base children's max
    place: str
    problems: list[str]

    @property
    def indent(self) -> str:
        """Bootstrap padding for the row's depth (no inline style: the CSP forbids it)."""
        return ("", "ps-3", "ps-5", "ps-5 ms-3")[min(self.depth, 3)]

    @property
    def sum_differs(self) -> bool:
        return self.children_sum is not None and self.children_sum != self.max_points


def preview_rows(table: OfficeTable, checks_by_code: dict[str, list[str]]) -> list[PreviewRow]:
    """The tree in reading order, each group with the sum of its base children."""
    rows: list[PreviewRow] = []

    def walk(items: tuple[CriterionData, ...] | list[CriterionData], depth: int) -> None:
        for item in items:
            is_group = item.kind == CriterionKind.GROUP
            children_sum = None
            if is_group:
                children_sum = sum(
                    (c.max_points for c in item.children if c.kind in (*BASE_KINDS, Kind.GROUP)),
                    Decimal(0),
                )
            rows.append(
                PreviewRow(
                    depth=depth,
                    code=item.code,
                    title=item.title,
                    kind=item.kind,
                    kind_label=str(CriterionKind(item.kind).label),
                    max_points=None if item.kind == CriterionKind.VETO else item.max_points,
                    per_item=item.per_item,
                    deduct=item.deduct if item.kind == CriterionKind.VETO else None,
                    children_sum=children_sum,
                    place=table.places.get(item.code, ""),
                    problems=checks_by_code.get(item.code, []),
                )
            )
            walk(item.children, depth + 1)

    walk(table.criteria, 0)
    return rows


def _total(table: OfficeTable) -> Decimal:
    return sum(
        (c.max_points for c in table.criteria if c.kind in (*BASE_KINDS, Kind.GROUP)),
        Decimal(0),
    )


def _link(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _context(campaign: Campaign, clusters: list[Cluster], **extra) -> dict:
    return {
        "campaign": campaign,
        "clusters": clusters,
        "chosen": set(),
        "tables_url": reverse("campaign_tables", args=[campaign.pk]),
        "upload_url": reverse("table_import", args=[campaign.pk]),
        "max_mb": settings.UPLOAD_MAX_MB,
        "accept": ACCEPT,
        # The review a new table scores, offered where the campaign has a six-month review.
        "six_month": six_month_of(campaign),
        **extra,
    }


def _clusters(campaign: Campaign) -> list[Cluster]:
    return list(campaign.clusters.order_by("number"))


def _chosen(request: HttpRequest, clusters: list[Cluster]) -> list[Cluster]:
    ids = set(request.POST.getlist("clusters"))
    return [c for c in clusters if str(c.pk) in ids]


def _read(campaign: Campaign, name: str, content: bytes, chosen: list[Cluster]):
    """The file read and its import tried and rolled back; ScoringFileError when refused."""
    table = office_read(content, name=name)
    preview = office_preview(
        table,
        year=campaign.year,
        clusters=[c.code for c in chosen],
        organiser=campaign.organiser.code,
    )
    return table, preview


def _fingerprint(content: bytes, chosen: list[Cluster]) -> str:
    digest = hashlib.sha256(content)
    digest.update(",".join(str(c.pk) for c in chosen).encode())
    return digest.hexdigest()


def _show(
    request: HttpRequest,
    campaign: Campaign,
    clusters: list[Cluster],
    *,
    name: str,
    chosen: list[Cluster],
    table: OfficeTable | None = None,
    preview: OfficePreview | None = None,
    errors: list[str] | None = None,
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(campaign, clusters, file_name=name, chosen={c.pk for c in chosen})
    context["errors"] = errors or []
    if table is not None and preview is not None:
        by_code: dict[str, list[str]] = {}
        general: list[str] = []
        for check in preview.checks:
            if check.criterion is not None and check.criterion in table.places:
                by_code.setdefault(check.criterion, []).append(check.message)
            else:
                general.append(str(check))
        context.update(
            table=table,
            preview=preview,
            rows=preview_rows(table, by_code),
            general_checks=general,
            check_count=len(preview.checks),
            total=_total(table),
            chosen_clusters=chosen,
            confirm_url=(
                reverse("table_import_confirm", args=[campaign.pk, token]) if token else ""
            ),
        )
    return render(request, "scoring/table_import.html", context, status=status)


# The folder is looked up at each use (a test points _folder elsewhere).
PENDING = PendingUploads(session_key=SESSION_KEY, folder=lambda: _folder(), suffix=".upload")


def _remember(request: HttpRequest, campaign: Campaign, name: str, content: bytes, chosen):
    data = {
        "campaign": campaign.pk,
        "name": name,
        "clusters": [c.pk for c in chosen],
        "fingerprint": _fingerprint(content, chosen),
        "period": "six_month" if request.POST.get("period") == "six_month" else "year_end",
    }
    return PENDING.remember(request, content, data)


@require_http_methods(["GET", "POST"])
@login_required
def table_import(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST (``file``, ``clusters``): the preview; nothing stored."""
    campaign = _campaign(request, pk)
    clusters = _clusters(campaign)
    if request.method == "GET":
        return render(request, "scoring/table_import.html", _context(campaign, clusters))
    chosen = _chosen(request, clusters)
    upload = request.FILES.get("file")
    if upload is None:
        return _show(
            request,
            campaign,
            clusters,
            name="",
            chosen=chosen,
            errors=[_("Choose a file to upload.")],
            status=422,
        )
    name = Path(upload.name or "").name[:200] or "upload"
    if upload.size > settings.UPLOAD_MAX_MB * 1024 * 1024:
        error = _("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_MB}
        return _show(
            request, campaign, clusters, name=name, chosen=chosen, errors=[error], status=422
        )
    content = upload.read()
    try:
        table, preview = _read(campaign, name, content, chosen)
    except ScoringFileError as refusal:
        return _show(
            request,
            campaign,
            clusters,
            name=name,
            chosen=chosen,
            errors=refusal.errors,
            status=422,
        )
    token = _remember(request, campaign, name, content, chosen)
    return _show(
        request,
        campaign,
        clusters,
        name=name,
        chosen=chosen,
        table=table,
        preview=preview,
        token=token,
    )


@require_POST
@login_required
def table_import_confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Store the previewed file as a draft (all or nothing) and open it in the editor."""
    campaign = _campaign(request, pk)
    stored, content = PENDING.read(request, token, campaign=campaign.pk)
    clusters = _clusters(campaign)
    chosen = [c for c in clusters if c.pk in stored["clusters"]]
    name = stored["name"]
    if _fingerprint(content, chosen) != stored["fingerprint"]:
        PENDING.forget(request, token)
        raise Http404
    try:
        table = office_read(content, name=name)
        summary = office_import(
            table,
            year=campaign.year,
            clusters=[c.code for c in chosen],
            organiser=campaign.organiser.code,
            publish=False,
            period=stored.get("period", "year_end"),
        )
    except ScoringFileError as refusal:
        PENDING.forget(request, token)
        return _show(
            request,
            campaign,
            clusters,
            name=name,
            chosen=chosen,
            errors=refusal.errors,
            status=422,
        )
    PENDING.forget(request, token)
    stored_table = summary.table
    texts = {
        "created": _("The score table %(table)s was created from %(name)s as a draft."),
        "replaced": _("The draft %(table)s now holds the table of %(name)s."),
        "new_version": _("%(table)s was created from %(name)s as the next version (a draft)."),
        "unchanged": _("%(table)s already holds the table of %(name)s; nothing changed."),
    }
    messages.success(request, texts[summary.action] % {"table": stored_table, "name": name})
    editor = _link("campaign_table_editor", campaign.pk, stored_table.pk)
    return redirect(editor or reverse("campaign_tables", args=[campaign.pk]))


urlpatterns = [
    path("campaigns/<int:pk>/tables/import/", table_import, name="table_import"),
    path(
        "campaigns/<int:pk>/tables/import/<str:token>/confirm/",
        table_import_confirm,
        name="table_import_confirm",
    ),
]
