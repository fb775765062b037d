"""Writes to the organisation as files, commands and the demo data describe it: units, the
default organiser, campaigns and their phase, clusters and their members (created or brought
up to date, so re-running an import is silent). Forms, the admin, imports, commands and the
demo data all call these functions, so every path runs the same validation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from clusters.enums import ClusterKind, MemberRole, PeriodKind, Phase, UnitKind
from clusters.images import clean_field_upload
from clusters.models import Campaign, Cluster, Membership, Unit
from clusters.services import notices
from clusters.services.common import save_changed

# The organiser meant where a file or command names none (domain.md section 7). It is a
# placeholder created on first use; staff can rename it, but its code must stay.
DEFAULT_ORGANISER_CODE = "DEFAULT"
DEFAULT_ORGANISER_NAME = "Đơn vị tổ chức mặc định"


@transaction.atomic
def unit_upsert(
    *,
    code: str,
    name: str,
    kind: str = UnitKind.OTHER,
    short_name: str = "",
    parent: Unit | None = None,
    place: str | None = None,
) -> Unit:
    """Create the unit with ``code``, or bring its name, kind and parent up to date, and
    its place name (the documents' date line) where ``place`` is given (None: unchanged)."""
    unit = Unit.objects.filter(code=code).first() or Unit(code=code)
    values = {"name": name, "kind": kind, "short_name": short_name, "parent": parent}
    if place is not None:
        values["place"] = place
    return save_changed(unit, **values)


@transaction.atomic
def organiser_default() -> Unit:
    """The installation's default organiser (code ``DEFAULT_ORGANISER_CODE``), created on
    first use with kind "other" and no parent; an existing one is returned unchanged."""
    unit = Unit.objects.filter(code=DEFAULT_ORGANISER_CODE).first()
    if unit is not None:
        return unit
    return save_changed(
        Unit(code=DEFAULT_ORGANISER_CODE), name=DEFAULT_ORGANISER_NAME, kind=UnitKind.OTHER
    )


@transaction.atomic
def unit_deactivate(*, unit: Unit, on: dt.date, successor: Unit | None = None) -> Unit:
    """Mark a dissolved or merged unit inactive from ``on``; its history stays."""
    return save_changed(unit, is_active=False, deactivated_on=on, successor=successor)


@transaction.atomic
def campaign_upsert(*, organiser: Unit, year: int, name: str, slogan: str = "") -> Campaign:
    """Create the organiser's campaign for ``year``, or update its name and slogan."""
    campaign = Campaign.objects.filter(organiser=organiser, year=year).first()
    campaign = campaign or Campaign(organiser=organiser, year=year)
    return save_changed(campaign, name=name, slogan=slogan)


@transaction.atomic
def campaign_set_phase(*, campaign: Campaign, phase: str, user=None) -> Campaign:
    """Move the campaign to ``phase``; the change is recorded with the user, and the
    campaign's units are told the phase is open (services.notices)."""
    if campaign.phase == phase:
        return campaign
    campaign._history_user = user
    campaign = save_changed(campaign, phase=Phase(phase))
    notices.phase_opened_notify(
        campaign=campaign, period_kind=PeriodKind.YEAR_END, phase=campaign.phase
    )
    return campaign


@transaction.atomic
def cluster_upsert(
    *,
    campaign: Campaign,
    code: str,
    number: int,
    name: str,
    description: str = "",
    kind: str = ClusterKind.CLUSTER,
) -> Cluster:
    """Create the campaign's cluster (or block, ``kind``) with ``code``, or update it."""
    cluster = Cluster.objects.filter(campaign=campaign, code=code).first()
    cluster = cluster or Cluster(campaign=campaign, code=code)
    return save_changed(cluster, number=number, name=name, description=description, kind=kind)


@transaction.atomic
def cluster_regulation_set(*, cluster: Cluster, regulation) -> Cluster:
    """Store the cluster's operating regulation (quy chế tổ chức hoạt động): a PDF, Word
    file or picture, its type read from the content (validate_document) and a picture
    re-encoded without its metadata (clusters.images); it replaces the one before."""
    cluster.regulation = regulation
    cluster.full_clean()
    clean_field_upload(cluster, "regulation")
    cluster.save(update_fields=["regulation"])
    return cluster


@transaction.atomic
def cluster_set_members(
    *,
    cluster: Cluster,
    members: list[Unit],
    leader: Unit | None = None,
    deputy: Unit | None = None,
) -> list[Membership]:
    """Make ``members`` (which must include the leader and deputy) exactly the cluster's
    units, with the given leader and deputy. Units leave before others join, so a unit can
    move between two clusters: a listed unit that is in another cluster of the same campaign
    moves here."""
    roles: dict[int, str] = {u.pk: MemberRole.MEMBER for u in members}
    for unit, role in ((leader, MemberRole.LEADER), (deputy, MemberRole.DEPUTY)):
        if unit is not None:
            roles[unit.pk] = role
    cluster.memberships.exclude(unit_id__in=roles).delete()
    Membership.objects.filter(campaign_id=cluster.campaign_id, unit_id__in=roles).exclude(
        cluster=cluster
    ).delete()
    # Clear roles first so a leader and deputy can swap places.
    cluster.memberships.exclude(role=MemberRole.MEMBER).update(role=MemberRole.MEMBER)
    result = []
    units = {u.pk: u for u in [*members, *(u for u in (leader, deputy) if u)]}
    for unit_id, role in roles.items():
        membership = Membership.objects.filter(cluster=cluster, unit_id=unit_id).first()
        membership = membership or Membership(cluster=cluster, unit=units[unit_id])
        result.append(save_changed(membership, role=role))
    return result
