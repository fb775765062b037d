"""Who may see and do what with awards — the one place these rules live.

- The awards page of a cluster: administrators and province staff for the clusters in
  their scope, and the officers of every member unit of the cluster (read only); anyone
  else gets "not found".
- The vote is recorded by the cluster's leader and deputy units and by the standing agency,
  once the cluster's final results are published; never by someone whose own unit the
  vote is about (nobody judges their own unit: ``can_vote_on``).
- The campaign's proposal list and submission: administrators and province staff of the
  campaign; others who may see the campaign get "forbidden".
- Award types and restrictions are set up by administrators and province staff of the
  campaign (its set-up page, and the admin); so are the title rules, the police presets
  and their confirmation, and past titles (the admin, within their organisers).
- The unit's own figures for the year: entered by the unit's officers only
  (``can_enter_figures``), checked by the campaign's managers, never about their own unit
  (``can_check_figures``); seen by both.
- The eligibility explained: the whole campaign for its managers; one unit's also for that
  unit's officers.
- Decisions (granted or refused titles), the proposal file sent up and the decision file
  received: administrators and province staff of the campaign (``can_record_decisions``);
  others who may see the campaign get "forbidden".
- Certificates of a decision's granted titles: all of them for administrators and province
  staff of the campaign (``can_print_certificates``); a unit's own for its officers too
  (``can_get_unit_certificate``); others who may see the campaign get "forbidden".
- A unit's record across years (results, titles held, registration against outcome):
  whoever may see the unit's results (``can_see_unit_record``). Past titles by hand and
  from Excel, and the search of who held a title: administrators, and province staff for
  their organisers (``title_organisers``, ``can_keep_titles``).
- Proposal files received from another organiser and the decision files written back
  (awards/incoming.py): the same staff, for their organisers (``deciding_organisers``,
  ``can_answer_proposals``); a received file of another organiser is "not found".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from awards.models import PastTitle
from clusters import permissions as org
from clusters.enums import ORGANISING_KINDS
from clusters.models import Campaign, Cluster, Unit, User
from scoring import permissions as scoring_permissions
from scoring import workflow


def is_manager(user: User) -> bool:
    return scoring_permissions.is_manager(user)


def award_clusters(user: User) -> QuerySet[Cluster]:
    """Clusters whose awards page the user may open."""
    return org.visible_clusters(user)


def award_campaigns(user: User) -> QuerySet[Campaign]:
    return org.visible_campaigns(user)


def can_record_vote(user: User, cluster: Cluster) -> bool:
    """Leader and deputy units of the cluster, and managers of its campaign, once the
    cluster's final results are published."""
    if not workflow.is_published(cluster):
        return False
    if is_manager(user):
        return org.can_manage_campaign(user, cluster.campaign)
    return scoring_permissions.is_cluster_head(user, cluster)


def is_own_unit(user: User, unit_id: int) -> bool:
    return org.is_own_unit(user, unit_id)


def can_vote_on(user: User, cluster: Cluster, unit_id: int) -> bool:
    """May record the cluster's vote about ``unit_id``: may record its votes, and the unit
    is not the user's own (another leader, the deputy or the standing agency does)."""
    return not org.is_own_unit(user, unit_id) and can_record_vote(user, cluster)


def can_draft_proposals(user: User, campaign: Campaign) -> bool:
    return is_manager(user) and org.can_manage_campaign(user, campaign)


def can_manage_awards(user: User) -> bool:
    """Award types and restrictions, in the admin."""
    return is_manager(user)


def can_set_up_awards(user: User, campaign: Campaign) -> bool:
    """Award types and restrictions of one campaign, on its set-up page."""
    return is_manager(user) and org.can_manage_campaign(user, campaign)


def can_enter_figures(user: User, unit_id: int) -> bool:
    """The unit's own officers (not staff: the unit enters, staff check)."""
    return org.is_unit_officer(user) and org.is_own_unit(user, unit_id)


def can_check_figures(user: User, campaign: Campaign, unit_id: int) -> bool:
    return can_set_up_awards(user, campaign) and not org.is_own_unit(user, unit_id)


