"""The authority's decisions on a campaign's proposals (issue 15 point 4), for the
campaign's managers: the list with every proposal's status, a new decision, its page
(the header, the scanned copy and the units granted or refused, pre-filled with the
proposals of its level not decided yet), the proposal file sent up (``thidua.proposal/1``)
and the decision file received (``thidua.decision/1``: preview, then confirm).

Thin views: the campaign or decision within the user's scope (else 404), the rule of
awards/permissions.py (else 403), then awards.services and awards.interchange.decisions.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from awards import permissions, services
from awards.enums import DecisionOutcome, TitleLevel
from awards.interchange import decisions as exchange
from awards.models import AwardType, Decision
from clusters import permissions as org
from clusters.models import Campaign, Unit
from clusters.permissions import require
from emulation.files import protected_file_response

# A decision file is a few kilobytes; anything much larger is not one.
MAX_FILE_BYTES = 2 * 1024 * 1024


class DecisionForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Decision number"),
        max_length=64,
        help_text=gettext_lazy('As written on it, e.g. "123/QĐ-BCA".'),
    )
    date = forms.DateField(
        label=gettext_lazy("Date of the decision"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    signer_name = forms.CharField(label=gettext_lazy("Signed by"), max_length=150)
    signer_title = forms.CharField(label=gettext_lazy("Signer's position"), max_length=255)
    authority = forms.CharField(
        label=gettext_lazy("Deciding authority"),
        max_length=255,
        help_text=gettext_lazy("The body that decided, e.g. Bộ Công an, UBND tỉnh."),
    )
    level = forms.ChoiceField(label=gettext_lazy("Level of the titles"), choices=TitleLevel.choices)
    scanned_copy = forms.FileField(
        label=gettext_lazy("Scanned copy"),
        required=False,
        help_text=gettext_lazy("PDF or a picture of the signed decision."),
    )


class DecisionFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Decision file (thidua.decision/1)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = org.campaign_for(request.user, pk)
    require(permissions.can_record_decisions(request.user, campaign))
    return campaign


def _decision(request: HttpRequest, pk: int) -> Decision:
    decisions = Decision.objects.filter(
        campaign__in=permissions.award_campaigns(request.user)
    ).select_related("campaign__organiser", "created_by")
    decision = get_object_or_404(decisions, pk=pk)
    require(permissions.can_record_decisions(request.user, decision.campaign))
    return decision


def _record(request: HttpRequest, form: DecisionForm, campaign: Campaign, decision=None):
    """The form's decision recorded through the service; None with the errors on the form."""
    data = form.cleaned_data
    try:
        return services.decision_record(
            campaign=campaign,
            user=request.user,
            number=data["number"],
            date=data["date"],
            signer_name=data["signer_name"],
            signer_title=data["signer_title"],
            authority=data["authority"],
            level=data["level"],
            scanned_copy=data["scanned_copy"] or None,
            decision=decision,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return None


def _list_page(request, campaign, form=None, file_form=None, file_errors=None, status=200):
    context = {
        "campaign": campaign,
        "decisions": list(
            Decision.objects.filter(campaign=campaign)
            .select_related("created_by")
            .order_by("-date", "number")
        ),
        "proposals": services.proposals_with_status(campaign),
        "form": form or DecisionForm(),
        "file_form": file_form or DecisionFileForm(),
        "file_errors": file_errors or [],
        "levels": TitleLevel.choices,
    }
    return render(request, "awards/decisions.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def awards_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's decisions and its proposals' status; POST records a new decision."""
    campaign = _campaign(request, pk)
    if request.method == "GET":
        return _list_page(request, campaign)
    form = DecisionForm(request.POST, request.FILES)
    if form.is_valid():
        decision = _record(request, form, campaign)
        if decision is not None:
            messages.success(
                request,
                _("Decision %(number)s recorded: now mark the units it grants or refuses.")
                % {"number": decision.number},
            )
            return redirect("awards_decision", pk=decision.pk)
    return _list_page(request, campaign, form=form, status=422)


def _detail_page(request, decision, form=None, status=200):
    if form is None:
        form = DecisionForm(
            initial={
                "number": decision.number,
                "date": decision.date,
                "signer_name": decision.signer_name,
                "signer_title": decision.signer_title,
                "authority": decision.authority,
                "level": decision.level,
            }
        )
    context = {
        "campaign": decision.campaign,
        "decision": decision,
        "form": form,
        "rows": services.decision_rows(decision),
        "outcomes": DecisionOutcome.choices,
    }
    return render(request, "awards/decision.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def awards_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision's page; POST corrects its header (or replaces its scanned copy)."""
    decision = _decision(request, pk)
    if request.method == "GET":
        return _detail_page(request, decision)
    form = DecisionForm(request.POST, request.FILES)
    if form.is_valid() and _record(request, form, decision.campaign, decision) is not None:
        messages.success(request, _("Decision %(number)s saved.") % {"number": decision.number})
        return redirect("awards_decision", pk=decision.pk)
    decision.refresh_from_db()
    return _detail_page(request, decision, form=form, status=422)


@require_POST
@login_required
def awards_decision_items(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the units the decision grants or refuses, all at once."""
    decision = _decision(request, pk)
    award_types = {t.pk: t for t in AwardType.objects.filter(campaign=decision.campaign)}
    keys = []
    for key in request.POST.getlist("row"):
        unit_id, _sep, award_id = key.partition("-")
        if not (unit_id.isdigit() and award_id.isdigit()) or int(award_id) not in award_types:
            messages.error(request, _("A row of the form is not one of this campaign's."))
            return redirect("awards_decision", pk=decision.pk)
        keys.append((int(unit_id), int(award_id), key))
    units = Unit.objects.in_bulk({unit_id for unit_id, _a, _k in keys})
    rows = []
    for unit_id, award_id, key in keys:
        outcome = request.POST.get(f"outcome-{key}", "")
        if unit_id not in units or outcome not in ("", *DecisionOutcome.values):
            messages.error(request, _("A row of the form is not one of this campaign's."))
            return redirect("awards_decision", pk=decision.pk)
        note = request.POST.get(f"note-{key}", "")
        rows.append((units[unit_id], award_types[award_id], outcome, note))
    try:
        saved = services.decision_items_save(decision=decision, rows=rows, user=request.user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        granted = sum(1 for item in saved if item.granted)
        messages.success(
            request,
            _("Saved: %(granted)d granted, %(refused)d refused.")
            % {"granted": granted, "refused": len(saved) - granted},
        )
    return redirect("awards_decision", pk=decision.pk)


@require_GET
@login_required
def awards_decision_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision's scanned copy (a protected file, after the permission check)."""
    decision = _decision(request, pk)
    return protected_file_response(request, decision.scanned_copy, inline=True)


@require_GET
@login_required
def awards_proposal_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's passed proposals as a thidua.proposal/1 file (``?level=`` keeps the
    titles of one level)."""
    campaign = _campaign(request, pk)
    level = request.GET.get("level", "")
    if level not in ("", *TitleLevel.values):
        level = ""
    document = exchange.proposal_export(campaign, level=level)
    response = HttpResponse(exchange.file_bytes(document), content_type="application/json")
    suffix = f"-{level}" if level else ""
    filename = f"de-nghi-{campaign.organiser.code}-{campaign.year}{suffix}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _read_upload(upload) -> tuple[str, list[str]]:
    if upload.size > MAX_FILE_BYTES:
        return "", [_("The file is too large to be a decision file.")]
    content = upload.read()
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return "", [_("The file is not UTF-8 text.")]


def _plan(campaign: Campaign, text: str) -> exchange.DecisionPlan:
    try:
        document = exchange.parse(text)
    except ValidationError as error:
        return exchange.DecisionPlan(errors=error.messages)
    return exchange.decision_plan(campaign, document)


@require_POST
@login_required
def awards_decision_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision file read and checked: its preview to confirm, or why it is refused
    (nothing is recorded either way)."""
    campaign = _campaign(request, pk)
    file_form = DecisionFileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        return _list_page(request, campaign, file_form=file_form, status=422)
    text, errors = _read_upload(file_form.cleaned_data["file"])
    plan = _plan(campaign, text) if not errors else exchange.DecisionPlan(errors=errors)
    if not plan.ok:
        return _list_page(request, campaign, file_errors=plan.errors, status=422)
    context = {"campaign": campaign, "plan": plan, "content": text}
    return render(request, "awards/decision_preview.html", context)


@require_POST
@login_required
def awards_decision_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the previewed decision file: read and checked again (its hash protects it on
    the way), all or nothing."""
    campaign = _campaign(request, pk)
    plan = _plan(campaign, request.POST.get("content", ""))
    try:
        decision = exchange.decision_import(campaign=campaign, plan=plan, user=request.user)
    except ValidationError:
        return _list_page(request, campaign, file_errors=plan.errors, status=422)
    messages.success(
        request,
        _("Decision %(number)s imported with %(count)d units.")
        % {"number": decision.number, "count": len(plan.items)},
    )
    return redirect("awards_decision", pk=decision.pk)


urlpatterns = [
    path("campaigns/<int:pk>/awards/decisions/", awards_decisions, name="awards_decisions"),
    path(
        "campaigns/<int:pk>/awards/decisions/import/",
        awards_decision_upload,
        name="awards_decision_upload",
    ),
    path(
        "campaigns/<int:pk>/awards/decisions/import/confirm/",
        awards_decision_import,
        name="awards_decision_import",
    ),
    path(
        "campaigns/<int:pk>/awards/proposal.json",
        awards_proposal_file,
        name="awards_proposal_file",
    ),
    path("awards/decisions/<int:pk>/", awards_decision, name="awards_decision"),
    path("awards/decisions/<int:pk>/items/", awards_decision_items, name="awards_decision_items"),
    path("awards/decisions/<int:pk>/scan/", awards_decision_scan, name="awards_decision_scan"),
]
