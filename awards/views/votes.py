"""The awards pages:

- ``awards_cluster``: per award type of the campaign, the cluster's eligible units (by
  rank, from the published final results) with their vote and its outcome, and the units
  not eligible with the reason; the vote form for the cluster's leader and deputy units and
  the standing agency (awards.permissions.can_record_vote).
- ``awards_vote``: record (or correct) a vote.
- ``awards_next_leaders``: record (or correct) the units the cluster elected at its
  year-end meeting to lead it next year, with the vote and the minutes.
- ``awards_proposal_docx`` / ``awards_submission_docx``: the campaign's proposal list and
  submission as Word files, for the standing agency.

A cluster or campaign outside the user's scope answers 404; one they may see but not act
on, 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards import documents, permissions, services
from awards.forms import VoteForm
from awards.models import AwardType
from clusters import permissions as org_permissions
from clusters.documents.base import docx_response
from clusters.forms.leadership import LeadershipElectionForm
from clusters.models import Cluster, LeadershipElection, Unit
from clusters.permissions import require
from clusters.services import leadership as leadership_services


@require_GET
@login_required
def awards_cluster(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = org_permissions.cluster_for(request.user, pk)
    result = services.eligibility(cluster)
    can_vote = permissions.can_record_vote(request.user, cluster)
    decided = services.decided_items(cluster.campaign) if result.awards else {}
    for item in result.awards:
        for row in item.eligible:
            row.decision_item = decided.get((row.unit.pk, item.award_type.pk))
            initial = {"unit": row.unit.pk, "award_type": item.award_type.pk}
            if row.vote is not None:
                initial.update(
                    members_present=row.vote.members_present, votes_for=row.vote.votes_for
                )
            auto_id = f"id_{item.award_type.pk}_{row.unit.pk}_%s"
            row.form = VoteForm(initial=initial, auto_id=auto_id)
            row.own_unit = can_vote and permissions.is_own_unit(request.user, row.unit.pk)
    election = (
        LeadershipElection.objects.filter(cluster=cluster)
        .select_related("leader", "deputy")
        .first()
    )
    context = {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "result": result,
        "can_vote": can_vote,
        "can_draft": permissions.can_draft_proposals(request.user, cluster.campaign),
        "election": election,
        "election_form": _election_form(request, cluster, election=election),
    }
    return render(request, "awards/cluster.html", context)


@require_POST
@login_required
def awards_vote(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = org_permissions.cluster_for(request.user, pk)
    require(permissions.can_record_vote(request.user, cluster))
    form = VoteForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect("awards_cluster", pk=cluster.pk)
    award_type = get_object_or_404(
        AwardType, pk=form.cleaned_data["award_type"], campaign_id=cluster.campaign_id
    )
    unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"], memberships__cluster_id=cluster.pk)
    require(permissions.can_vote_on(request.user, cluster, unit.pk))
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
    campaign = org_permissions.campaign_for(request.user, pk)
    require(permissions.can_draft_proposals(request.user, campaign))
    return docx_response(documents.proposal_document(campaign))


@require_GET
@login_required
def awards_submission_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission (tờ trình) to the council, as a Word file."""
    campaign = org_permissions.campaign_for(request.user, pk)
    require(permissions.can_draft_proposals(request.user, campaign))
    return docx_response(documents.submission_document(campaign))


def _election_form(request: HttpRequest, cluster: Cluster, data=None, files=None, election=None):
    """The form of next year's leaders, for whoever may record them (else None), showing
    ``election`` (the one recorded) when there is no data."""
    if not org_permissions.can_record_leadership_election(request.user, cluster):
        return None
    units = Unit.objects.filter(memberships__cluster=cluster).order_by("code")
    form = LeadershipElectionForm(data, files, units=units)
    if data is None and election is not None:
        form.initial = {
            "held_on": election.held_on,
            "members_present": election.members_present,
            "leader": election.leader_id,
            "leader_votes": election.leader_votes,
            "deputy": election.deputy_id,
            "deputy_votes": election.deputy_votes,
        }
    return form


@require_POST
@login_required
def awards_next_leaders(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or correct) the units the cluster elected to lead it next year."""
    cluster = org_permissions.cluster_for(request.user, pk)
    require(org_permissions.can_record_leadership_election(request.user, cluster))
    form = _election_form(request, cluster, request.POST, request.FILES)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect(f"{reverse('awards_cluster', args=[cluster.pk])}#next-leaders")
    data = form.cleaned_data
    try:
        election = leadership_services.leadership_election_record(
            cluster=cluster,
            held_on=data["held_on"],
            members_present=data["members_present"],
            leader=data["leader"],
            leader_votes=data["leader_votes"],
            deputy=data["deputy"],
            deputy_votes=data["deputy_votes"],
            minutes=data["minutes"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(
            request,
            _("Next year's leader recorded: %(unit)s.") % {"unit": election.leader.name},
        )
    return redirect(f"{reverse('awards_cluster', args=[cluster.pk])}#next-leaders")


urlpatterns = [
    path("clusters/<int:pk>/awards/", awards_cluster, name="awards_cluster"),
    path("clusters/<int:pk>/awards/vote/", awards_vote, name="awards_vote"),
    path("clusters/<int:pk>/awards/next-leaders/", awards_next_leaders, name="awards_next_leaders"),
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