def can_see_unit_figures(user: User, campaign: Campaign, unit_id: int) -> bool:
    return can_enter_figures(user, unit_id) or can_set_up_awards(user, campaign)


def can_explain_campaign(user: User, campaign: Campaign) -> bool:
    return can_set_up_awards(user, campaign)


def can_explain_unit(user: User, campaign: Campaign, unit_id: int) -> bool:
    return org.is_own_unit(user, unit_id) or can_set_up_awards(user, campaign)


# --- Each unit's history of titles (awards/history.py) ---------------------------------------


def can_see_unit_record(user: User, unit_id: int, final_clusters: set[int]) -> bool:
    """A unit's record across years, for a unit the user may look up (else "not found"):
    administrators and province staff, the unit's own officers, and anyone who may see one
    of its published final results (``final_clusters``: scoring.permissions.result_stages)."""
    return is_manager(user) or org.is_own_unit(user, unit_id) or bool(final_clusters)


def title_organisers(user: User) -> QuerySet[Unit]:
    """The organisers whose titles the user keeps (past titles by hand and from Excel) and
    searches (who held a title): every organiser of a campaign or of a past title for an
    administrator; their organisers for province staff; none for anyone else."""
    if org.is_administrator(user):
        keeping = PastTitle.objects.values("organiser_id")
        return Unit.objects.filter(
            Q(organised_campaigns__isnull=False) | Q(pk__in=keeping)
        ).distinct()
    if org.is_province_staff(user):
        ids = org.organiser_ids(user)
        # Their organising unit and any unit of the chain that runs campaigns or keeps
        # titles (a department on the way up is no organiser).
        keeping = PastTitle.objects.filter(organiser_id__in=ids).values("organiser_id")
        return (
            Unit.objects.filter(pk__in=ids)
            .filter(
                Q(pk=ids[-1])
                | Q(kind__in=ORGANISING_KINDS)
                | Q(organised_campaigns__isnull=False)
                | Q(pk__in=keeping)
            )
            .distinct()
        )
    return Unit.objects.none()


def can_keep_titles(user: User, organiser_id: int) -> bool:
    """Whether the user keeps the past titles of ``organiser_id`` (see title_organisers)."""
    if org.is_administrator(user):
        return True
    return org.is_province_staff(user) and organiser_id in org.organiser_ids(user)


# --- Decisions (awards/views/decisions.py) ---------------------------------------------------


def can_record_decisions(user: User, campaign: Campaign) -> bool:
    """The authority's decisions on the campaign's proposals (recorded, corrected, imported
    from a thidua.decision/1 file; the proposal file sent up; the scanned copy downloaded):
    administrators and province staff of the campaign's organiser."""
    return is_manager(user) and org.can_manage_campaign(user, campaign)


# --- Received proposals (awards/views/incoming.py) ------------------------------------------


def deciding_organisers(user: User) -> QuerySet[Unit]:
    """The organisers for which the user receives other organisers' proposal files and
    answers them: those whose titles they keep for the organisers' staff; for an
    administrator also every organising unit and every unit that has received one (a
    deciding installation may run no campaign of its own)."""
    if org.is_administrator(user):
        return Unit.objects.filter(
            Q(kind__in=ORGANISING_KINDS)
            | Q(organised_campaigns__isnull=False)
            | Q(received_proposals__isnull=False)
        ).distinct()
    return title_organisers(user)


def can_answer_proposals(user: User, organiser_id: int) -> bool:
    """Whether the user receives and answers proposal files for ``organiser_id``."""
    return can_keep_titles(user, organiser_id)


# --- Certificates (awards/views/certificates.py) ---------------------------------------------


def can_print_certificates(user: User, campaign: Campaign) -> bool:
    """Every certificate of the campaign's decisions: its organiser's staff."""
    return can_record_decisions(user, campaign)


def can_get_unit_certificate(user: User, campaign: Campaign, unit_id: int) -> bool:
    """One unit's certificates: the organiser's staff, and the unit itself (its officers)."""
    return org.is_own_unit(user, unit_id) or can_print_certificates(user, campaign)
