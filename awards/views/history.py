"""Each unit's history of titles (issue 15 point 5, docs/awards.md "History"):

- a unit's record across years (``awards_unit_record``, ``?format=xlsx``): its cluster,
  published result and titles held each year, and its registration against the outcome;
  for whoever may see the unit's results;
- who held a title over a span of years (``awards_holders``, ``?format=xlsx``), in any
  year or in every year of the span;
- past titles kept by hand (``awards_past_titles``, ``awards_past_title_add``,
  ``awards_past_title_edit``, ``awards_past_title_delete``) and from Excel (the template
  ``awards_past_titles_template``, the upload and its preview
  ``awards_past_titles_import``, the confirmation ``awards_past_titles_import_confirm``).

The search and the past titles are the organiser's: administrators and its province staff
(``?organiser=<id>`` chooses among the user's organisers, the latest organiser of a
campaign by default).
"""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from awards import history, past_titles, permissions
from awards.enums import PastTitleSource
from awards.forms import show_refusal
from awards.interchange import past_titles as excel
from awards.models import PastTitle
from clusters import permissions as org
from clusters.enums import ORGANISING_KINDS, PeriodKind
from clusters.models import Period, Unit
from emulation.files import preview_folder
from scoring import permissions as scoring_permissions
from scoring.enums import Stage
from scoring.reports import xlsx_bytes
from scoring.views.uploads import PendingUploads, capped_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "awards_past_title_uploads"
PENDING = PendingUploads(session_key=SESSION_KEY, folder=preview_folder, suffix=".xlsx")
PER_PAGE = 50


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


# --- A unit's record across years ------------------------------------------------------------


def _final_clusters(user, clusters) -> tuple[set[int], set[int]]:
    """The clusters whose final stage the user may view: of the year-end review, of the
    six-month review (scoring.permissions.result_stages, once per six-month review)."""
    year_end = {
        pk
        for pk, stages in scoring_permissions.result_stages(user, clusters).items()
        if Stage.FINAL in stages
    }
    by_campaign: dict[int, list] = {}
    for cluster in clusters:
        by_campaign.setdefault(cluster.campaign_id, []).append(cluster)
    six_month: set[int] = set()
    for period in Period.objects.filter(
        campaign_id__in=list(by_campaign), kind=PeriodKind.SIX_MONTH
    ).select_related("campaign"):
        stages = scoring_permissions.result_stages(user, by_campaign[period.campaign_id], period)
        six_month.update(pk for pk, allowed in stages.items() if Stage.FINAL in allowed)
    return year_end, six_month


