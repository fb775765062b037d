"""Next year's leader and deputy units: the election a cluster records at its year-end
meeting, and the three ways a copy of the year hands the leadership on (clusters.enums.
NextLeaders): keep this year's, rotate to the next members in the cluster's order, or take
the units elected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clusters.enums import MemberRole, NextLeaders
from clusters.images import clean_field_upload
from clusters.models import Cluster, LeadershipElection, Membership, Unit


@transaction.atomic
def leadership_election_record(
    *,
    cluster: Cluster,
    held_on: dt.date,
    members_present: int,
    leader: Unit,
    leader_votes: int,
    deputy: Unit | None = None,
    deputy_votes: int | None = None,
    minutes=None,
    user=None,
) -> LeadershipElection:
    """Record (or correct) the units ``cluster`` elected to lead it next year, with the
    vote and, when given, the minutes (validated and cleaned like every upload; a replaced
    file stays in storage). Refused, changing nothing, for a unit outside the cluster, the
    same unit twice, or more votes than members present."""
    election = LeadershipElection.objects.filter(cluster=cluster).first()
    election = election or LeadershipElection(cluster=cluster)
    who = user if user is not None and getattr(user, "is_authenticated", False) else None
    election.held_on = held_on
    election.members_present = members_present
    election.leader = leader
    election.leader_votes = leader_votes
    election.deputy = deputy
    election.deputy_votes = deputy_votes if deputy is not None else None
    if minutes is not None:
        election.minutes = minutes
    election.recorded_by = who
    election._history_user = who
    election.full_clean()
    if minutes is not None:
        clean_field_upload(election, "minutes")
    election.save()
    return election


def _ordered(members: Sequence[Membership]) -> list[Membership]:
    """The cluster's order: its members by unit code (as every list of them shows)."""
    return sorted(members, key=lambda m: m.unit.code)


def rotated_heads(members: Sequence[Membership]) -> tuple[int | None, int | None]:
    """(leader unit id, deputy unit id) after a rotation: the member after this year's
    leader in the cluster's order becomes leader, the one after it deputy (wrapping round);
    with no leader this year, the first member leads. One member: leader only."""
    order = [m.unit_id for m in _ordered(members)]
    if not order:
        return None, None
    leader = next((m.unit_id for m in members if m.role == MemberRole.LEADER), None)
    start = (order.index(leader) + 1) % len(order) if leader in order else 0
    new_leader = order[start]
    new_deputy = order[(start + 1) % len(order)] if len(order) > 1 else None
    return new_leader, new_deputy


def next_heads(
    choice: str, members: Sequence[Membership], election: LeadershipElection | None
) -> tuple[int | None, int | None, str]:
    """(leader id, deputy id, a note for the report or "") among the old cluster's units
    for ``choice``. Without an election, "elected" keeps this year's heads and says so."""
    if choice == NextLeaders.ROTATE:
        return (*rotated_heads(members), "")
    keep = (
        next((m.unit_id for m in members if m.role == MemberRole.LEADER), None),
        next((m.unit_id for m in members if m.role == MemberRole.DEPUTY), None),
    )
    if choice == NextLeaders.ELECTED:
        if election is None:
            return (*keep, str(_("no election recorded: this year's leader and deputy kept")))
        return election.leader_id, election.deputy_id, ""
    return (*keep, "")


def check_choice(choice: str) -> None:
    if choice not in NextLeaders.values:
        raise ValidationError(_("Choose how each cluster's leader and deputy are chosen."))
