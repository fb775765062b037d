"""Setting up a year on its pages: new campaigns and clusters, members and roles, and a
copy of last year's clusters. A published year is history: these refuse to change it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import PROTECT
from django.utils.translation import gettext_lazy as _

from clusters.copying import CopyContext, copy_steps
from clusters.enums import ClusterKind, MemberRole, NextLeaders, PeriodKind, Phase
from clusters.models import Campaign, Cluster, LeadershipElection, Membership, Period, Unit
from clusters.services.common import save_changed
from clusters.services.leadership import check_choice, next_heads


def _ensure_open(campaign: Campaign) -> None:
    """A published year is history: its clusters and roles no longer change."""
    if campaign.phase == Phase.PUBLISHED:
        raise ValidationError(
            _("The campaign %(campaign)s is published; its clusters can no longer change."),
            params={"campaign": str(campaign)},
        )


@transaction.atomic
def campaign_create(*, organiser: Unit, year: int, name: str, slogan: str = "") -> Campaign:
    """A new campaign of ``organiser`` for ``year``; refused when that year exists."""
    return save_changed(Campaign(organiser=organiser, year=year), name=name, slogan=slogan)


@transaction.atomic
def cluster_create(
    *,
    campaign: Campaign,
    number: int,
    code: str,
    name: str,
    description: str = "",
    kind: str = ClusterKind.CLUSTER,
) -> Cluster:
    """A new cluster (or block) of ``campaign``; refused when the number or code is taken."""
    _ensure_open(campaign)
    cluster = Cluster(campaign=campaign, code=code)
    return save_changed(cluster, number=number, name=name, description=description, kind=kind)


@transaction.atomic
def cluster_rename(*, cluster: Cluster, number: int, name: str, kind: str | None = None) -> Cluster:
    """Give ``cluster`` another number and name, and with ``kind`` make it a cluster or a
    block (its code stays: files name it by code)."""
    _ensure_open(cluster.campaign)
    return save_changed(cluster, number=number, name=name, kind=kind or cluster.kind)


@transaction.atomic
def membership_add(*, cluster: Cluster, unit: Unit, role: str = MemberRole.MEMBER) -> Membership:
    """Place ``unit`` in ``cluster``; refused for a unit dissolved before the year, a unit
    already placed this year, or a second leader or deputy."""
    _ensure_open(cluster.campaign)
    return save_changed(Membership(cluster=cluster, unit=unit), role=role)


@transaction.atomic
def membership_move(*, unit: Unit, cluster: Cluster) -> Membership:
    """Move ``unit`` to ``cluster`` within the same campaign (placing it when it has no
    cluster yet). It joins as a member: a leader or deputy leaves that role behind."""
    _ensure_open(cluster.campaign)
    membership = Membership.objects.filter(campaign_id=cluster.campaign_id, unit=unit).first()
    if membership is None:
        return membership_add(cluster=cluster, unit=unit)
    if membership.cluster_id == cluster.pk:
        return membership
    _ensure_no_records(membership)
    membership.cluster = cluster
    membership.role = MemberRole.MEMBER
    membership.full_clean()
    membership.save()
    return membership


def _ensure_no_records(membership: Membership) -> None:
    """Refuse to take a unit out of a cluster where records of that unit protect the cluster
    (score sheets, for instance). Other apps' models are found through the relations, so
    this module names none of them."""
    for relation in Cluster._meta.related_objects:
        model = relation.related_model
        if relation.on_delete is not PROTECT or not relation.many_to_one:
            continue
        if "unit" not in {f.name for f in model._meta.get_fields()}:
            continue
        lookup = {relation.field.name: membership.cluster_id, "unit_id": membership.unit_id}
        if model._default_manager.filter(**lookup).exists():
            raise ValidationError(
                _("%(unit)s already has %(records)s in %(cluster)s; it cannot leave that cluster."),
                params={
                    "unit": membership.unit.name,
                    "records": model._meta.verbose_name_plural,
                    "cluster": membership.cluster.name,
                },
            )


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Take the unit out of its cluster for the year; refused when the unit already has
    records (such as score sheets) in that cluster."""
    _ensure_open(membership.cluster.campaign)
    _ensure_no_records(membership)
    membership.delete()


@transaction.atomic
def cluster_set_head(*, cluster: Cluster, unit: Unit, role: str) -> Membership:
    """Give ``unit`` (a member of ``cluster``) the role ``role``: leader, deputy or member.

    The unit that held that role takes the unit's old role when it was leader or deputy
    (the two swap), and otherwise becomes a member.
    """
    _ensure_open(cluster.campaign)
    role = MemberRole(role)
    membership = cluster.memberships.filter(unit=unit).first()
    if membership is None:
        raise ValidationError(
            _("%(unit)s is not a member of %(cluster)s."),
            params={"unit": unit.name, "cluster": cluster.name},
        )
    old_role = membership.role
    if old_role == role:
        return membership
    holder = None
    if role != MemberRole.MEMBER:
        holder = cluster.memberships.filter(role=role).exclude(pk=membership.pk).first()
    # Clear both roles first: the database allows one leader and one deputy at any moment.
    ids = [membership.pk] + ([holder.pk] if holder else [])
    Membership.objects.filter(pk__in=ids).update(role=MemberRole.MEMBER)
    if holder is not None:
        holder.refresh_from_db()
        save_changed(holder, role=old_role)
    membership.refresh_from_db()
    return save_changed(membership, role=role)


