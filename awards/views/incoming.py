"""Received proposals (issue 15 point 4, the deciding side of the file exchange): the staff of
an organiser that decides for others (the Ministry's installation, a province deciding on its
districts' proposals) receive a ``thidua.proposal/1`` file, check and preview it, keep it, and
answer it line by line with a ``thidua.decision/1`` file for the sender.

- ``awards_incoming``: the organiser's received files and the upload form
  (``?organiser=<id>`` chooses among the user's organisers);
- ``awards_incoming_upload``: the file checked and previewed (nothing kept yet);
- ``awards_incoming_confirm``: the previewed file kept (checked again);
- ``awards_incoming_detail``: a received file's lines, the answer form and the answers kept;
- ``awards_incoming_answer``: the answer kept and its decision file downloaded;
- ``awards_incoming_answer_file``: a kept answer's decision file again.

Who: awards.permissions ``deciding_organisers`` (403 for a user with none) and
``can_answer_proposals`` (404 for another organiser's file).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from awards import incoming, permissions
from awards.enums import DecisionOutcome, TitleLevel
from awards.interchange.incoming import Line, lines_of, read_plan
from awards.models import ProposalAnswer, ReceivedProposal
from clusters.enums import ORGANISING_KINDS
from clusters.models import Unit
from clusters.text import fold

# A proposal file is a few hundred kilobytes at most; anything much larger is not one.
MAX_FILE_BYTES = 2 * 1024 * 1024


class ProposalFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Proposal file (thidua.proposal/1)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


class AnswerForm(forms.Form):
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


# --- Scope ------------------------------------------------------------------------------------


def _organiser(request: HttpRequest) -> tuple[Unit, list[Unit]]:
    """The organiser asked for (``organiser`` in the query or the form, else the one with the
    latest campaign among the user's, an organising unit first) and the user's organisers;
    403 for a user who decides for none, 404 for an organiser that is not theirs."""
    choices = list(
        permissions.deciding_organisers(request.user)
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
    ranked = sorted(
        choices, key=lambda u: (-(u.latest or 0), u.kind not in ORGANISING_KINDS, u.code)
    )
    return ranked[0], choices


def _received(request: HttpRequest, pk: int) -> ReceivedProposal:
    """A received file of one of the user's organisers (else 404; 403 for a user who
    decides for none)."""
    if not permissions.deciding_organisers(request.user).exists():
        raise PermissionDenied
    received = get_object_or_404(
        ReceivedProposal.objects.select_related("organiser", "received_by"), pk=pk
    )
    if not permissions.can_answer_proposals(request.user, received.organiser_id):
        raise Http404
    return received


# --- The list and the upload ------------------------------------------------------------------


def _list_page(request, organiser, organisers, file_form=None, file_errors=None, status=200):
    received = (
        ReceivedProposal.objects.filter(organiser=organiser)
        .select_related("received_by")
        .annotate(answer_count=Count("answers"))
        .order_by("-received_at")
    )
    context = {
        "organiser": organiser,
        "organisers": organisers,
        "received": list(received),
        "file_form": file_form or ProposalFileForm(),
        "file_errors": file_errors or [],
    }
    return render(request, "awards/incoming.html", context, status=status)


@require_GET
@login_required
def awards_incoming(request: HttpRequest) -> HttpResponse:
    organiser, organisers = _organiser(request)
    return _list_page(request, organiser, organisers)


def _read_upload(upload) -> tuple[str, list[str]]:
    if upload.size > MAX_FILE_BYTES:
        return "", [_("The file is too large to be a proposal file.")]
    try:
        return upload.read().decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return "", [_("The file is not UTF-8 text.")]


@require_POST
@login_required
def awards_incoming_upload(request: HttpRequest) -> HttpResponse:
    """A proposal file read and checked: its preview to confirm, or why it is refused
    (nothing is kept either way)."""
    organiser, organisers = _organiser(request)
    file_form = ProposalFileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        return _list_page(request, organiser, organisers, file_form=file_form, status=422)
    text, errors = _read_upload(file_form.cleaned_data["file"])
    plan = read_plan(organiser, text) if not errors else None
    if plan is None or not plan.ok:
        errors = errors or plan.errors
        return _list_page(request, organiser, organisers, file_errors=errors, status=422)
    context = {"organiser": organiser, "plan": plan, "content": text}
    return render(request, "awards/incoming_preview.html", context)


@require_POST
@login_required
def awards_incoming_confirm(request: HttpRequest) -> HttpResponse:
    """Keep the previewed proposal file: read and checked again (its hash protects it on the
    way)."""
    organiser, organisers = _organiser(request)
    plan = read_plan(organiser, request.POST.get("content", ""))
    try:
        received = incoming.received_proposal_store(
            organiser=organiser, plan=plan, user=request.user
        )
    except ValidationError:
        return _list_page(request, organiser, organisers, file_errors=plan.errors, status=422)
    messages.success(
        request,
        _("Proposal of %(sender)s for %(year)s received: %(count)d lines.")
        % {"sender": received.sender_name, "year": received.year, "count": len(plan.lines)},
    )
    return redirect("awards_incoming_detail", pk=received.pk)


# --- A received file and its answers ----------------------------------------------------------


def _rows(lines: list[Line], answers: list[ProposalAnswer], chosen: dict) -> list[tuple]:
    """Each line with its form index, the answers already given on it (newest first) and the
    outcome chosen in the form sent back, as (index, line, [(answer, outcome)], chosen)."""
    decided = [(answer, incoming.answer_outcomes(answer)) for answer in answers]
    return [
        (
            index,
            line,
            [
                (answer, outcomes[(line.unit_code, line.title_code)])
                for answer, outcomes in decided
                if (line.unit_code, line.title_code) in outcomes
            ],
            chosen.get(index, ""),
        )
        for index, line in enumerate(lines)
    ]


def _detail_page(request, received, form=None, chosen=None, status=200):
    lines = lines_of(received.content)
    answers = list(received.answers.select_related("answered_by").order_by("-answered_at"))
    if form is None:
        levels = [line.level for line in lines]
        form = AnswerForm(
            initial={
                "date": timezone.localdate(),
                "authority": received.organiser.name,
                "level": max(set(levels), key=levels.count) if levels else TitleLevel.UNIT,
            }
        )
    context = {
        "received": received,
        "organiser": received.organiser,
        "rows": _rows(lines, answers, chosen or {}),
        "answers": answers,
        "form": form,
        "outcomes": DecisionOutcome.choices,
    }
    return render(request, "awards/incoming_detail.html", context, status=status)


@require_GET
@login_required
def awards_incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _received(request, pk))


def _file_response(answer: ProposalAnswer) -> HttpResponse:
    response = HttpResponse(answer.content.encode(), content_type="application/json")
    # Codes and numbers are the sender's text: folded to a safe file name.
    sender = slugify(fold(answer.proposal.sender_code)) or "don-vi"
    number = slugify(fold(answer.number)) or "so"
    filename = f"quyet-dinh-{sender}-{answer.proposal.year}-{number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@login_required
def awards_incoming_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the received file: the decision kept and its ``thidua.decision/1`` file sent
    back as a download; the form again with the reasons otherwise (nothing kept)."""
    received = _received(request, pk)
    lines = lines_of(received.content)
    chosen = {}
    for index in range(len(lines)):
        value = request.POST.get(f"outcome-{index}", "")
        if value:
            chosen[index] = value
    form = AnswerForm(request.POST)
    if any(value not in DecisionOutcome.values for value in chosen.values()):
        form.add_error(None, _("A line of the form is not one of the proposal's."))
    elif form.is_valid():
        outcomes = {(lines[i].unit_code, lines[i].title_code): v for i, v in chosen.items()}
        try:
            answer = incoming.proposal_answer(
                received=received, outcomes=outcomes, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            return _file_response(answer)
    return _detail_page(request, received, form=form, chosen=chosen, status=422)


@require_GET
@login_required
def awards_incoming_answer_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A kept answer's decision file, as it was written."""
    if not permissions.deciding_organisers(request.user).exists():
        raise PermissionDenied
    answer = get_object_or_404(ProposalAnswer.objects.select_related("proposal"), pk=pk)
    if not permissions.can_answer_proposals(request.user, answer.proposal.organiser_id):
        raise Http404
    return _file_response(answer)


urlpatterns = [
    path("awards/incoming/", awards_incoming, name="awards_incoming"),
    path("awards/incoming/check/", awards_incoming_upload, name="awards_incoming_upload"),
    path("awards/incoming/confirm/", awards_incoming_confirm, name="awards_incoming_confirm"),
    path("awards/incoming/<int:pk>/", awards_incoming_detail, name="awards_incoming_detail"),
    path("awards/incoming/<int:pk>/answer/", awards_incoming_answer, name="awards_incoming_answer"),
    path(
        "awards/incoming/answers/<int:pk>/decision.json",
        awards_incoming_answer_file,
        name="awards_incoming_answer_file",
    ),
]