@require_GET
@login_required
def awards_unit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's record: one row per year, newest first."""
    user = request.user
    unit = get_object_or_404(org.visible_units(user), pk=pk)
    clusters = list(
        scoring_permissions.visible_clusters(user)
        .filter(memberships__unit=unit)
        .select_related("campaign")
        .distinct()
    )
    year_end, six_month = _final_clusters(user, clusters)
    if not permissions.can_see_unit_record(user, unit.pk, year_end | six_month):
        raise PermissionDenied
    rows = history.unit_record(unit, clusters, year_end, six_month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(f"record-{unit.code}", _record_xlsx(unit, rows))
    return render(
        request,
        "awards/unit_record.html",
        {
            "unit": unit,
            "rows": rows,
            "xlsx_url": f"{reverse('awards_unit_record', args=[unit.pk])}?format=xlsx",
            "history_url": reverse("report_unit_history", args=[unit.pk]),
        },
    )


def _sheet_cells(sheet) -> list:
    if sheet is None:
        return [None, None, None, None]
    return [sheet.rank, sheet.total, sheet.band, _yes(sheet.leading)]


def _record_xlsx(unit: Unit, rows: list[history.RecordYear]) -> bytes:
    header = [
        _("Year"),
        _("Cluster"),
        _("Rank"),
        _("Total"),
        _("Band"),
        _("Leading"),
        _("Six-month review: rank"),
        _("Six-month review: total"),
        _("Six-month review: band"),
        _("Six-month review: leading"),
        _("Titles held"),
        _("Decision or source"),
        _("Registered"),
        _("Registered titles not held"),
    ]
    data = []
    for row in rows:
        data.append(
            [
                row.year,
                row.cluster.name if row.cluster else None,
                *_sheet_cells(row.result),
                *_sheet_cells(row.six_month),
                "; ".join(t.name for t in row.titles),
                "; ".join(t.reference_text or t.source_label for t in row.titles),
                "; ".join(r.name for r in row.registered),
                "; ".join(r.name for r in row.registered if not r.held),
            ]
        )
    return xlsx_bytes(unit.name, [(unit.code, header, data)])


# --- The organiser of the search and of the past titles --------------------------------------


def _organiser(request: HttpRequest) -> tuple[Unit, list[Unit]]:
    """The organiser asked for (``?organiser=<id>``, else the one with the latest campaign
    among the user's) and the user's organisers; 403 for a user who keeps no titles, 404
    for an organiser that is not theirs."""
    choices = list(
        permissions.title_organisers(request.user)
        .annotate(latest=Max("organised_campaigns__year"))
        .order_by("code")
    )
    if not choices:
        raise PermissionDenied
    wanted = request.GET.get("organiser") or request.POST.get("organiser")
    if wanted:
        chosen = next((u for u in choices if str(u.pk) == wanted), None)
        if chosen is None:
            raise Http404
        return chosen, choices
    # The organiser of the latest campaign; an organising unit before any other.
    ranked = sorted(
        choices,
        key=lambda u: (-(u.latest or 0), u.kind not in ORGANISING_KINDS, u.code),
    )
    return ranked[0], choices


def _with_organiser(url: str, organiser: Unit, **params) -> str:
    query = {"organiser": organiser.pk, **{k: v for k, v in params.items() if v not in ("", None)}}
    return f"{url}?{urlencode(query)}"


# --- Who held a title ------------------------------------------------------------------------


class HoldersForm(forms.Form):
    title = forms.ChoiceField(label=pgettext_lazy("award", "Title"))
    year_from = forms.IntegerField(
        label=gettext_lazy("From year"), min_value=excel.FIRST_YEAR, max_value=excel.LAST_YEAR
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To year"), min_value=excel.FIRST_YEAR, max_value=excel.LAST_YEAR
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Held"),
        choices=[
            ("any", gettext_lazy("In any year of the span")),
            ("every", gettext_lazy("In every year of the span")),
        ],
        initial="any",
        required=False,
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first is not None and last is not None:
            if first > last:
                self.add_error("year_to", _("The last year comes after the first."))
            elif last - first >= 50:
                self.add_error("year_to", _("At most 50 years at once."))
        return data


@require_GET
@login_required
def awards_holders(request: HttpRequest) -> HttpResponse:
    """Who held a title (``title``, ``from``, ``to``, ``mode`` any/every)."""
    organiser, organisers = _organiser(request)
    titles = history.known_titles(organiser)
    params = {
        "title": request.GET.get("title", ""),
        "year_from": request.GET.get("from", ""),
        "year_to": request.GET.get("to", ""),
        "mode": request.GET.get("mode", "any"),
    }
    form = HoldersForm(params if params["title"] else None, initial={"mode": "any"})
    # The name alone, as the page reads it; the code (an English identifier of the Excel files)
    # only to tell apart two titles of the same name.
    named = Counter(titles.values())
    form.fields["title"].choices = [
        (c, n if named[n] == 1 else f"{n} ({c})") for c, n in titles.items()
    ]
    search = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        search = history.holders(
            organiser=organiser,
            codes=[data["title"]],
            year_from=data["year_from"],
            year_to=data["year_to"],
            every_year=data["mode"] == "every",
        )
        search.title_name = titles[data["title"]]
        if request.GET.get("format") == "xlsx":
            return _xlsx(
                f"holders-{data['title']}-{data['year_from']}-{data['year_to']}",
                _holders_xlsx(search),
            )
    url = reverse("awards_holders")
    return render(
        request,
        "awards/holders.html",
        {
            "organiser": organiser,
            "organisers": organisers,
            "form": form,
            "search": search,
            "xlsx_url": f"{request.get_full_path()}&format=xlsx" if search else "",
            "url": url,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _holders_xlsx(search: history.HolderSearch) -> bytes:
    header = [
        _("Unit code"),
        _("Unit"),
        _("Year"),
        pgettext("award", "Title"),
        _("Source"),
        _("Decision number"),
        _("Decision date"),
        _("Reference"),
        _("Years held in the span"),
    ]
    rows = [
        [
            holder.unit.code,
            holder.unit.name,
            held.year,
            held.name,
            held.source_label,
            held.number,
            held.date.strftime("%d/%m/%Y") if held.date else "",
            held.reference,
            holder.count,
        ]
        for holder in search.holders
        for held in sorted(holder.titles, key=lambda t: t.year)
    ]
    summary = [[year, count] for year, count in search.per_year]
    return xlsx_bytes(
        search.title_name,
        [
            (_("Holders"), header, rows),
            (_("Per year"), [_("Year"), _("Units")], summary),
        ],
    )


# --- Past titles by hand ---------------------------------------------------------------------


class PastTitleForm(forms.Form):
    organiser = forms.IntegerField(widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=excel.FIRST_YEAR, max_value=excel.LAST_YEAR
    )
    code = forms.ChoiceField(label=pgettext_lazy("award", "Title"))
    reference = forms.CharField(
        label=gettext_lazy("Source or decision number"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("E.g. Quyết định số 123/QĐ-BCA ngày 15/01/2021, or the archive."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the record"),
        max_length=100,
        help_text=gettext_lazy("Kept in the history: where it comes from, or what is corrected."),
    )

    def __init__(self, *args, organiser: Unit, titles: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = history.organiser_units(organiser).order_by("code")
        self.fields["unit"].label_from_instance = lambda u: f"{u.code} — {u.name}"
        self.fields["code"].choices = [(c, f"{n} ({c})") for c, n in titles.items()]
        self.initial.setdefault("organiser", organiser.pk)


@require_GET
@login_required
def awards_past_titles(request: HttpRequest) -> HttpResponse:
    """The organiser's past titles, filtered by year, title and unit, 50 a page."""
    organiser, organisers = _organiser(request)
    qs = PastTitle.objects.filter(organiser=organiser).select_related("unit")
    year, code, q = (request.GET.get(k, "").strip() for k in ("year", "code", "q"))
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if code:
        qs = qs.filter(code=code)
    if q:
        qs = qs.filter(unit__code__icontains=q) | qs.filter(unit__name__icontains=q)
    page = Paginator(qs.order_by("-year", "unit__code", "code"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "awards/past_titles.html",
        {
            "organiser": organiser,
            "organisers": organisers,
            "page": page,
            "titles": history.known_titles(organiser),
            "filters": {"year": year, "code": code, "q": q},
            "add_url": _with_organiser(reverse("awards_past_title_add"), organiser),
            "import_url": _with_organiser(reverse("awards_past_titles_import"), organiser),
            "template_url": _with_organiser(reverse("awards_past_titles_template"), organiser),
            "holders_url": _with_organiser(reverse("awards_holders"), organiser),
        },
    )


def _list_url(organiser: Unit) -> str:
    return _with_organiser(reverse("awards_past_titles"), organiser)


def _render_form(request, organiser, form, past=None, status=200) -> HttpResponse:
    history_rows = (
        list(past.history.select_related("history_user").order_by("-history_date", "-pk"))
        if past
        else []
    )
    return render(
        request,
        "awards/past_title_form.html",
        {
            "organiser": organiser,
            "form": form,
            "past": past,
            "history": history_rows,
            "list_url": _list_url(organiser),
            "editable": past is None or past.source != PastTitleSource.DECISION,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def awards_past_title_add(request: HttpRequest) -> HttpResponse:
    organiser, _organisers = _organiser(request)
    titles = history.known_titles(organiser)
    if request.method == "GET":
        form = PastTitleForm(organiser=organiser, titles=titles)
        return _render_form(request, organiser, form)
    return _past_title_save(request, organiser, titles)


def _past(request: HttpRequest, pk: int) -> PastTitle:
    """A past title kept by one of the user's organisers (else 404; 403 for a user who
    keeps no titles)."""
    if not permissions.title_organisers(request.user).exists():
        raise PermissionDenied
    past = get_object_or_404(PastTitle.objects.select_related("unit", "organiser"), pk=pk)
    if not permissions.can_keep_titles(request.user, past.organiser_id):
        raise Http404
    return past


@require_http_methods(["GET", "POST"])
@login_required
def awards_past_title_edit(request: HttpRequest, pk: int) -> HttpResponse:
    past = _past(request, pk)
    organiser = past.organiser
    titles = history.known_titles(organiser)
    titles.setdefault(past.code, past.name)
    if request.method == "GET":
        initial = {
            "unit": past.unit,
            "year": past.year,
            "code": past.code,
            "reference": past.reference,
            "note": past.note,
        }
        form = PastTitleForm(initial=initial, organiser=organiser, titles=titles)
        return _render_form(request, organiser, form, past)
    return _past_title_save(request, organiser, titles, past)


def _past_title_save(
    request: HttpRequest, organiser, titles: dict[str, str], past: PastTitle | None = None
) -> HttpResponse:
    """The posted form of a new past title (``past`` None) or of a correction, through
    past_title_add or past_title_change: back to the list with a message, or the form again
    (400) with what was refused."""
    form = PastTitleForm(request.POST, organiser=organiser, titles=titles)
    if form.is_valid():
        data = form.cleaned_data
        fields = {
            "unit": data["unit"],
            "year": data["year"],
            "code": data["code"],
            "name": titles[data["code"]],
            "reference": data["reference"],
            "note": data["note"],
            "reason": data["reason"],
            "user": request.user,
        }
        try:
            if past is None:
                saved = past_titles.past_title_add(organiser=organiser, **fields)
                done = _("Past title recorded: %(unit)s, %(title)s, %(year)s.")
            else:
                saved = past_titles.past_title_change(past=past, **fields)
                done = _("Past title corrected: %(unit)s, %(title)s, %(year)s.")
        except ValidationError as error:
            show_refusal(form, error)
        else:
            names = {"unit": saved.unit.name, "title": saved.name, "year": saved.year}
            messages.success(request, done % names)
            return redirect(_list_url(organiser))
    return _render_form(request, organiser, form, past, status=400)


@require_POST
@login_required
def awards_past_title_delete(request: HttpRequest, pk: int) -> HttpResponse:
    past = _past(request, pk)
    organiser = past.organiser
    try:
        past_titles.past_title_delete(
            past=past, reason=request.POST.get("reason", ""), user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("awards_past_title_edit", pk=past.pk)
    messages.success(
        request,
        _("Past title deleted: %(unit)s, %(title)s, %(year)s.")
        % {"unit": past.unit.name, "title": past.name, "year": past.year},
    )
    return redirect(_list_url(organiser))


# --- Past titles from Excel ------------------------------------------------------------------


@require_GET
@login_required
def awards_past_titles_template(request: HttpRequest) -> HttpResponse:
    organiser, _organisers = _organiser(request)
    return _xlsx(f"past-titles-{organiser.code}", excel.template_xlsx(organiser=organiser))


def _import_page(request, organiser, *, plan=None, name="", token="", status=200, stale=False):
    confirm_url = ""
    if token and plan is not None and plan.ok and plan.add:
        confirm_url = reverse("awards_past_titles_import_confirm", args=[token])
    return render(
        request,
        "awards/past_titles_import.html",
        {
            "organiser": organiser,
            "plan": plan,
            "file_name": name,
            "confirm_url": confirm_url,
            "stale": stale,
            "list_url": _list_url(organiser),
            "template_url": _with_organiser(reverse("awards_past_titles_template"), organiser),
            "upload_url": reverse("awards_past_titles_import"),
            "columns": excel.headings(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def awards_past_titles_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST (``file``): the preview, nothing stored."""
    organiser, _organisers = _organiser(request)
    if request.method == "GET":
        return _import_page(request, organiser)
    upload: UploadedFile | None = request.FILES.get("file")
    if upload is None:
        plan = excel.PastPlan()
        plan.error(None, _("Choose a file to upload."))
        return _import_page(request, organiser, plan=plan, status=422)
    name, content, _again = capped_upload(upload)
    if not content and upload.size:
        plan = excel.PastPlan()
        plan.error(None, _("The file is too large."))
        return _import_page(request, organiser, plan=plan, name=name, status=422)
    plan = excel.read_upload(organiser=organiser, content=content)
    token = ""
    if plan.ok and plan.add:
        data = {"organiser": organiser.pk, "name": name, "signature": plan.signature()}
        token = PENDING.remember(request, content, data)
    status = 200 if plan.ok else 422
    return _import_page(request, organiser, plan=plan, name=name, token=token, status=status)


@require_POST
@login_required
def awards_past_titles_import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Store a previewed file, all or nothing, if it still reads as previewed (else the new
    preview, 409)."""
    organiser, _organisers = _organiser(request)
    stored, content = PENDING.read(request, token, organiser=organiser.pk)
    name = stored["name"]
    plan = excel.read_upload(organiser=organiser, content=content)
    status = PENDING.recheck(request, token, stored, plan)
    if status is not None:
        kept = token if status == 409 else ""
        return _import_page(
            request, organiser, plan=plan, name=name, token=kept, status=status, stale=True
        )
    try:
        recorded = past_titles.past_titles_import(
            organiser=organiser, rows=plan.rows(), file_name=name, user=request.user
        )
    except ValidationError as error:
        plan.error(None, " ".join(error.messages))
        return _import_page(request, organiser, plan=plan, name=name, status=422)
    PENDING.forget(request, token)
    messages.success(
        request,
        _("%(count)s past titles were imported from %(name)s.")
        % {"count": len(recorded), "name": name},
    )
    return redirect(_list_url(organiser))


urlpatterns = [
    path("units/<int:pk>/record/", awards_unit_record, name="awards_unit_record"),
    path("awards/holders/", awards_holders, name="awards_holders"),
    path("awards/past-titles/", awards_past_titles, name="awards_past_titles"),
    path("awards/past-titles/new/", awards_past_title_add, name="awards_past_title_add"),
    path("awards/past-titles/<int:pk>/", awards_past_title_edit, name="awards_past_title_edit"),
    path(
        "awards/past-titles/<int:pk>/delete/",
        awards_past_title_delete,
        name="awards_past_title_delete",
    ),
    path(
        "awards/past-titles/template.xlsx",
        awards_past_titles_template,
        name="awards_past_titles_template",
    ),
    path("awards/past-titles/import/", awards_past_titles_import, name="awards_past_titles_import"),
    path(
        "awards/past-titles/import/<str:token>/confirm/",
        awards_past_titles_import_confirm,
        name="awards_past_titles_import_confirm",
    ),
]