@dataclass
class CampaignCopy:
    """What a copy of last year did: the new campaign, the units replaced by their
    successors or left out, notes on the leaders chosen, and the lines of the other apps'
    steps (score tables, targets, figures carried, award types)."""

    campaign: Campaign
    replaced: list[tuple[Unit, Unit]] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)


def _copy_periods(source: Campaign, campaign: Campaign) -> dict[int, Period]:
    """The new year's periods: its year-end review, and a six-month review (at its first
    phase) where the old year had one; {old period id: new period}."""
    periods: dict[int, Period] = {}
    for old in Period.objects.filter(campaign=source):
        if old.kind == PeriodKind.YEAR_END:
            periods[old.pk] = Period.objects.year_end(campaign)
        else:
            new = Period(campaign=campaign, kind=old.kind, phase=Phase.SETUP)
            new.full_clean()
            new.save()
            periods[old.pk] = new
    return periods


@transaction.atomic
def campaign_copy(
    *,
    source: Campaign,
    year: int,
    name: str | None = None,
    slogan: str | None = None,
    leaders: str | Mapping[int, str] = NextLeaders.KEEP,
    user=None,
) -> CampaignCopy:
    """Copy ``source`` into a new campaign of the same organiser for ``year``, completely:
    its clusters (number, code, name, kind) and members, its six-month review, then every
    step other apps registered (clusters.copying: the score tables as drafts with the units'
    targets and the carried figures, the award types), all in this one transaction.

    ``leaders`` says how each cluster's new leader and deputy are chosen (NextLeaders: keep,
    rotate, elected), one choice for all or {old cluster id: choice}. A unit dissolved by
    the new year is replaced by its successor when the successor is active and not placed
    already (keeping the role), and is otherwise left out; both are reported so staff can
    adjust. A step that raises ValidationError undoes everything.
    """
    choices = leaders if isinstance(leaders, Mapping) else {}
    for choice in [*choices.values(), *([] if choices else [leaders])]:
        check_choice(choice)
    campaign = save_changed(
        Campaign(organiser=source.organiser, year=year),
        name=name or source.name.replace(str(source.year), str(year)),
        slogan=source.slogan if slogan is None else slogan,
    )
    result = CampaignCopy(campaign=campaign)
    first_day = dt.date(year, 1, 1)
    placed: set[int] = set()
    units: dict[int, Unit] = {}
    clusters: dict[int, Cluster] = {}
    memberships = Membership.objects.filter(campaign=source).select_related(
        "unit__successor", "cluster"
    )
    by_cluster: dict[int, list[Membership]] = {}
    for membership in memberships.order_by("cluster__number", "unit__code"):
        by_cluster.setdefault(membership.cluster_id, []).append(membership)
    elections = {
        e.cluster_id: e for e in LeadershipElection.objects.filter(cluster__campaign=source)
    }
    rows: list[Membership] = []
    for old in source.clusters.order_by("number"):
        new = save_changed(
            Cluster(campaign=campaign, code=old.code),
            number=old.number,
            name=old.name,
            description=old.description,
            kind=old.kind,
        )
        clusters[old.pk] = new
        members = by_cluster.get(old.pk, [])
        choice = choices.get(old.pk, NextLeaders.KEEP) if choices else leaders
        leader_id, deputy_id, note = next_heads(choice, members, elections.get(old.pk))
        if note:
            result.notes.append(f"{old.name}: {note}")
        for membership in members:
            unit = membership.unit
            if not unit.is_active and unit.deactivated_on <= first_day:
                successor = unit.successor
                if successor is None or not successor.is_active or successor.pk in placed:
                    result.skipped.append(unit)
                    continue
                result.replaced.append((unit, successor))
                unit = successor
            if unit.pk in placed:
                continue
            placed.add(unit.pk)
            units[membership.unit_id] = unit
            role = (
                MemberRole.LEADER
                if membership.unit_id == leader_id
                else MemberRole.DEPUTY
                if membership.unit_id == deputy_id
                else MemberRole.MEMBER
            )
            rows.append(Membership(campaign=campaign, cluster=new, unit=unit, role=role))
    # Every unit is placed once and the old year's roles were one leader and one deputy per
    # cluster, so the rows hold the constraints; one statement for the whole province.
    Membership.objects.bulk_create(rows)
    context = CopyContext(
        source=source,
        campaign=campaign,
        clusters=clusters,
        units=units,
        periods=_copy_periods(source, campaign),
        user=user,
    )
    for step in copy_steps():
        step.run(context)
    result.report = context.report
    return result
