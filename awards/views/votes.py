"""The awards pages:

- ``awards_cluster``: per award type of the campaign, the cluster's eligible units (by
  rank, from the published final results) with their vote and its outcome, and the units
  not eligible with the reason; the vote form for the cluster's leader and deputy units and
  the standing agency (awards.permissions.can_record_vote).
- ``awards_vote``: record (or correct) a vote.
- ``awards_proposal_docx`` / ``awards_submission_docx``: the campaign's proposal list and
  submission as Word files, for the standing agency.

A cluster or campaign outside the user's scope answers 404; one they may see but not act
on, 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards import documents, permissions, services
from awards.forms import VoteForm
from awards.models import AwardType
from clusters.documents.base import docx_response
from clusters.models import Campaign, Cluster, Unit


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _cluster(user, pk: int) -> Cluster:
    qs = permissions.award_clusters(user).select_related("campaign__organiser")
    return get_object_or_404(qs, pk=pk)


def _campaign(user, pk: int) -> Campaign:
    return get_object_or_404(permissions.award_campaigns(user).select_related("organiser"), pk=pk)


@require_GET
@login_required
def awards_cluster(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request.user, pk)
    result = services.eligibility(cluster)
    can_vote = permissions.can_record_vote(request.user, cluster)
    for item in result.awards:
        for row in item.eligible:
            initial = {"unit": row.unit.pk, "award_type": item.award_type.pk}
            if row.vote is not None:
                initial.update(
                    members_present=row.vote.members_present, votes_for=row.vote.votes_for
                )
            auto_id = f"id_{item.award_type.pk}_{row.unit.pk}_%s"
            row.form = VoteForm(initial=initial, auto_id=auto_id)
            row.own_unit = can_vote and permissions.is_own_unit(request.user, row.unit.pk)
    context = {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "result": result,
        "can_vote": can_vote,
        "can_draft": permissions.can_draft_proposals(request.user, cluster.campaign),
    }
    return render(request, "awards/cluster.html", context)


@require_POST
@login_required
def awards_vote(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request.user, pk)
    _require(permissions.can_record_vote(request.user, cluster))
    form = VoteForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect("awards_cluster", pk=cluster.pk)
    award_type = get_object_or_404(
        AwardType, pk=form.cleaned_data["award_type"], campaign_id=cluster.campaign_id
    )
    unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"], memberships__cluster_id=cluster.pk)
    _require(permissions.can_vote_on(request.user, cluster, unit.pk))
    try:
        vote = services.vote_record(
            cluster=cluster,
            unit=unit,
            award_type=award_type,
            members_present=form.cleaned_data["members_present"],
            votes_for=form.cleaned_data["votes_for"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        outcome = _("passed") if vote.passed else _("not passed")
        messages.success(
            request,
            _("Vote recorded: %(unit)s, %(award)s — %(votes)s/%(present)s, %(outcome)s.")
            % {
                "unit": unit.name,
                "award": award_type.name,
                "votes": vote.votes_for,
                "present": vote.members_present,
                "outcome": outcome,
            },
        )
    return redirect("awards_cluster", pk=cluster.pk)


@require_GET
@login_required
def awards_proposal_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """Every passed proposal of the campaign, as a Word file."""
    campaign = _campaign(request.user, pk)
    _require(permissions.can_draft_proposals(request.user, campaign))
    return docx_response(documents.proposal_document(campaign))


@require_GET
@login_required
def awards_submission_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission (tờ trình) to the council, as a Word file."""
    campaign = _campaign(request.user, pk)
    _require(permissions.can_draft_proposals(request.user, campaign))
    return docx_response(documents.submission_document(campaign))


urlpatterns = [
    path("clusters/<int:pk>/awards/", awards_cluster, name="awards_cluster"),
    path("clusters/<int:pk>/awards/vote/", awards_vote, name="awards_vote"),
    path(
        "campaigns/<int:pk>/awards/proposal.docx",
        awards_proposal_docx,
        name="awards_proposal_docx",
    ),
    path(
        "campaigns/<int:pk>/awards/submission.docx",
        awards_submission_docx,
        name="awards_submission_docx",
    ),
]
