"""awards' events in a cluster's or campaign's recent activity (clusters.recent; registered
in AwardsConfig.ready): the cluster's votes on proposing units for titles, recorded or
corrected. Whoever may see the cluster sees its votes (the awards page's rule,
permissions.award_clusters); one query."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from awards.models import Vote
from clusters.models import Campaign
from clusters.recent import Event, who


def vote_events(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    rows = (
        Vote.history.filter(
            history_type__in=["+", "~"],
            cluster_id__in=cluster_ids,
            cluster__campaign_id=campaign.pk,
        )
        .select_related("history_user", "unit", "award_type")
        .order_by("-history_date", "-history_id")[:limit]
    )
    events = []
    for record in rows:
        params = {
            "who": who(record.history_user),
            "award": record.award_type.name,
            "unit": record.unit.name,
            "votes": record.votes_for,
            "present": record.members_present,
        }
        text = _(
            "%(who)s recorded the vote on proposing %(unit)s for %(award)s: %(votes)s votes "
            "for of %(present)s members present."
        )
        events.append(
            Event(
                record.history_date,
                params["who"],
                text % params,
                reverse("awards_cluster", args=[record.cluster_id]),
                ("vote", record.history_id),
            )
        )
    return events
